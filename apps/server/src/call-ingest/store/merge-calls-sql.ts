import type { SqlStatement } from '../../database';
import type { CallMerge } from './call-store';

/** The (from, into) row ids of the merges whose rows both exist. */
const MOVES = `
  SELECT src.id AS src_id, dst.id AS dst_id
  FROM unnest($1::text[], $2::text[], $3::text[]) AS p(pbx_id, from_linkedid, into_linkedid)
  JOIN call_keys src ON src.pbx_id = p.pbx_id AND src.linkedid = p.from_linkedid
  JOIN call_keys dst ON dst.pbx_id = p.pbx_id AND dst.linkedid = p.into_linkedid
  WHERE src.id <> dst.id`;

/**
 * The statements of CallStore.merge, to run in one transaction in this order: steps (but the
 * merged leg's own end, which means nothing on its own) and recordings move to the call joined,
 * skipping what it already has; then the leg's key goes, and its row and end step with it.
 */
export function mergeCallsStatements(merges: CallMerge[]): SqlStatement[] {
  const values = [merges.map((m) => m.pbxId), merges.map((m) => m.from), merges.map((m) => m.into)];
  return [
    {
      text: `WITH moves AS (${MOVES})
UPDATE call_events e SET call_id = m.dst_id FROM moves m
WHERE e.call_id = m.src_id AND e.type <> 'ended'
  AND NOT EXISTS (SELECT 1 FROM call_events d WHERE d.call_id = m.dst_id AND d.dedupe_key = e.dedupe_key)`,
      values,
    },
    {
      text: `WITH moves AS (${MOVES})
UPDATE recordings r SET call_id = m.dst_id FROM moves m
WHERE r.call_id = m.src_id AND NOT EXISTS (SELECT 1 FROM recordings d WHERE d.call_id = m.dst_id AND d.file_name = r.file_name)`,
      values,
    },
    { text: `WITH moves AS (${MOVES}) DELETE FROM call_keys k USING moves m WHERE k.id = m.src_id`, values },
  ];
}
