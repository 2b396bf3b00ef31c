import type { SqlStatement } from '../../database';
import type { CallRow, CallTimelineRow, CallWrite } from './call-write';

/**
 * One SQL statement that applies a batch of call writes, idempotently.
 *
 * The calls and the steps each travel as one JSON parameter read by `json_to_recordset`
 * (plus the calls' keys as two arrays, to find them by index), so the statement text (and
 * its plan) is the same for 1 or 5,000 calls and never nears the bind parameter limit, and
 * the batch is serialised by one JSON.stringify (each column an array of escaped text
 * elements cost the ingest more than anything else it did per step). Per call the batch keeps only its latest state (a statement may
 * write a row once) but every timeline step. A stored call is found through
 * `call_keys` by (pbx_id, linkedid), its row then by (id, started_at) in its month's
 * partition; a new one is inserted, a stored one updated (moving to another month
 * when its start was corrected).
 *
 * Idempotence: a call row is only updated by a newer state — (last_event_at,
 * event_seq) must grow — and never once it has ended, so a replayed stream, a
 * late duplicate or a second delivery cannot move a call back. A timeline step is
 * stored only when its call's write applied and the step is newer than what was
 * stored before the statement (the `old` CTE sees the pre-statement snapshot);
 * the per-call dedupe key catches the rest. The statement returns the rows it
 * changed (their keys, and the whole row where a recovery merged it) and, per row,
 * the dedupe keys of the steps it stored, so the caller announces exactly what
 * happened, once.
 */

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
  crm_call_id: 'text',
  participant_user_ids: 'integer[]',
  last_event_at: 'timestamptz',
  event_seq: 'integer',
  writer: 'text',
  end_source: 'text',
};

/** The calls' columns as the row objects name them (JSON.stringify writes their Dates as ISO-8601). */
const CALL_COLUMNS = Object.entries(CALL_COLUMN_TYPES).map(([name, type]) => ({ name, type }));

/**
 * Each column's value as written, from `i` (the batch's latest state of the call) and `o` (the
 * row as stored before the statement; all null for a new call). `rec` is true when another
 * ingest process inserted the row: this process rebuilt the call from the PBX's channel
 * listing (a restart, a hand-over), knows it only from then on, and in whole seconds. What
 * the database already knows is kept: start, answer, ring time, parties, direction; a call
 * once answered stays answered; talk is counted from the stored answer.
 *
 * The user and company ids come from the ingest's in-memory directory, which may still name
 * one deleted a moment ago: such a reference is stored as null (the call is always kept), as
 * the foreign keys' ON DELETE SET NULL would have made it.
 */
const KEPT = (name: string) => `CASE WHEN rec THEN COALESCE(o.${name}, i.${name}) ELSE i.${name} END`;
const KEPT_TEXT = (name: string) => `CASE WHEN rec THEN COALESCE(NULLIF(o.${name}, ''), i.${name}) ELSE i.${name} END`;
const ANSWERED_AT = KEPT('answered_at');
const HOLD = `CASE WHEN rec THEN GREATEST(o.hold_seconds, i.hold_seconds) ELSE i.hold_seconds END`;
const TALK = `CASE WHEN rec AND o.answered_at IS NOT NULL
  THEN GREATEST(0, round(extract(epoch FROM COALESCE(i.ended_at, i.last_event_at) - o.answered_at))::integer - ${HOLD})
  ELSE i.talk_seconds END`;
const MERGED_VALUE: Partial<Record<string, string>> = {
  direction: `CASE WHEN rec THEN o.direction ELSE i.direction END`,
  status: `CASE WHEN ${ANSWERED_AT} IS NOT NULL AND i.status NOT IN ('answered', 'on_hold') THEN 'answered' ELSE i.status END`,
  caller_number: KEPT_TEXT('caller_number'),
  caller_name: KEPT('caller_name'),
  receiver_number: KEPT_TEXT('receiver_number'),
  did: KEPT('did'),
  external_number: KEPT('external_number'),
  started_at: KEPT('started_at'),
  answered_at: ANSWERED_AT,
  ring_seconds: `CASE WHEN rec AND o.answered_at IS NOT NULL THEN o.ring_seconds WHEN rec THEN GREATEST(o.ring_seconds, i.ring_seconds) ELSE i.ring_seconds END`,
  talk_seconds: TALK,
  hold_seconds: HOLD,
  duration: TALK,
  answered_by_extension: KEPT('answered_by_extension'),
  assigned_user_id: `(SELECT u.id FROM users u WHERE u.id = COALESCE(i.assigned_user_id, CASE WHEN rec THEN o.assigned_user_id END))`,
  caller_company_id: `(SELECT co.id FROM companies co WHERE co.id = ${KEPT('caller_company_id')})`,
  crm_call_id: KEPT('crm_call_id'),
  participant_user_ids: `ARRAY(SELECT u.id FROM users u
    WHERE u.id = ANY(i.participant_user_ids::integer[]) OR (rec AND u.id = ANY(o.participant_user_ids)) ORDER BY u.id)`,
  // A new writer goes on from the stored sequence; the same writer adds the base it set.
  event_seq: `i.event_seq + i.seq_base`,
};

