import type { CallRecordingRow, CallRow, CallTimelineRow, CallWrite } from './call-write';

/**
 * One SQL statement that applies a batch of call writes, idempotently.
 *
 * Each column travels as one array parameter through `unnest`, so the statement
 * text (and its plan) is the same for 1 or 5,000 calls and never nears the bind
 * parameter limit. Per call the batch keeps only its latest state (an upsert may
 * touch a row once per statement) but every timeline step.
 *
 * Idempotence: a call row is only updated by a newer state — (last_event_at,
 * event_seq) must grow — and never once it has ended, so a replayed stream, a
 * late duplicate or a second delivery cannot move a call back. A timeline step is
 * stored only when its call's write applied and the step is newer than what was
 * stored before the statement (the `old` CTE sees the pre-statement snapshot);
 * the per-call dedupe key catches the rest. The statement returns the rows it
 * changed and, per row, the dedupe keys of the steps it stored, so the caller
 * announces exactly what happened, once.
 */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

interface Column<R> {
  name: string;
  type: string;
  value: (row: R) => unknown;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const CALL_COLUMNS: Column<CallRow>[] = [
  { name: 'pbx_id', type: 'text', value: (r) => r.pbxId },
  { name: 'linkedid', type: 'text', value: (r) => r.linkedid },
  { name: 'call_uid', type: 'text', value: (r) => r.callUid },
  { name: 'direction', type: 'text', value: (r) => r.direction },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'caller_number', type: 'text', value: (r) => r.callerNumber },
  { name: 'caller_name', type: 'text', value: (r) => r.callerName },
  { name: 'receiver_number', type: 'text', value: (r) => r.receiverNumber },
  { name: 'did', type: 'text', value: (r) => r.did },
  { name: 'external_number', type: 'text', value: (r) => r.externalNumber },
  { name: 'started_at', type: 'timestamptz', value: (r) => iso(r.startedAt) },
  { name: 'answered_at', type: 'timestamptz', value: (r) => iso(r.answeredAt) },
  { name: 'ended_at', type: 'timestamptz', value: (r) => iso(r.endedAt) },
  { name: 'ring_seconds', type: 'integer', value: (r) => r.ringSeconds },
  { name: 'talk_seconds', type: 'integer', value: (r) => r.talkSeconds },
  { name: 'hold_seconds', type: 'integer', value: (r) => r.holdSeconds },
  { name: 'duration', type: 'integer', value: (r) => r.talkSeconds },
  { name: 'hangup_cause', type: 'integer', value: (r) => r.hangupCause },
  { name: 'hangup_by', type: 'text', value: (r) => r.hangupBy },
  { name: 'answered_by_extension', type: 'text', value: (r) => r.answeredByExtension },
  { name: 'assigned_user_id', type: 'integer', value: (r) => r.assignedUserId },
  { name: 'caller_company_id', type: 'integer', value: (r) => r.callerCompanyId },
  { name: 'recording_url', type: 'text', value: (r) => r.recordingUrl },
  { name: 'crm_call_id', type: 'text', value: (r) => r.crmCallId },
  { name: 'last_event_at', type: 'timestamptz', value: (r) => iso(r.lastEventAt) },
  { name: 'event_seq', type: 'integer', value: (r) => r.eventSeq },
];

/** Set once on insert: the tracker's own id may differ after a restart, the row keeps its first. */
const INSERT_ONLY = new Set(['pbx_id', 'linkedid', 'call_uid']);

interface KeyedTimelineRow extends CallTimelineRow {
  pbxId: string;
  linkedid: string;
}

const TIMELINE_COLUMNS: Column<KeyedTimelineRow>[] = [
  { name: 'pbx_id', type: 'text', value: (r) => r.pbxId },
  { name: 'linkedid', type: 'text', value: (r) => r.linkedid },
  { name: 'seq', type: 'integer', value: (r) => r.seq },
  { name: 'type', type: 'text', value: (r) => r.type },
  { name: 'occurred_at', type: 'timestamptz', value: (r) => iso(r.occurredAt) },
  { name: 'data', type: 'jsonb', value: (r) => JSON.stringify(r.data) },
  { name: 'dedupe_key', type: 'text', value: (r) => r.dedupeKey },
];

interface KeyedRecordingRow extends CallRecordingRow {
  pbxId: string;
  linkedid: string;
}

const RECORDING_COLUMNS: Column<KeyedRecordingRow>[] = [
  { name: 'pbx_id', type: 'text', value: (r) => r.pbxId },
  { name: 'linkedid', type: 'text', value: (r) => r.linkedid },
  { name: 'file_name', type: 'text', value: (r) => r.fileName },
  { name: 'path', type: 'text', value: (r) => r.path },
  { name: 'source', type: 'text', value: (r) => r.source },
  { name: 'started_at', type: 'timestamptz', value: (r) => iso(r.startedAt) },
  { name: 'stopped_at', type: 'timestamptz', value: (r) => iso(r.stoppedAt) },
];

