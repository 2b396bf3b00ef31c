import type { SqlStatement } from '../../database';
import type { CallRow, CallTimelineRow, CallWrite } from './call-write';

/**
 * One SQL statement that applies a batch of call writes, idempotently.
 *
 * Each column travels as one array parameter through `unnest`, so the statement
 * text (and its plan) is the same for 1 or 5,000 calls and never nears the bind
 * parameter limit. Per call the batch keeps only its latest state (a statement may
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
  crm_call_id: 'text',
  participant_user_ids: 'text',
  last_event_at: 'timestamptz',
  event_seq: 'integer',
  writer: 'text',
  end_source: 'text',
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
const INPUT_COLUMNS: Column<CollapsedCall>[] = [
  ...CALL_COLUMNS.map((c) => ({ ...c, value: (call: CollapsedCall) => c.value(call.row) })),
  { name: 'first_seq', type: 'integer', value: (call) => call.writes[0].row.event_seq },
];

/** Set once on insert: the tracker's own id may differ after a restart, the row keeps its first. */
const INSERT_ONLY = new Set(['pbx_id', 'linkedid', 'call_uid', 'first_writer']);

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
  const values: unknown[] = [];
  /** The array parameter of an input column (after the input's unnest). */
  const param = (name: string): string => {
    const i = INPUT_COLUMNS.findIndex((c) => c.name === name);
    return `$${i + 1}::${INPUT_COLUMNS[i].type}[]`;
  };
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
  const written = [...callNames, 'first_writer', 'seq_base'];
  const updates = written.filter((n) => !INSERT_ONLY.has(n)).map((n) => `${n} = p.${n}`);
  const text = `
WITH input AS (${unnest(INPUT_COLUMNS, calls, 'i')}),
old AS (
  SELECT c.* FROM input i
  JOIN call_keys k ON k.pbx_id = i.pbx_id AND k.linkedid = i.linkedid
  JOIN calls c ON c.id = k.id AND c.started_at = k.started_at
  -- The keys named outright: found through the unique index whatever the planner guesses of the
  -- batch's size (a generic plan's guess), never by a scan of call_keys growing with the table.
  WHERE k.pbx_id = ANY(${param('pbx_id')}) AND k.linkedid = ANY(${param('linkedid')})
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
-- A new call's key comes from the insert trigger; a call another writer inserts at the same
-- moment fails this statement on the key's uniqueness, and the retry sees it stored.
inserted AS (
  INSERT INTO calls AS c (${written.join(', ')})
  SELECT ${written.join(', ')} FROM prepared WHERE old_id IS NULL
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
steps AS (${unnest(TIMELINE_COLUMNS, timeline, 's')}),
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
  return { text, values };
}
