import { UNANSWERED_CALL_STATUSES } from '@app/contracts';
import type { DataSource } from 'typeorm';
import { CALL_SELECT, type CallDbRow } from '../calls';
import { MISSED_LISTED, percentileCont, type StatsFigures, type StatsScope } from './stats-figures';
import type { GrainRange, PeriodPlan, Range, SignedRange } from './stats-periods';

/** Talk the stats count: none when the end was not observed (the call counts, its talk does not). */
const TALK = `CASE WHEN c.end_source = 'unobserved' THEN NULL ELSE c.talk_seconds END`;
const UNANSWERED = `(${UNANSWERED_CALL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * One statement with JIT compilation off (SET LOCAL, in a transaction of its own). The rollup
 * reads touch thousands of rows, but their estimates (CTEs, unions of range scans, a join on a
 * generated series) can pass jit_above_cost, and PostgreSQL then compiled the per-hour query for
 * 434 ms that ran in 50 ms (EXPLAIN ANALYZE on the 10,000,000-call bench database).
 */
async function queryWithoutJit<T>(dataSource: DataSource, sql: string, params: unknown[]): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query(`SET LOCAL jit = off`);
    const rows = (await runner.query(sql, params)) as T;
    await runner.commitTransaction();
    return rows;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

/** `columns` with each @SIGN@ made the range's sign: a range subtracted (a month less its outside days) negates its sums. */
function signed(columns: string, range: GrainRange): string {
  return columns.replaceAll('@SIGN@', range.sign < 0 ? '-' : '');
}

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
          `SELECT ${signed(columns, range)} FROM ${table} r WHERE ${extra} AND r.grain = '${range.grain}' AND r.bucket >= ${this.add(range.lo.toISOString(), 'timestamptz')} AND r.bucket < ${this.add(range.hi.toISOString(), 'timestamptz')}`,
      )
      .join('\n UNION ALL ');
  }
  /**
   * The ended calls started in one of `ranges` (under `extra`), as a FROM item named `c` whose
   * `sign` is its range's (-1: calls to subtract from a month's row; 1 otherwise): one
   * range scan each (an OR of ranges would make it a bitmap heap scan instead of an index-only
   * scan of ix_calls_ended_stats). Never empty: callers skip the raw part without ranges.
   */
  calls(ranges: Array<Range | SignedRange>, extra = 'true'): string {
    const scans = ranges.map(
      (r) =>
        `SELECT c.*, ${'sign' in r ? r.sign : 1} AS sign FROM calls c WHERE c.ended_at IS NOT NULL AND ${extra} AND c.started_at >= ${this.add(r.lo.toISOString(), 'timestamptz')} AND c.started_at < ${this.add(r.hi.toISOString(), 'timestamptz')}`,
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
  const [row] = await queryWithoutJit<
    Array<{
      outcomes: StatsFigures['outcomes'] | null;
      durations: { ring_avg: number | null; talk_avg: number | null; talk_total: number | null };
      per_user: StatsFigures['perUser'] | null;
    }>
  >(
    dataSource,
    `WITH g AS MATERIALIZED (
       SELECT x.user_key, x.status, x.direction, sum(x.calls) AS calls, sum(x.ring_sum) AS ring_sum, sum(x.talk_sum) AS talk_sum, sum(x.talk_n) AS talk_n
       FROM (
         ${p.rows('call_stats_rollup', 'r.user_key, r.status, r.direction, @SIGN@r.calls::bigint, @SIGN@r.ring_sum, @SIGN@r.talk_sum, @SIGN@r.talk_n::bigint', plan.rollup, user ? `r.user_key = ${user}` : 'true')}
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

/** Calls and answered per local hour of day and per local day, from the hour and quarter-hour rows. */
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
  // hours (its UTC start then falls on a local quarter hour) and does not change inside it. The
  // offset is looked up once per UTC hour, not per quarter: where an hour's offset is the next
  // hour's, its quarters are their UTC times shifted by it (summed per hour when the offset is
  // whole hours); the hours an offset changes in (a few a year) convert each quarter as before.
  const onQuarter = (local: string) => `extract(second FROM ${local}) = 0 AND extract(minute FROM ${local})::int % 15 = 0`;
  const lo = p.add(plan.hours.lo.toISOString(), 'timestamptz');
  const loWall = p.add(plan.hours.lo.toISOString().replace('Z', ''), 'timestamp');
  const hourCount = p.add(Math.round((plan.hours.hi.getTime() - plan.hours.lo.getTime()) / 3_600_000), 'integer');
  const [row] = await queryWithoutJit<
    Array<{ misaligned: boolean | null; per_hour: StatsFigures['perHour'] | null; per_day: StatsFigures['perDay'] | null }>
  >(
    dataSource,
    `WITH h AS MATERIALIZED (
       -- One zone conversion per hour: the UTC wall clock comes from a second series, not from a
       -- conversion to 'UTC'; the offset at an hour's end is the next hour's.
       SELECT s.utc, s.off, lead(s.off) OVER (ORDER BY s.utc) AS off_end
       FROM (SELECT ${lo} + make_interval(hours => i) AS utc,
                    ((${lo} + make_interval(hours => i)) AT TIME ZONE ${tz}) - (${loWall} + make_interval(hours => i)) AS off
             FROM generate_series(0, ${hourCount}) i) s
     ),
     -- Runs of consecutive hours at one constant offset (one run for a zone without DST).
     runs AS (
       SELECT min(r.utc) AS lo, max(r.utc) + interval '1 hour' AS hi, min(r.off) AS off
       FROM (SELECT g.utc, g.off, g.constant, count(*) FILTER (WHERE g.starts) OVER (ORDER BY g.utc) AS run
             FROM (SELECT h.utc, h.off, h.off = h.off_end AS constant,
                          NOT COALESCE(h.off = h.off_end AND lag(h.off = h.off_end) OVER w AND lag(h.off) OVER w = h.off, false) AS starts
                   FROM h WINDOW w AS (ORDER BY h.utc)) g) r
       WHERE r.constant
       GROUP BY r.run
     ),
     q AS MATERIALIZED (
       SELECT date_trunc('hour', x.local) AS local, sum(x.calls) AS calls, sum(x.answered) AS answered, bool_and(x.aligned) AS aligned
       FROM (
         -- A whole-hour offset: each UTC hour falls into one local hour (hour rows, a quarter as many).
         SELECT (q.bucket AT TIME ZONE 'UTC') + r.off AS local, q.calls, q.answered, true AS aligned
         FROM runs r JOIN call_stats_clock_hours q ON q.user_key = ${user ?? '-1'} AND q.bucket >= r.lo AND q.bucket < r.hi
         WHERE extract(epoch FROM r.off) % 3600 = 0
         UNION ALL
         -- A half-hour offset (+5:30, -3:30): a UTC hour's first half falls into one local hour, the rest into the next.
         SELECT (q.bucket AT TIME ZONE 'UTC') + r.off + half.shift AS local, half.calls, half.answered, true AS aligned
         FROM runs r JOIN call_stats_clock_hours q ON q.user_key = ${user ?? '-1'} AND q.bucket >= r.lo AND q.bucket < r.hi
         CROSS JOIN LATERAL (VALUES (interval '0', q.calls_h1, q.answered_h1), (interval '30 minutes', q.calls - q.calls_h1, q.answered - q.answered_h1)) half(shift, calls, answered)
         WHERE extract(epoch FROM r.off) % 3600 <> 0 AND extract(epoch FROM r.off) % 1800 = 0
         UNION ALL
         SELECT (q.bucket AT TIME ZONE 'UTC') + r.off AS local, q.calls, q.answered, extract(epoch FROM r.off) % 900 = 0 AS aligned
         FROM runs r JOIN call_stats_quarters q ON q.user_key = ${user ?? '-1'} AND q.bucket >= r.lo AND q.bucket < r.hi
         WHERE extract(epoch FROM r.off) % 1800 <> 0
         UNION ALL
         SELECT z.local, z.calls, z.answered, ${onQuarter('z.local')} AND z.local + interval '899.999999 seconds' = z.local_end
         FROM (SELECT q.bucket AT TIME ZONE ${tz} AS local, (q.bucket + interval '899.999999 seconds') AT TIME ZONE ${tz} AS local_end, q.calls, q.answered
               FROM call_stats_quarters q JOIN h ON h.off <> h.off_end AND q.bucket >= h.utc AND q.bucket < h.utc + interval '1 hour'
               WHERE q.user_key = ${user ?? '-1'}) z
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
          SELECT to_char(d.day, 'YYYY-MM-DD') AS day, d.calls, d.answered
          FROM (SELECT date_trunc('day', local) AS day, sum(calls)::int AS calls, sum(answered)::int AS answered
                FROM q GROUP BY 1 HAVING sum(calls) > 0) d) t) AS per_day`,
    p.values,
  );
  return row;
}

/** Width of the coarse histograms' bins: `seconds >> 5` (migration CallStatsSecondsBins1795659100000). */
const BIN_BITS = 5;
/** The rank position percentile_cont(0.9) interpolates at, as `percentileCont` computes it. */
const P90 = 0.9;

/** The bucket starts of a grain range: the keys one index descent each reads. */
function buckets(range: GrainRange): string[] {
  const starts: string[] = [];
  for (let t = range.lo; t < range.hi; ) {
    starts.push(t.toISOString());
    t =
      range.grain === 'm'
        ? new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1))
        : new Date(t.getTime() + (range.grain === 'd' ? 86_400_000 : 3_600_000));
  }
  return starts;
}