/** The per-call view of a batch: the last state, every step in order, the last recordings list. */
export interface CollapsedCall {
  key: string;
  writes: CallWrite[];
  row: CallRow;
  recordings: CallRecordingRow[] | null;
}

export function collapseBatch(writes: CallWrite[]): CollapsedCall[] {
  const byKey = new Map<string, CollapsedCall>();
  for (const write of writes) {
    const current = byKey.get(write.key);
    if (!current) {
      byKey.set(write.key, { key: write.key, writes: [write], row: write.row, recordings: write.recordings });
      continue;
    }
    current.writes.push(write);
    current.row = write.row;
    if (write.recordings) current.recordings = write.recordings;
  }
  return [...byKey.values()];
}

export function buildCallBatchStatement(calls: CollapsedCall[]): SqlStatement {
  const values: unknown[] = [];
  const unnest = <R>(columns: Column<R>[], rows: R[], alias: string): string => {
    const args = columns.map((c) => {
      values.push(rows.map(c.value));
      return `$${values.length}::${c.type}[]`;
    });
    return `SELECT * FROM unnest(${args.join(', ')}) AS ${alias}(${columns.map((c) => c.name).join(', ')})`;
  };

  const timeline: KeyedTimelineRow[] = [];
  const recordings: KeyedRecordingRow[] = [];
  for (const call of calls) {
    const { pbxId, linkedid } = call.row;
    for (const w of call.writes) timeline.push({ ...w.timeline, pbxId, linkedid });
    for (const r of call.recordings ?? []) recordings.push({ ...r, pbxId, linkedid });
  }

  const callNames = CALL_COLUMNS.map((c) => c.name);
  const updates = callNames.filter((n) => !INSERT_ONLY.has(n)).map((n) => `${n} = EXCLUDED.${n}`);
  const text = `
WITH input AS (${unnest(CALL_COLUMNS, calls.map((c) => c.row), 'i')}),
old AS (
  SELECT c.id, c.pbx_id, c.linkedid, c.last_event_at, c.event_seq
  FROM calls c JOIN input i ON c.pbx_id = i.pbx_id AND c.linkedid = i.linkedid
),
up AS (
  INSERT INTO calls AS c (${callNames.join(', ')})
  SELECT ${callNames.join(', ')} FROM input
  ON CONFLICT (pbx_id, linkedid) DO UPDATE SET ${updates.join(', ')}, updated_at = now()
  WHERE c.ended_at IS NULL AND (c.last_event_at, c.event_seq) < (EXCLUDED.last_event_at, EXCLUDED.event_seq)
  RETURNING c.*
),
steps AS (${unnest(TIMELINE_COLUMNS, timeline, 's')}),
stored_steps AS (
  INSERT INTO call_events (call_id, type, occurred_at, data, dedupe_key)
  SELECT up.id, s.type, s.occurred_at, s.data, s.dedupe_key
  FROM steps s
  JOIN up ON up.pbx_id = s.pbx_id AND up.linkedid = s.linkedid
  LEFT JOIN old ON old.pbx_id = s.pbx_id AND old.linkedid = s.linkedid
  WHERE old.id IS NULL OR (s.occurred_at, s.seq) > (old.last_event_at, old.event_seq)
  ORDER BY up.id, s.seq
  ON CONFLICT (call_id, dedupe_key) DO NOTHING
  RETURNING call_id, dedupe_key
),
files AS (${unnest(RECORDING_COLUMNS, recordings, 'f')}),
stored_files AS (
  INSERT INTO recordings AS r (call_id, file_name, path, source, started_at, stopped_at)
  SELECT up.id, f.file_name, f.path, f.source, f.started_at, f.stopped_at
  FROM files f JOIN up ON up.pbx_id = f.pbx_id AND up.linkedid = f.linkedid
  ON CONFLICT (call_id, file_name) DO UPDATE
    SET path = COALESCE(EXCLUDED.path, r.path), stopped_at = COALESCE(EXCLUDED.stopped_at, r.stopped_at), updated_at = now()
    WHERE (r.path, r.stopped_at) IS DISTINCT FROM (COALESCE(EXCLUDED.path, r.path), COALESCE(EXCLUDED.stopped_at, r.stopped_at))
  RETURNING r.call_id
)
SELECT up.*,
  COALESCE((SELECT array_agg(k.dedupe_key) FROM stored_steps k WHERE k.call_id = up.id), '{}') AS stored_step_keys,
  (SELECT count(*) FROM stored_files sf WHERE sf.call_id = up.id)::int AS stored_files
FROM up`;
  return { text, values };
}
