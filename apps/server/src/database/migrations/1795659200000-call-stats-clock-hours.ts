import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calls and answered per UTC hour beside the per-quarter-hour rows, for the per-hour and per-day
 * figures in zones whose offset is a whole number of hours (docs/database.md "Statistics
 * rollups"): a UTC hour then falls into one local hour, so a year reads 8,760 hour rows where it
 * read 35,000 quarters. Offsets of half and quarter hours (India, Nepal, Newfoundland) still read
 * the quarters.
 *
 * Kept from `call_stats_quarters` itself by statement-level triggers on it (transition tables),
 * as the coarse histograms are kept from the values: every change to a quarter is added to its
 * hour, whoever made it, so an hour equals the sum of its four quarters at every commit; a
 * TRUNCATE of the quarters truncates the hours.
 */
/** The UTC hour of a quarter row `d`. */
export const HOUR_OF_QUARTER = `date_bin('1 hour', d.bucket, '2000-01-01 00:00:00+00')`;

/** The quarters' transition-table rows each trigger function reads, signed: an old row's counts subtracted, a new one's added. */
export const CLOCK_HOURS_TRIGGER_SOURCES = [
  ['insert', `(SELECT n.user_key, n.bucket, n.calls::bigint AS calls, n.answered::bigint AS answered FROM crm_new n)`],
  [
    'update',
    `(SELECT o.user_key, o.bucket, -o.calls::bigint AS calls, -o.answered::bigint AS answered FROM crm_old o
          UNION ALL SELECT n.user_key, n.bucket, n.calls::bigint, n.answered::bigint FROM crm_new n)`,
  ],
  ['delete', `(SELECT o.user_key, o.bucket, -o.calls::bigint AS calls, -o.answered::bigint AS answered FROM crm_old o)`],
] as const;

export class CallStatsClockHours1795659200000 implements MigrationInterface {
  name = 'CallStatsClockHours1795659200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE call_stats_clock_hours (
        user_key integer NOT NULL,
        bucket timestamptz NOT NULL,
        calls bigint NOT NULL,
        answered bigint NOT NULL,
        CONSTRAINT pk_call_stats_clock_hours PRIMARY KEY (user_key, bucket) INCLUDE (calls, answered)
      )`);
    for (const [event, source] of CLOCK_HOURS_TRIGGER_SOURCES) {
      await db.query(`
        CREATE FUNCTION crm_call_stats_clock_hours_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- In key order, as the other rollups: two writers lock hours in the same order.
          INSERT INTO call_stats_clock_hours AS h (user_key, bucket, calls, answered)
          SELECT d.user_key, ${HOUR_OF_QUARTER}, sum(d.calls), sum(d.answered)
          FROM ${source} d
          GROUP BY 1, 2
          HAVING sum(d.calls) <> 0 OR sum(d.answered) <> 0
          ORDER BY 1, 2
          ON CONFLICT (user_key, bucket) DO UPDATE SET calls = h.calls + EXCLUDED.calls, answered = h.answered + EXCLUDED.answered;
          RETURN NULL;
        END $$`);
      const referencing = { insert: 'NEW TABLE AS crm_new', update: 'OLD TABLE AS crm_old NEW TABLE AS crm_new', delete: 'OLD TABLE AS crm_old' }[event];
      await db.query(
        `CREATE TRIGGER call_stats_clock_hours_${event} AFTER ${event.toUpperCase()} ON call_stats_quarters REFERENCING ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION crm_call_stats_clock_hours_${event}()`,
      );
    }
    await db.query(`
      CREATE FUNCTION crm_call_stats_clock_hours_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE call_stats_clock_hours;
        RETURN NULL;
      END $$`);
    await db.query(
      `CREATE TRIGGER call_stats_clock_hours_truncate AFTER TRUNCATE ON call_stats_quarters FOR EACH STATEMENT EXECUTE FUNCTION crm_call_stats_clock_hours_truncate()`,
    );
    await db.query(`
      INSERT INTO call_stats_clock_hours (user_key, bucket, calls, answered)
      SELECT d.user_key, ${HOUR_OF_QUARTER}, sum(d.calls), sum(d.answered)
      FROM call_stats_quarters d
      GROUP BY 1, 2
      HAVING sum(d.calls) <> 0 OR sum(d.answered) <> 0`);
    await db.query(`ANALYZE call_stats_clock_hours`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const event of ['insert', 'update', 'delete', 'truncate']) {
      await db.query(`DROP TRIGGER call_stats_clock_hours_${event} ON call_stats_quarters`);
      await db.query(`DROP FUNCTION crm_call_stats_clock_hours_${event}()`);
    }
    await db.query(`DROP TABLE call_stats_clock_hours`);
  }
}