/**
 * The 90th percentiles of ring and talk time, in two passes inside one statement (one
 * snapshot): the coarse histograms (32-second bins) of the whole hours, days and months plus the
 * binned values of the raw remainder give each kind's count and the bins its ranks fall in; then
 * only those bins' exact values are read, one index descent per bucket. The values come back
 * with every bin's count, the other bins standing for their calls without values, and
 * percentileCont interpolates over that as over the whole histogram: the ranks it reads are in
 * the expanded bins (checked, else the full histogram is read).
 */
async function querySeconds(dataSource: DataSource, request: StatsScope, plan: PeriodPlan) {
  const { rows, raw } = plan.seconds;
  const p = new Params();
  const user = request.userId === undefined ? null : p.add(request.userId, 'integer');
  const userKey = user ?? '-1';
  const rawValues = raw.length
    ? `SELECT k.kind::char(1) AS kind, k.seconds, sum(c.sign) AS calls
       FROM ${p.calls(raw, user ? `c.assigned_user_id = ${user}` : 'true')}
       CROSS JOIN LATERAL (VALUES ('r', c.ring_seconds), ('t', CASE WHEN c.status = 'answered' THEN ${TALK} END)) k(kind, seconds)
       WHERE k.seconds IS NOT NULL
       GROUP BY 1, 2`
    : `SELECT NULL::char(1) AS kind, NULL::integer AS seconds, NULL::bigint AS calls WHERE false`;
  const binRows = rows.length ? `${p.rows('call_stats_seconds_bins', 'r.kind, r.bin, @SIGN@r.calls', rows, `r.user_key = ${userKey}`)} UNION ALL` : '';
  // The exact values of the target bins: per grain, the bucket keys listed (one descent each,
  // the bin's value range within it), not a scan of every value of the period.
  const valueRows = rows.map(
    (range) =>
      `SELECT r.kind, r.seconds, ${signed('@SIGN@r.calls::bigint', range)} AS calls FROM target t JOIN call_stats_seconds r
         ON r.user_key = ${userKey} AND r.grain = '${range.grain}' AND r.bucket = ANY(${p.add(buckets(range), 'timestamptz[]')})
        AND r.kind = t.kind AND r.seconds >= t.bin << ${BIN_BITS} AND r.seconds < (t.bin + 1) << ${BIN_BITS}`,
  );
  const result = await queryWithoutJit<Array<{ kind: 'r' | 't'; bin: number; calls: number; seconds: number | null; target: boolean }>>(
    dataSource,
    `WITH raw AS MATERIALIZED (${rawValues}),
     bins AS MATERIALIZED (
       SELECT x.kind, x.bin, sum(x.calls) AS calls FROM (
         ${binRows}
         SELECT raw.kind, raw.seconds >> ${BIN_BITS}, raw.calls FROM raw
       ) x(kind, bin, calls)
       GROUP BY 1, 2 HAVING sum(x.calls) > 0
     ),
     ranked AS (
       SELECT b.kind, b.bin, b.calls, sum(b.calls) OVER (PARTITION BY b.kind ORDER BY b.bin) - b.calls AS before,
              ${P90} * (sum(b.calls) OVER (PARTITION BY b.kind) - 1) AS position
       FROM bins b
     ),
     -- The bins holding the ranks either side of the position, one rank wider each way (the
     -- position is exact here and a double in percentileCont: floor and ceil may differ by one).
     target AS MATERIALIZED (
       SELECT r.kind, r.bin FROM ranked r
       WHERE r.before <= ceil(r.position) + 1 AND r.before + r.calls > floor(r.position) - 1
     ),
     detail AS (
       SELECT v.kind, v.seconds, sum(v.calls) AS calls FROM (
         ${[...valueRows, `SELECT raw.kind, raw.seconds, raw.calls FROM raw JOIN target t ON t.kind = raw.kind AND raw.seconds >> ${BIN_BITS} = t.bin`].join('\n UNION ALL ')}
       ) v
       GROUP BY 1, 2 HAVING sum(v.calls) > 0
     )
     SELECT b.kind, b.bin, b.calls::int AS calls, NULL::integer AS seconds, (b.kind, b.bin) IN (SELECT t.kind, t.bin FROM target t) AS target FROM bins b
     UNION ALL
     SELECT d.kind, d.seconds >> ${BIN_BITS}, d.calls::int, d.seconds, false FROM detail d
     ORDER BY 1, 2, 4`,
    p.values,
  );
  // A bin's values and its count disagree only if the bins are not what they sum (a defect the
  // e2e test looks for): then the one-pass histogram answers, never a wrong rank.
  const targets = result.filter((h) => h.target);
  const consistent = targets.every((t) => result.filter((h) => h.seconds !== null && h.kind === t.kind && h.bin === t.bin).reduce((n, h) => n + h.calls, 0) === t.calls);
  const p90 = (kind: 'r' | 't') => {
    const histogram = result.filter((h) => h.kind === kind && !h.target).map((h) => ({ seconds: h.seconds ?? Number.NaN, calls: h.calls }));
    return percentileCont(histogram, P90);
  };
  const ringP90 = p90('r');
  const talkP90 = p90('t');
  // NaN: a rank fell in a bin whose values were not read (cannot happen with the ranks widened by one).
  if (!consistent || Number.isNaN(ringP90) || Number.isNaN(talkP90)) return fullSeconds(dataSource, request, plan);
  return { ringP90, talkP90 };
}

