import type { SqlStatement } from '../../database';
import type { CallRow, CallTimelineRow, CallWrite } from './call-write';

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
interface Column<R> {
  name: string;
  type: string;
  value: (row: R) => unknown;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The `calls` columns the ingest writes, with their SQL types; values are read from the row by name. */
const CALL_COLUMN_TYPES: Record<keyof CallRow, string> = {
  pbx_id: 'text',
  linkedid: 'text',
  call_uid: 'text',
  direction: 'text',
  status: 'text',
  caller_number: 'text',
  caller_name: 'text',
  receiver_number: 'text',
  did: 'text',
  external_number: 'text',
  started_at: 'timestamptz',
  answered_at: 'timestamptz',
  ended_at: 'timestamptz',
  ring_seconds: 'integer',
  talk_seconds: 'integer',
  hold_seconds: 'integer',
  duration: 'integer',
  hangup_cause: 'integer',
  hangup_by: 'text',
  answered_by_extension: 'text',
  assigned_user_id: 'integer',
  caller_company_id: 'integer',
  recording_url: 'text',
  crm_call_id: 'text',
  participant_user_ids: 'text',
  last_event_at: 'timestamptz',
  event_seq: 'integer',
};

const CALL_COLUMNS: Column<CallRow>[] = (Object.keys(CALL_COLUMN_TYPES) as (keyof CallRow)[]).map((name) => {
  const type = CALL_COLUMN_TYPES[name];
  if (name === 'participant_user_ids') {
    // unnest cannot take an array of arrays of different lengths: each list travels as its `{1,2}` text.
    return { name, type, value: (r) => `{${r.participant_user_ids.join(',')}}` };
  }
  if (type === 'timestamptz') return { name, type, value: (r) => (r[name] === null ? null : (r[name] as Date).toISOString()) };
  return { name, type, value: (r) => r[name] };
});

/**
 * The user and company ids come from the ingest's in-memory directory, which may still name
 * one deleted a moment ago: such a reference is stored as null (the call is always kept), as
 * the foreign keys' ON DELETE SET NULL would have made it.
 */
const INSERTED_VALUE: Partial<Record<string, string>> = {
  assigned_user_id: `(SELECT u.id FROM users u WHERE u.id = input.assigned_user_id)`,
  caller_company_id: `(SELECT co.id FROM companies co WHERE co.id = input.caller_company_id)`,
  participant_user_ids: `ARRAY(SELECT u.id FROM users u WHERE u.id = ANY(input.participant_user_ids::integer[]) ORDER BY u.id)`,
};

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

/** The per-call view of a batch: the last state and every step in order. */
export interface CollapsedCall {
  key: string;
  writes: CallWrite[];
  row: CallRow;
}

export function collapseBatch(writes: CallWrite[]): CollapsedCall[] {
  const byKey = new Map<string, CollapsedCall>();
  for (const write of writes) {
    const current = byKey.get(write.key);
    if (!current) {
      byKey.set(write.key, { key: write.key, writes: [write], row: write.row });
      continue;
    }
    current.writes.push(write);
    current.row = write.row;
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
  for (const call of calls) {
    const { pbx_id: pbxId, linkedid } = call.row;
    for (const w of call.writes) timeline.push({ ...w.timeline, pbxId, linkedid });
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
  SELECT ${callNames.map((n) => INSERTED_VALUE[n] ?? n).join(', ')} FROM input
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
)
SELECT up.*,
  COALESCE((SELECT array_agg(k.dedupe_key) FROM stored_steps k WHERE k.call_id = up.id), '{}') AS stored_step_keys
FROM up`;
  return { text, values };
}
