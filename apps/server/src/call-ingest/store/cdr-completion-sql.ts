import type { SqlStatement } from '../../database';
import type { CdrCompletion } from '../cdr/cdr-completion';

/** A PBX's calls whose end was not observed, recent enough for their CDR to be looked up. */
export function unobservedCallsStatement(pbxId: string, limit: number): SqlStatement {
  return {
    text: `SELECT c.id::text, c.linkedid, c.answered_at IS NOT NULL AS answered, c.status, c.ended_at AS "endedAt",
             EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND e.type = 'ended' AND e.data->>'callerUnseen' = 'true') AS "callerUnseen"
           FROM calls c
           WHERE c.pbx_id = $1 AND c.end_source = 'unobserved' AND c.ended_at > now() - interval '7 days' ORDER BY c.id LIMIT $2`,
    values: [pbxId, limit],
  };
}

/**
 * A call picked up without its caller (an `identity` given) that this same ingest inserted: what
 * its row says about the caller, the direction, the start and the answer was a guess from the
 * listing. One another ingest inserted keeps what that one stored (it saw the call from its start).
 */
const GUESSED = `i.rebuilt AND c.first_writer IS NOT DISTINCT FROM c.writer`;

/**
 * Completes the calls from their CDR: end, answer (a stored one is kept), status, talk; the end
 * marked `cdr`; their `ended` step says so too. Only calls still unobserved are touched. A call
 * whose caller and start were guessed takes them from the CDR, with the direction, and the
 * earlier of the two answers.
 */
export function completeFromCdrStatement(items: CdrCompletion[]): SqlStatement {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const who = <K extends keyof NonNullable<CdrCompletion['identity']>>(key: K) => items.map((c) => c.identity?.[key] ?? null);
  return {
    text: `
WITH i AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::integer[], $6::boolean[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::integer[], $14::timestamptz[])
  AS i(id, ended_at, answered_at, status, talk, rebuilt, direction, caller_number, caller_name, receiver_number, did, external_number, caller_company_id, started_at)),
done AS (
  UPDATE calls c SET ended_at = i.ended_at,
         answered_at = CASE WHEN ${GUESSED} THEN LEAST(c.answered_at, i.answered_at) ELSE COALESCE(c.answered_at, i.answered_at) END,
         status = i.status, talk_seconds = i.talk, duration = i.talk, end_source = 'cdr', event_seq = c.event_seq + 1, updated_at = now(),
         direction = CASE WHEN ${GUESSED} THEN i.direction ELSE c.direction END,
         caller_number = CASE WHEN ${GUESSED} THEN i.caller_number ELSE c.caller_number END,
         caller_name = CASE WHEN ${GUESSED} THEN i.caller_name ELSE c.caller_name END,
         receiver_number = CASE WHEN ${GUESSED} THEN i.receiver_number ELSE c.receiver_number END,
         did = CASE WHEN ${GUESSED} THEN i.did ELSE c.did END,
         external_number = CASE WHEN ${GUESSED} THEN i.external_number ELSE c.external_number END,
         caller_company_id = CASE WHEN ${GUESSED} THEN (SELECT co.id FROM companies co WHERE co.id = i.caller_company_id) ELSE c.caller_company_id END,
         started_at = CASE WHEN ${GUESSED} THEN LEAST(c.started_at, i.started_at) ELSE c.started_at END
  FROM i WHERE c.id = i.id AND c.end_source = 'unobserved'
  RETURNING c.*
),
steps AS (
  UPDATE call_events e SET occurred_at = done.ended_at,
         data = e.data || jsonb_build_object('status', done.status, 'talkSeconds', done.talk_seconds, 'endSource', 'cdr')
  FROM done WHERE e.call_id = done.id AND e.type = 'ended'
)
SELECT * FROM done ORDER BY id`,
    values: [
      items.map((c) => c.id),
      items.map((c) => iso(c.endedAt)),
      items.map((c) => iso(c.answeredAt)),
      items.map((c) => c.status),
      items.map((c) => c.talkSeconds),
      items.map((c) => c.identity !== null),
      who('direction'),
      who('caller_number'),
      who('caller_name'),
      who('receiver_number'),
      who('did'),
      who('external_number'),
      who('caller_company_id'),
      items.map((c) => (c.identity ? c.identity.started_at.toISOString() : null)),
    ],
  };
}