/** The 90th percentiles from the whole value histograms and the raw remainder (one pass). */
async function fullSeconds(dataSource: DataSource, request: StatsScope, plan: PeriodPlan) {
  const p = new Params();
  const user = request.userId === undefined ? null : p.add(request.userId, 'integer');
  const { rows, raw } = plan.seconds;
  const parts: string[] = [];
  if (rows.length) {
    parts.push(p.rows('call_stats_seconds', 'r.kind, r.seconds, @SIGN@r.calls::bigint AS calls', rows, `r.user_key = ${user ?? '-1'}`));
  }
  if (raw.length) {
    parts.push(`SELECT k.kind, k.seconds, sum(c.sign) AS calls
      FROM ${p.calls(raw, user ? `c.assigned_user_id = ${user}` : 'true')}
      CROSS JOIN LATERAL (VALUES ('r', c.ring_seconds), ('t', CASE WHEN c.status = 'answered' THEN ${TALK} END)) k(kind, seconds)
      WHERE k.seconds IS NOT NULL
      GROUP BY 1, 2`);
  }
  const histogram = await queryWithoutJit<Array<{ kind: 'r' | 't'; seconds: number; calls: number }>>(
    dataSource,
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
  return queryWithoutJit<Array<CallDbRow & { total: number }>>(
    dataSource,
    `SELECT ${CALL_SELECT}, (SELECT count(*) FROM call_missed_open m WHERE ${where})::int AS total
     FROM (SELECT m.id, m.started_at FROM call_missed_open m WHERE ${where} ORDER BY m.started_at DESC, m.id DESC LIMIT ${MISSED_LISTED}) listed
     JOIN calls c ON c.id = listed.id AND c.started_at = listed.started_at
     LEFT JOIN users u ON u.id = c.assigned_user_id
     LEFT JOIN companies co ON co.id = c.caller_company_id
     ORDER BY c.started_at DESC, c.id DESC`,
    p.values,
  );
}
