import type { RecordingSource } from '@app/contracts';
import type { SqlStatement } from '../database';

/** A recording as the call events tell it, for the row linking it to its call. */
export interface RecordingLink {
  callId: number;
  fileName: string;
  path: string | null;
  source: RecordingSource;
  startedAt: string;
  stoppedAt: string | null;
}

/** Column widths of `recordings`: a long name from the PBX is cut, never a reason to lose the link. */
const FILE_NAME_MAX = 255;
const PATH_MAX = 1024;

/** A linked recording that stopped and still awaits its file, as the upsert returns it. */
export interface StoppedRecordingRow {
  id: number;
  call_id: number;
  pbx_id: string;
  file_name: string;
  path: string | null;
  stopped_at: Date;
}

/**
 * Cut to the column and with any NUL (which PostgreSQL text cannot hold) replaced by U+FFFD,
 * which the recording key then refuses: such a name is kept as a rejected link, never dropped.
 */
export function storable(text: string, max: number): string {
  return text.replace(/\u0000/g, '\ufffd').slice(0, max);
}

/**
 * One link per file of a call, from the events of a batch in order: the first start, the latest
 * path and stop time known. (One statement may touch a row only once.)
 */
export function mergeRecordingLinks(links: RecordingLink[]): RecordingLink[] {
  const byFile = new Map<string, RecordingLink>();
  for (const link of links) {
    const key = `${link.callId}\u0000${link.fileName}`;
    const seen = byFile.get(key);
    byFile.set(
      key,
      seen
        ? { ...seen, startedAt: seen.startedAt <= link.startedAt ? seen.startedAt : link.startedAt, path: link.path ?? seen.path, stoppedAt: link.stoppedAt ?? seen.stoppedAt }
        : link,
    );
  }
  return [...byFile.values()];
}

/**
 * Upserts links in one statement (arrays through unnest). A later event only fills in what is
 * known now: a path or a stop time never goes back to null. Returns the rows that just
 * learned their stop and still await their file (readiness takes them from there).
 */
export function upsertRecordingLinksStatement(batch: RecordingLink[]): SqlStatement {
  const links = mergeRecordingLinks(batch);
  return {
    text: `
WITH up AS (
  INSERT INTO recordings AS r (call_id, file_name, path, source, started_at, stopped_at)
  SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
  ON CONFLICT (call_id, file_name) DO UPDATE
    SET path = COALESCE(EXCLUDED.path, r.path), stopped_at = COALESCE(EXCLUDED.stopped_at, r.stopped_at), updated_at = now()
    WHERE (r.path, r.stopped_at) IS DISTINCT FROM (COALESCE(EXCLUDED.path, r.path), COALESCE(EXCLUDED.stopped_at, r.stopped_at))
  RETURNING r.id, r.call_id, r.file_name, r.path, r.stopped_at, r.status
)
SELECT up.id, up.call_id, k.pbx_id, up.file_name, up.path, up.stopped_at
-- The PBX from the call's key: planning a join with the partitioned calls (every month and its
-- indexes) cost more than the whole upsert.
FROM up JOIN call_keys k ON k.id = up.call_id
WHERE up.stopped_at IS NOT NULL AND up.status = 'pending'`,
    values: [
      links.map((l) => l.callId),
      links.map((l) => storable(l.fileName, FILE_NAME_MAX)),
      links.map((l) => (l.path === null ? null : storable(l.path, PATH_MAX))),
      links.map((l) => l.source),
      links.map((l) => l.startedAt),
      links.map((l) => l.stoppedAt),
    ],
  };
}

/**
 * Links the recordings whose `recording_started` step is stored but whose row is missing: the
 * process stopped between committing a call's step and linking its file. Looks at calls started
 * within `sinceHours` only (through the started_at index), so it stays cheap on a large history.
 */
export function linkMissingRecordingsStatement(sinceHours: number): SqlStatement {
  return {
    text: `
INSERT INTO recordings (call_id, file_name, path, source, started_at, stopped_at)
SELECT e.call_id, left(e.data->>'file', ${FILE_NAME_MAX}), left(e.data->>'path', ${PATH_MAX}), e.data->>'source', e.occurred_at,
       (SELECT min(s.occurred_at) FROM call_events s
        WHERE s.call_id = e.call_id AND s.type = 'recording_stopped' AND s.data->>'file' = e.data->>'file')
FROM calls c JOIN call_events e ON e.call_id = c.id
WHERE c.started_at > now() - make_interval(hours => $1) AND e.type = 'recording_started'
  AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.call_id = e.call_id AND r.file_name = left(e.data->>'file', ${FILE_NAME_MAX}))
ON CONFLICT (call_id, file_name) DO NOTHING`,
    values: [sinceHours],
  };
}
