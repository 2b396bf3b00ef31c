import { MigrationInterface, QueryRunner } from 'typeorm';
import { CLOCK_HOURS_TRIGGER_SOURCES, HOUR_OF_QUARTER } from './1795659200000-call-stats-clock-hours';

/**
 * The first half of each UTC hour beside its whole, in `call_stats_clock_hours` (docs/database.md
 * "Statistics rollups"): `calls_h1` and `answered_h1` count the quarters at minutes 0 and 15. In a
 * zone whose offset is a whole number of half hours but not of hours (India +5:30, Iran, Afghanistan,
 * Myanmar, Newfoundland, central Australia, Lord Howe's standard time) a UTC hour falls into two
 * local hours, its first half into one and the rest into the next: a year then reads 8,760 hour
 * rows, where it read 35,000 quarter hours (bench:stats, a year in Asia/Kolkata: p95 94.6 ms,
 * 119.6 through HTTP, against 67.9 for a whole-hour zone). Quarter-hour offsets (Nepal +5:45,
 * Chatham) still read the quarters.
 *
 * The statement-level triggers on `call_stats_quarters` that keep the hours are replaced by ones
 * that add the first half too; the key's INCLUDE list gains the two columns, so the reads stay
 * index-only.
 */
export class CallStatsClockHalves1795659300000 implements MigrationInterface {
  name = 'CallStatsClockHalves1795659300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE call_stats_clock_hours ADD COLUMN calls_h1 bigint NOT NULL DEFAULT 0, ADD COLUMN answered_h1 bigint NOT NULL DEFAULT 0`);
    await this.replaceTriggerFunctions(db, true);
    await db.query(`
      UPDATE call_stats_clock_hours h SET calls_h1 = q.calls, answered_h1 = q.answered
      FROM (SELECT d.user_key, ${HOUR_OF_QUARTER} AS bucket, sum(d.calls) AS calls, sum(d.answered) AS answered
            FROM call_stats_quarters d
            WHERE d.bucket < ${HOUR_OF_QUARTER} + interval '30 minutes'
            GROUP BY 1, 2) q
      WHERE h.user_key = q.user_key AND h.bucket = q.bucket`);
    await db.query(`ALTER TABLE call_stats_clock_hours DROP CONSTRAINT pk_call_stats_clock_hours`);
    await db.query(`ALTER TABLE call_stats_clock_hours ADD CONSTRAINT pk_call_stats_clock_hours PRIMARY KEY (user_key, bucket) INCLUDE (calls, answered, calls_h1, answered_h1)`);
    await db.query(`ANALYZE call_stats_clock_hours`);
  }

  async down(db: QueryRunner): Promise<void> {
    await this.replaceTriggerFunctions(db, false);
    await db.query(`ALTER TABLE call_stats_clock_hours DROP CONSTRAINT pk_call_stats_clock_hours`);
    await db.query(`ALTER TABLE call_stats_clock_hours DROP COLUMN calls_h1, DROP COLUMN answered_h1`);
    await db.query(`ALTER TABLE call_stats_clock_hours ADD CONSTRAINT pk_call_stats_clock_hours PRIMARY KEY (user_key, bucket) INCLUDE (calls, answered)`);
  }

  /** The functions CallStatsClockHours1795659200000 created, with the first-half sums when `halves`. */
  private async replaceTriggerFunctions(db: QueryRunner, halves: boolean): Promise<void> {
    const hour = HOUR_OF_QUARTER;
    const firstHalf = (column: string) => `sum(CASE WHEN d.bucket < ${hour} + interval '30 minutes' THEN d.${column} ELSE 0 END)`;
    for (const [event, source] of CLOCK_HOURS_TRIGGER_SOURCES) {
      const columns = halves ? 'user_key, bucket, calls, answered, calls_h1, answered_h1' : 'user_key, bucket, calls, answered';
      const sums = halves ? `sum(d.calls), sum(d.answered), ${firstHalf('calls')}, ${firstHalf('answered')}` : 'sum(d.calls), sum(d.answered)';
      const add = halves
        ? 'calls = h.calls + EXCLUDED.calls, answered = h.answered + EXCLUDED.answered, calls_h1 = h.calls_h1 + EXCLUDED.calls_h1, answered_h1 = h.answered_h1 + EXCLUDED.answered_h1'
        : 'calls = h.calls + EXCLUDED.calls, answered = h.answered + EXCLUDED.answered';
      // A call moved between the halves of one hour changes only the first half's sums.
      const having = halves
        ? `sum(d.calls) <> 0 OR sum(d.answered) <> 0 OR ${firstHalf('calls')} <> 0 OR ${firstHalf('answered')} <> 0`
        : 'sum(d.calls) <> 0 OR sum(d.answered) <> 0';
      await db.query(`
        CREATE OR REPLACE FUNCTION crm_call_stats_clock_hours_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- In key order, as the other rollups: two writers lock hours in the same order.
          INSERT INTO call_stats_clock_hours AS h (${columns})
          SELECT d.user_key, ${hour}, ${sums}
          FROM ${source} d
          GROUP BY 1, 2
          HAVING ${having}
          ORDER BY 1, 2
          ON CONFLICT (user_key, bucket) DO UPDATE SET ${add};
          RETURN NULL;
        END $$`);
    }
  }
}