/** The batch's input: each call's latest row, and the step counter of its first write in the batch. */
const INPUT_COLUMNS = [...CALL_COLUMNS, { name: 'first_seq', type: 'integer' }];

/** Set once on insert: the tracker's own id may differ after a restart, the row keeps its first. */
const INSERT_ONLY = new Set(['pbx_id', 'linkedid', 'call_uid', 'first_writer']);

/** A timeline step as the statement reads it. */
interface StepInput {
  pbx_id: string;
  linkedid: string;
  seq: number;
  type: CallTimelineRow['type'];
  occurred_at: string;
  data: CallTimelineRow['data'];
  dedupe_key: string;
}

const STEP_COLUMNS: Array<{ name: keyof StepInput; type: string }> = [
  { name: 'pbx_id', type: 'text' },
  { name: 'linkedid', type: 'text' },
  { name: 'seq', type: 'integer' },
  { name: 'type', type: 'text' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'data', type: 'jsonb' },
  { name: 'dedupe_key', type: 'text' },
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

/**
 * A step a rebuilt call announces again: the recovery's own "ringing", and a ring, answer or
 * recording step the timeline already has for the same extension or file (the rebuilt call
 * states them anew, with the snapshot's time and sometimes another recording source).
 */
const RECOVERED_REPEAT = `(s.type = 'ringing' AND s.data->>'extension' IS NULL OR EXISTS (
    SELECT 1 FROM call_events e WHERE e.call_id = up.id AND e.type = s.type AND CASE
      WHEN s.type IN ('ringing', 'answered') THEN e.data->>'extension' IS NOT DISTINCT FROM s.data->>'extension'
      WHEN s.type IN ('recording_started', 'recording_stopped') THEN e.data->>'file' = s.data->>'file'
      ELSE false END))`;

export function buildCallBatchStatement(calls: CollapsedCall[]): SqlStatement {
  const input: Array<CallRow & { first_seq: number }> = [];
  const steps: StepInput[] = [];
  for (const call of calls) {
    const { pbx_id, linkedid } = call.row;
    input.push({ ...call.row, first_seq: call.writes[0].row.event_seq });
    for (const { timeline: t } of call.writes) {
      steps.push({ pbx_id, linkedid, seq: t.seq, type: t.type, occurred_at: new Date(t.occurredAt).toISOString(), data: t.data, dedupe_key: t.dedupeKey });
    }
  }
  return { text: BATCH_TEXT, values: [JSON.stringify(input), JSON.stringify(steps)] };
}

/** The statement's text: the same for every batch (built once). */
const BATCH_TEXT = ((): string => {
  const recordset = (param: string, columns: Array<{ name: string; type: string }>, alias: string): string =>
    `SELECT * FROM json_to_recordset(${param}::json) AS ${alias}(${columns.map((c) => `${c.name} ${c.type}`).join(', ')})`;
  const callNames = CALL_COLUMNS.map((c) => c.name);
  const written = [...callNames, 'first_writer', 'seq_base'];
  const updates = written.filter((n) => !INSERT_ONLY.has(n)).map((n) => `${n} = p.${n}`);
  const text = `
WITH input AS (${recordset('$1', INPUT_COLUMNS, 'i')}),
old AS (
  SELECT c.* FROM input i
  -- Each key looked up in the unique index (a LATERAL behind OFFSET 0: the planner cannot make
  -- it a join of its choosing), whatever it guesses of the batch's size or the table's, never a
  -- scan of call_keys growing with the table. (Two arrays of the batch's PBXs and Linkedids, as
  -- before, let a generic plan look up the PBX only and filter every call of it by Linkedid.)
  CROSS JOIN LATERAL (SELECT k.id, k.started_at FROM call_keys k WHERE k.pbx_id = i.pbx_id AND k.linkedid = i.linkedid OFFSET 0) k
  JOIN calls c ON c.id = k.id AND c.started_at = k.started_at
),
based AS (
  SELECT i.*, o.id AS old_id, o.started_at AS old_started_at,
    o.id IS NOT NULL AND o.first_writer IS DISTINCT FROM i.writer AS rec,
    CASE WHEN o.id IS NULL THEN 0
         WHEN o.writer IS DISTINCT FROM i.writer THEN o.event_seq + 1 - i.first_seq
         ELSE o.seq_base END AS seq_base
  FROM input i
  LEFT JOIN old o ON o.pbx_id = i.pbx_id AND o.linkedid = i.linkedid
),
prepared AS (
  SELECT ${callNames.map((n) => `${MERGED_VALUE[n] ?? `i.${n}`} AS ${n}`).join(',\n    ')},
    CASE WHEN i.old_id IS NULL THEN i.writer END AS first_writer, i.seq_base, i.old_id, i.old_started_at
  FROM based i LEFT JOIN old o ON o.id = i.old_id
),
-- A new call's key is inserted here, all the batch's at once (calls_key_insert, the trigger that
-- gives a row written without an id its key, cost a statement per call); a call another writer
-- inserts at the same moment fails this statement on the key's uniqueness, and the retry sees it
-- stored.
new_keys AS (
  INSERT INTO call_keys (pbx_id, linkedid, started_at)
  SELECT pbx_id, linkedid, started_at FROM prepared WHERE old_id IS NULL
  RETURNING id, pbx_id, linkedid
),
inserted AS (
  INSERT INTO calls AS c (id, ${written.join(', ')})
  SELECT k.id, ${written.map((n) => `p.${n}`).join(', ')}
  FROM prepared p JOIN new_keys k ON k.pbx_id = p.pbx_id AND k.linkedid = p.linkedid
  RETURNING c.*, false AS recovered
),
updated AS (
  UPDATE calls c SET ${updates.join(', ')}, updated_at = now()
  FROM prepared p
  WHERE c.id = p.old_id AND c.started_at = p.old_started_at
    -- Likewise the rows to update: through each partition's primary key, not a scan of the month.
    AND c.id = ANY(ARRAY(SELECT old_id FROM prepared WHERE old_id IS NOT NULL))
    AND c.started_at = ANY(ARRAY(SELECT old_started_at FROM prepared WHERE old_id IS NOT NULL))
    AND c.ended_at IS NULL AND (c.last_event_at, c.event_seq) < (p.last_event_at, p.event_seq)
  RETURNING c.*, c.first_writer IS DISTINCT FROM c.writer AS recovered
),
up AS (SELECT * FROM inserted UNION ALL SELECT * FROM updated),
steps AS (${recordset('$2', STEP_COLUMNS, 's')}),
stored_steps AS (
  INSERT INTO call_events (call_id, type, occurred_at, data, dedupe_key)
  SELECT up.id, s.type, s.occurred_at, s.data, s.dedupe_key
  FROM steps s
  JOIN up ON up.pbx_id = s.pbx_id AND up.linkedid = s.linkedid
  LEFT JOIN old ON old.pbx_id = s.pbx_id AND old.linkedid = s.linkedid
  WHERE (old.id IS NULL OR (s.occurred_at, s.seq + up.seq_base) > (old.last_event_at, old.event_seq))
    AND NOT (up.recovered AND ${RECOVERED_REPEAT})
  ORDER BY up.id, s.seq
  ON CONFLICT (call_id, dedupe_key) DO NOTHING
  RETURNING call_id, dedupe_key
)
SELECT up.id, up.pbx_id, up.linkedid, up.seq_base, up.recording_url,
  -- The whole row only where it is not the writes' own (a merged recovery): less to send and parse.
  CASE WHEN up.recovered THEN row_to_json(up) END AS merged,
  COALESCE(k.keys, '{}') AS stored_step_keys
FROM up LEFT JOIN (SELECT call_id, array_agg(dedupe_key) AS keys FROM stored_steps GROUP BY call_id) k ON k.call_id = up.id`;
  return text;
})();
