import { UNANSWERED_CALL_STATUSES } from '@app/contracts';
import type { DataSource } from 'typeorm';
import { CALL_SELECT, type CallDbRow } from '../calls';
import { MISSED_LISTED, percentileCont, type StatsFigures, type StatsScope } from './stats-figures';
import type { GrainRange, PeriodPlan, Range } from './stats-periods';

/** Talk the stats count: none when the end was not observed (the call counts, its talk does not). */
const TALK = `CASE WHEN c.end_source = 'unobserved' THEN NULL ELSE c.talk_seconds END`;
const UNANSWERED = `(${UNANSWERED_CALL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Parameters of one statement, named as they are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
  /**
   * `table`'s rows (alias `r`, columns `columns`) whose grain and bucket fall in one of
   * `ranges`: one index range scan each, under `extra` conditions.
   */
  rows(table: string, columns: string, ranges: GrainRange[], extra = 'true'): string {
    return ranges
      .map(
        (range) =>
          `SELECT ${columns} FROM ${table} r WHERE ${extra} AND r.grain = '${range.grain}' AND r.bucket >= ${this.add(range.lo.toISOString(), 'timestamptz')} AND r.bucket < ${this.add(range.hi.toISOString(), 'timestamptz')}`,
      )
      .join('\n UNION ALL ');
  }
  /**
   * The ended calls started in one of `ranges` (under `extra`), as a FROM item named `c`: one
   * range scan each (an OR of ranges would make it a bitmap heap scan instead of an index-only
   * scan of ix_calls_ended_stats). Never empty: callers skip the raw part without ranges.
   */
  calls(ranges: Range[], extra = 'true'): string {
    const scans = ranges.map(
      (r) =>
        `SELECT c.* FROM calls c WHERE c.ended_at IS NOT NULL AND ${extra} AND c.started_at >= ${this.add(r.lo.toISOString(), 'timestamptz')} AND c.started_at < ${this.add(r.hi.toISOString(), 'timestamptz')}`,
    );
    return `(${scans.join(' UNION ALL ')}) c`;
  }
}

/**
 * The figures of a period from the rollups (migration CallStatsRollup1795658000000): whole
 * hours, days and months from their rows, the partial hours at the edges from `calls`, summed
 * the way the raw query sums calls so every number is the same. Four statements, side by side.
 * Returns null when the zone's offset is not a whole number of quarter hours at some instant
 * of the period (only historic local mean times): the quarter-hour rows cannot be split.
 */
export async function rollupStatsFigures(dataSource: DataSource, request: StatsScope, plan: PeriodPlan): Promise<StatsFigures | null> {
  const [sums, clock, seconds, missed] = await Promise.all([
    querySums(dataSource, request, plan),
    queryClock(dataSource, request, plan),
    querySeconds(dataSource, request, plan),
    queryMissed(dataSource, request),
  ]);
  if (clock.misaligned) return null;
  return {
    outcomes: sums.outcomes,
    ring: { average: sums.ringAverage, p90: seconds.ringP90 },
    talk: { average: sums.talkAverage, p90: seconds.talkP90, total: sums.talkTotal },
    perUser: sums.perUser,
    perHour: clock.per_hour ?? [],
    perDay: clock.per_day ?? [],
    missed,
  };
}

async function querySums(dataSource: DataSource, request: StatsScope, plan: PeriodPlan) {
  const p = new Params();
  const user = request.userId === undefined ? null : p.add(request.userId, 'integer');
  const raw = plan.raw.length
    ? `UNION ALL
       SELECT COALESCE(c.assigned_user_id, 0), c.status, c.direction, count(*), sum(c.ring_seconds), COALESCE(sum(${TALK}), 0), count(${TALK})
       FROM ${p.calls(plan.raw, user ? `c.assigned_user_id = ${user}` : 'true')}
       GROUP BY 1, 2, 3`
    : '';
  const answered = `g.status = 'answered'`;
  const [row] = await dataSource.query<
    Array<{
      outcomes: StatsFigures['outcomes'] | null;
      durations: { ring_avg: number | null; talk_avg: number | null; talk_total: number | null };
      per_user: StatsFigures['perUser'] | null;
    }>
  >(
    `WITH g AS MATERIALIZED (
       SELECT x.user_key, x.status, x.direction, sum(x.calls) AS calls, sum(x.ring_sum) AS ring_sum, sum(x.talk_sum) AS talk_sum, sum(x.talk_n) AS talk_n
       FROM (
         ${p.rows('call_stats_rollup', 'r.user_key, r.status, r.direction, r.calls::bigint, r.ring_sum, r.talk_sum, r.talk_n::bigint', plan.rollup, user ? `r.user_key = ${user}` : 'true')}
         ${raw}
       ) x
       GROUP BY 1, 2, 3
       HAVING sum(x.calls) > 0
     )
     SELECT
       (SELECT json_agg(t) FROM (SELECT status, direction, sum(calls)::int AS calls FROM g GROUP BY 1, 2) t) AS outcomes,
       (SELECT row_to_json(t) FROM (
          -- numeric / numeric, as avg(integer) divides: the same double comes out.
          SELECT (sum(g.ring_sum) / NULLIF(sum(g.calls), 0))::float8 AS ring_avg,
                 (sum(g.talk_sum) FILTER (WHERE ${answered}) / NULLIF(sum(g.talk_n) FILTER (WHERE ${answered}), 0))::float8 AS talk_avg,
                 (sum(g.talk_sum) FILTER (WHERE ${answered} AND g.talk_n > 0))::int AS talk_total
          FROM g) t) AS durations,
       (SELECT json_agg(t ORDER BY t.calls DESC, t.user_id) FROM (
          SELECT g.user_key AS user_id,
                 COALESCE(NULLIF(concat_ws(' ', u.first_name, u.last_name), ''), u.username) AS user_name,
                 sum(g.calls)::int AS calls,
                 COALESCE(sum(g.calls) FILTER (WHERE ${answered}), 0)::int AS answered,
                 COALESCE(sum(g.calls) FILTER (WHERE g.status IN ${UNANSWERED}), 0)::int AS unanswered,
                 COALESCE(sum(g.talk_sum) FILTER (WHERE ${answered}), 0)::int AS talk,
                 (sum(g.talk_sum) FILTER (WHERE ${answered}) / NULLIF(sum(g.talk_n) FILTER (WHERE ${answered}), 0))::float8 AS talk_avg
          FROM g LEFT JOIN users u ON u.id = g.user_key
          WHERE g.user_key <> 0
          GROUP BY g.user_key, u.username, u.first_name, u.last_name) t) AS per_user`,
    p.values,
  );
  return {
    outcomes: row.outcomes ?? [],
    perUser: row.per_user ?? [],
    ringAverage: row.durations.ring_avg,
    talkAverage: row.durations.talk_avg,
    talkTotal: row.durations.talk_total ?? 0,
  };
}

/** Calls and answered per local hour of day and per local day, from the quarter-hour rows. */
async function queryClock(dataSource: DataSource, request: StatsScope, plan: PeriodPlan) {
  const p = new Params();
  const tz = p.add(request.timeZone, 'text');
  const user = request.userId === undefined ? null : p.add(request.userId, 'integer');
  const raw = plan.raw.length
    ? `UNION ALL
       SELECT c.started_at AT TIME ZONE ${tz}, 1, CASE WHEN c.status = 'answered' THEN 1 ELSE 0 END, true
       FROM ${p.calls(plan.raw, user ? `c.assigned_user_id = ${user}` : 'true')}`
    : '';
  // A quarter hour maps into one local hour when the zone's offset is a whole number of quarter
  // hours (its UTC start then falls on a local quarter hour) and does not change inside it.
  const onQuarter = (local: string) => `extract(second FROM ${local}) = 0 AND extract(minute FROM ${local})::int % 15 = 0`;
  const [row] = await dataSource.query<
    Array<{ misaligned: boolean | null; per_hour: StatsFigures['perHour'] | null; per_day: StatsFigures['perDay'] | null }>
  >(
    `WITH q AS MATERIALIZED (
       SELECT date_trunc('hour', x.local) AS local, sum(x.calls) AS calls, sum(x.answered) AS answered, bool_and(x.aligned) AS aligned
       FROM (
         SELECT y.local, y.calls, y.answered, ${onQuarter('y.local')} AND y.local + interval '899.999999 seconds' = y.local_end AS aligned
         FROM (SELECT q.bucket AT TIME ZONE ${tz} AS local, (q.bucket + interval '899.999999 seconds') AT TIME ZONE ${tz} AS local_end, q.calls, q.answered
               FROM call_stats_quarters q
               WHERE q.user_key = ${user ?? '-1'} AND q.bucket >= ${p.add(plan.hours.lo.toISOString(), 'timestamptz')} AND q.bucket < ${p.add(plan.hours.hi.toISOString(), 'timestamptz')}) y
         ${raw}
       ) x
       GROUP BY 1
     )
     SELECT
       (SELECT NOT bool_and(aligned) FROM q) AS misaligned,
       (SELECT json_agg(t) FROM (
          SELECT extract(hour FROM local)::int AS hour, sum(calls)::int AS calls, sum(answered)::int AS answered
          FROM q GROUP BY 1 HAVING sum(calls) > 0) t) AS per_hour,
       (SELECT json_agg(t ORDER BY t.day) FROM (
          SELECT to_char(local, 'YYYY-MM-DD') AS day, sum(calls)::int AS calls, sum(answered)::int AS answered
          FROM q GROUP BY 1 HAVING sum(calls) > 0) t) AS per_day`,
    p.values,
  );
  return row;
}

/** The 90th percentiles of ring and talk time from the value histograms and the raw remainder. */
async function querySeconds(dataSource: DataSource, request: StatsScope, plan: PeriodPlan) {
  const p = new Params();
  const user = request.userId === undefined ? null : p.add(request.userId, 'integer');
  const { rows, raw } = plan.seconds;
  const parts: string[] = [];
  if (rows.length) {
    parts.push(p.rows('call_stats_seconds', 'r.kind, r.seconds, r.calls::bigint AS calls', rows, `r.user_key = ${user ?? '-1'}`));
  }
  if (raw.length) {
    parts.push(`SELECT k.kind, k.seconds, count(*) AS calls
      FROM ${p.calls(raw, user ? `c.assigned_user_id = ${user}` : 'true')}
      CROSS JOIN LATERAL (VALUES ('r', c.ring_seconds), ('t', CASE WHEN c.status = 'answered' THEN ${TALK} END)) k(kind, seconds)
      WHERE k.seconds IS NOT NULL
      GROUP BY 1, 2`);
  }
  const histogram = await dataSource.query<Array<{ kind: 'r' | 't'; seconds: number; calls: number }>>(
    `SELECT x.kind, x.seconds, sum(x.calls)::int AS calls FROM (${parts.join(' UNION ALL ')}) x GROUP BY 1, 2 HAVING sum(x.calls) > 0 ORDER BY 1, 2`,
    p.values,
  );
  return {
    ringP90: percentileCont(
      histogram.filter((h) => h.kind === 'r'),
      0.9,
    ),
    talkP90: percentileCont(
      histogram.filter((h) => h.kind === 't'),
      0.9,
    ),
  };
}

/** The open missed calls of the period: counted and the latest listed, from call_missed_open. */
async function queryMissed(dataSource: DataSource, request: StatsScope) {
  const p = new Params();
  const where = [
    `m.started_at >= ${p.add(request.from.toISOString(), 'timestamptz')}`,
    `m.started_at < ${p.add(request.to.toISOString(), 'timestamptz')}`,
    ...(request.userId === undefined ? [] : [`m.assigned_user_id = ${p.add(request.userId, 'integer')}`]),
  ].join(' AND ');
  return dataSource.query<Array<CallDbRow & { total: number }>>(
    `SELECT ${CALL_SELECT}, (SELECT count(*) FROM call_missed_open m WHERE ${where})::int AS total
     FROM (SELECT m.id, m.started_at FROM call_missed_open m WHERE ${where} ORDER BY m.started_at DESC, m.id DESC LIMIT ${MISSED_LISTED}) listed
     JOIN calls c ON c.id = listed.id AND c.started_at = listed.started_at
     LEFT JOIN users u ON u.id = c.assigned_user_id
     LEFT JOIN companies co ON co.id = c.caller_company_id
     ORDER BY c.started_at DESC, c.id DESC`,
    p.values,
  );
}
