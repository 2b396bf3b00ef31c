import type { SqlStatement } from '../../database';
import type { CdrCompletion } from '../cdr/cdr-completion';

/** A PBX's calls whose end was not observed, recent enough for their CDR to be looked up. */
export function unobservedCallsStatement(pbxId: string, limit: number): SqlStatement {
  return {
    text: `SELECT id::text, linkedid, answered_at IS NOT NULL AS answered, status FROM calls
           WHERE pbx_id = $1 AND end_source = 'unobserved' AND ended_at > now() - interval '7 days' ORDER BY id LIMIT $2`,
    values: [pbxId, limit],
  };
}

/**
 * Completes the calls from their CDR: end, answer (a stored one is kept), status, talk; the end
 * marked `cdr`; their `ended` step says so too. Only calls still unobserved are touched.
 */
export function completeFromCdrStatement(items: CdrCompletion[]): SqlStatement {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    text: `
WITH i AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::integer[]) AS i(id, ended_at, answered_at, status, talk)),
done AS (
  UPDATE calls c SET ended_at = i.ended_at, answered_at = COALESCE(c.answered_at, i.answered_at), status = i.status,
         talk_seconds = i.talk, duration = i.talk, end_source = 'cdr', event_seq = c.event_seq + 1, updated_at = now()
  FROM i WHERE c.id = i.id AND c.end_source = 'unobserved'
  RETURNING c.*
),
steps AS (
  UPDATE call_events e SET occurred_at = done.ended_at,
         data = e.data || jsonb_build_object('status', done.status, 'talkSeconds', done.talk_seconds, 'endSource', 'cdr')
  FROM done WHERE e.call_id = done.id AND e.type = 'ended'
)
SELECT * FROM done ORDER BY id`,
    values: [items.map((c) => c.id), items.map((c) => iso(c.endedAt)), items.map((c) => iso(c.answeredAt)), items.map((c) => c.status), items.map((c) => c.talkSeconds)],
  };
}
