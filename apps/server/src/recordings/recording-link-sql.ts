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

/**
 * Upserts links in one statement (arrays through unnest). A later event only fills in what is
 * known now: a path or a stop time never goes back to null.
 */
export function upsertRecordingLinksStatement(links: RecordingLink[]): SqlStatement {
  return {
    text: `
INSERT INTO recordings AS r (call_id, file_name, path, source, started_at, stopped_at)
SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
ON CONFLICT (call_id, file_name) DO UPDATE
  SET path = COALESCE(EXCLUDED.path, r.path), stopped_at = COALESCE(EXCLUDED.stopped_at, r.stopped_at), updated_at = now()
  WHERE (r.path, r.stopped_at) IS DISTINCT FROM (COALESCE(EXCLUDED.path, r.path), COALESCE(EXCLUDED.stopped_at, r.stopped_at))`,
    values: [
      links.map((l) => l.callId),
      links.map((l) => l.fileName.slice(0, FILE_NAME_MAX)),
      links.map((l) => (l.path === null ? null : l.path.slice(0, PATH_MAX))),
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
