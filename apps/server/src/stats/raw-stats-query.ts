import { UNANSWERED_CALL_STATUSES } from '@app/contracts';
import type { DataSource } from 'typeorm';
import { CALL_FROM, CALL_SELECT, filterConditions, type CallDbRow } from '../calls';
import { MISSED_LISTED, type StatsFigures, type StatsScope } from './stats-figures';

interface Durations {
  ring_avg: number | null;
  ring_p90: number | null;
  talk_avg: number | null;
  talk_p90: number | null;
  talk_total: number | null;
}

/**
 * The figures of a period read from `calls` itself: the definition the rollups must equal
 * (test/stats-rollup.e2e-spec.ts compares them), and what a period shorter than the rollups'
 * whole hours is read from.
 */
export async function rawStatsFigures(dataSource: DataSource, request: StatsScope): Promise<StatsFigures> {
  const values: unknown[] = [];
  const where = [...filterConditions({ from: request.from, to: request.to, userId: request.userId }, values), 'c.ended_at IS NOT NULL'].join(' AND ');
  const q = <T>(sql: string, extra: unknown[] = []) => dataSource.query<T[]>(sql, [...values, ...extra]);
  const tz = `$${values.length + 1}`;
  const answered = `p.status = 'answered'`;
  const unanswered = (alias: string) => `${alias}.status IN (${UNANSWERED_CALL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

  // The period is read once (an index-only scan of ix_calls_ended_stats) and every
  // aggregate runs over that in-memory copy, in one statement.
  const [[aggregates], missed] = await Promise.all([
    q<{
      outcomes: StatsFigures['outcomes'] | null;
      durations: Durations;
      per_user: StatsFigures['perUser'] | null;
      per_hour: StatsFigures['perHour'] | null;
      per_day: StatsFigures['perDay'] | null;
    }>(
      `WITH p AS MATERIALIZED (
         SELECT c.status, c.direction, c.assigned_user_id, c.ring_seconds,
                -- An unobserved end leaves the talk unknown: the call counts, its talk does not.
                CASE WHEN c.end_source = 'unobserved' THEN NULL ELSE c.talk_seconds END AS talk_seconds,
                c.started_at AT TIME ZONE ${tz} AS local
         FROM calls c WHERE ${where}
       )
       SELECT
         (SELECT json_agg(t) FROM (SELECT status, direction, count(*)::int AS calls FROM p GROUP BY 1, 2) t) AS outcomes,
         (SELECT row_to_json(t) FROM (
            SELECT avg(ring_seconds)::float8 AS ring_avg,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY ring_seconds) AS ring_p90,
                   (avg(talk_seconds) FILTER (WHERE ${answered}))::float8 AS talk_avg,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY talk_seconds) FILTER (WHERE ${answered}) AS talk_p90,
                   (sum(talk_seconds) FILTER (WHERE ${answered}))::int AS talk_total
            FROM p) t) AS durations,
         (SELECT json_agg(t ORDER BY t.calls DESC, t.user_id) FROM (
            SELECT p.assigned_user_id AS user_id,
                   COALESCE(NULLIF(concat_ws(' ', u.first_name, u.last_name), ''), u.username) AS user_name,
                   count(*)::int AS calls,
                   (count(*) FILTER (WHERE ${answered}))::int AS answered,
                   (count(*) FILTER (WHERE ${unanswered('p')}))::int AS unanswered,
                   (COALESCE(sum(p.talk_seconds) FILTER (WHERE ${answered}), 0))::int AS talk,
                   (avg(p.talk_seconds) FILTER (WHERE ${answered}))::float8 AS talk_avg
            FROM p LEFT JOIN users u ON u.id = p.assigned_user_id
            WHERE p.assigned_user_id IS NOT NULL
            GROUP BY p.assigned_user_id, u.username, u.first_name, u.last_name) t) AS per_user,
         (SELECT json_agg(t) FROM (
            SELECT extract(hour FROM local)::int AS hour, count(*)::int AS calls, (count(*) FILTER (WHERE ${answered}))::int AS answered
            FROM p GROUP BY 1) t) AS per_hour,
         (SELECT json_agg(t ORDER BY t.day) FROM (
            SELECT to_char(local, 'YYYY-MM-DD') AS day, count(*)::int AS calls, (count(*) FILTER (WHERE ${answered}))::int AS answered
            FROM p GROUP BY 1) t) AS per_day`,
      [request.timeZone],
    ),
    // Per number the missed calls came from, its latest answered call (one index probe each):
    // a missed call is open while no answered call to or from its number came later.
    q<CallDbRow & { total: number }>(
      `WITH missed AS MATERIALIZED (
         SELECT c.id, c.external_number, c.started_at FROM calls c
         WHERE ${where} AND c.direction = 'inbound' AND ${unanswered('c')} AND c.external_number IS NOT NULL
       ),
       last_answered AS MATERIALIZED (
         SELECT n.external_number,
                (SELECT max(cb.started_at) FROM calls cb WHERE cb.external_number = n.external_number AND cb.status = 'answered') AS at
         FROM (SELECT DISTINCT external_number FROM missed) n
       ),
       open_missed AS MATERIALIZED (
         SELECT m.id, m.started_at FROM missed m JOIN last_answered a USING (external_number)
         WHERE a.at IS NULL OR a.at <= m.started_at
       )
       SELECT ${CALL_SELECT}, (SELECT count(*) FROM open_missed)::int AS total ${CALL_FROM}
       WHERE c.id IN (SELECT id FROM open_missed ORDER BY started_at DESC, id DESC LIMIT ${MISSED_LISTED})
       ORDER BY c.started_at DESC, c.id DESC`,
    ),
  ]);
  const { durations } = aggregates;
  return {
    outcomes: aggregates.outcomes ?? [],
    ring: { average: durations.ring_avg, p90: durations.ring_p90 },
    talk: { average: durations.talk_avg, p90: durations.talk_p90, total: durations.talk_total ?? 0 },
    perUser: aggregates.per_user ?? [],
    perHour: aggregates.per_hour ?? [],
    perDay: aggregates.per_day ?? [],
    missed,
  };
}
