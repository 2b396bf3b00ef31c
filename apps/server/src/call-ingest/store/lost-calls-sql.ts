import type { SqlStatement } from '../../database';

/** Open rows of the PBX written before the listing was asked for (database clock) and not live. */
const UNREACHED = `c.pbx_id = $1 AND c.ended_at IS NULL AND c.updated_at < $3::timestamptz AND NOT (c.linkedid = ANY($2::text[]))`;

/** The open calls of a PBX with the process that wrote each last (see CallStore.openCalls). */
export function openCallsStatement(pbxId: string): SqlStatement {
  return { text: `SELECT linkedid, writer FROM calls WHERE pbx_id = $1 AND ended_at IS NULL`, values: [pbxId] };
}

/** The recordings started in the timelines of a PBX's open calls (see CallStore.openCallRecordings). */
export function openCallRecordingsStatement(pbxId: string): SqlStatement {
  return {
    text: `SELECT DISTINCT ON (e.data->>'file') e.data->>'file' AS file, e.data->>'path' AS path, e.data->>'source' AS source
      FROM calls c JOIN call_events e ON e.call_id = c.id
      WHERE c.pbx_id = $1 AND c.ended_at IS NULL AND e.type = 'recording_started'
      ORDER BY e.data->>'file', e.id`,
    values: [pbxId],
  };
}

/** The open calls of a PBX that the PBX no longer has (see CallStore.closeLost). */
export function findLostCallsStatement(pbxId: string, live: string[], before: string): SqlStatement {
  return { text: `SELECT c.* FROM calls c WHERE ${UNREACHED} ORDER BY c.id`, values: [pbxId, live, before] };
}

/**
 * Ends them as of their last known event: answered if they had been answered, else missed;
 * hung up by the system; the end not observed (`end_source`: the talk is unknown, the columns
 * keep the talk seen so far); one `ended` timeline step marked `lost`.
 */
export function closeLostCallsStatement(pbxId: string, live: string[], before: string): SqlStatement {
  return {
    text: `
WITH lost AS (
  UPDATE calls c SET
    status = CASE WHEN c.answered_at IS NOT NULL THEN 'answered' ELSE 'missed' END,
    ended_at = GREATEST(c.started_at, c.last_event_at),
    hangup_by = 'system',
    end_source = 'unobserved',
    event_seq = c.event_seq + 1,
    updated_at = now()
  WHERE ${UNREACHED}
  RETURNING c.*
),
steps AS (
  INSERT INTO call_events (call_id, type, occurred_at, data, dedupe_key)
  SELECT id, 'ended', ended_at,
         jsonb_build_object('status', status, 'hangupBy', 'system', 'hangupCause', hangup_cause, 'ringSeconds', ring_seconds,
                            'talkSeconds', NULL, 'holdSeconds', hold_seconds, 'agents', '[]'::jsonb, 'lost', true),
         'ended:lost'
  FROM lost
  ON CONFLICT (call_id, dedupe_key) DO NOTHING
)
SELECT * FROM lost ORDER BY id`,
    values: [pbxId, live, before],
  };
}
