import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Coarse value histograms beside the exact ones, for a two-pass 90th percentile
 * (docs/database.md "Statistics rollups"): `call_stats_seconds_bins` holds, per row key of
 * `call_stats_seconds` but with the value binned to 32 seconds (`seconds >> 5`, a floor division),
 * how many calls had a value in that bin. A year's percentiles read the bins (about 55 rows a day
 * where the values are about 1,000) and then the exact values of only the bin holding the rank.
 *
 * Kept from `call_stats_seconds` itself by statement-level triggers on it (transition tables):
 * every change to a value count is added to its bin, whoever made it (the calls' triggers, the
 * archiving and restoring of a month, the backfill), so the bins equal the sum of the values
 * they cover at every commit; a TRUNCATE of the values truncates the bins.
 */
export class CallStatsSecondsBins1795659100000 implements MigrationInterface {
  name = 'CallStatsSecondsBins1795659100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE call_stats_seconds_bins (
        user_key integer NOT NULL,
        grain char(1) NOT NULL,
        bucket timestamptz NOT NULL,
        kind char(1) NOT NULL,
        bin integer NOT NULL,
        calls bigint NOT NULL,
        CONSTRAINT pk_call_stats_seconds_bins PRIMARY KEY (user_key, grain, bucket, kind, bin) INCLUDE (calls)
      )`);
    await db.query(`CREATE STATISTICS st_call_stats_seconds_bins_user_grain (mcv, dependencies) ON user_key, grain FROM call_stats_seconds_bins`);
    for (const [event, source] of [
      ['insert', `(SELECT n.user_key, n.grain, n.bucket, n.kind, n.seconds, n.calls::bigint AS calls FROM crm_new n)`],
      [
        'update',
        `(SELECT o.user_key, o.grain, o.bucket, o.kind, o.seconds, -o.calls::bigint AS calls FROM crm_old o
          UNION ALL SELECT n.user_key, n.grain, n.bucket, n.kind, n.seconds, n.calls::bigint FROM crm_new n)`,
      ],
      ['delete', `(SELECT o.user_key, o.grain, o.bucket, o.kind, o.seconds, -o.calls::bigint AS calls FROM crm_old o)`],
    ] as const) {
      await db.query(`
        CREATE FUNCTION crm_call_stats_bins_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- In key order, as the other rollups: two writers lock bins in the same order.
          INSERT INTO call_stats_seconds_bins AS b (user_key, grain, bucket, kind, bin, calls)
          SELECT d.user_key, d.grain, d.bucket, d.kind, d.seconds >> ${BIN_BITS}, sum(d.calls)
          FROM ${source} d
          GROUP BY 1, 2, 3, 4, 5
          HAVING sum(d.calls) <> 0
          ORDER BY 1, 2, 3, 4, 5
          ON CONFLICT (user_key, grain, bucket, kind, bin) DO UPDATE SET calls = b.calls + EXCLUDED.calls;
          RETURN NULL;
        END $$`);
      const referencing = { insert: 'NEW TABLE AS crm_new', update: 'OLD TABLE AS crm_old NEW TABLE AS crm_new', delete: 'OLD TABLE AS crm_old' }[event];
      await db.query(
        `CREATE TRIGGER call_stats_seconds_bins_${event} AFTER ${event.toUpperCase()} ON call_stats_seconds REFERENCING ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION crm_call_stats_bins_${event}()`,
      );
    }
    await db.query(`
      CREATE FUNCTION crm_call_stats_bins_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE call_stats_seconds_bins;
        RETURN NULL;
      END $$`);
    await db.query(
      `CREATE TRIGGER call_stats_seconds_bins_truncate AFTER TRUNCATE ON call_stats_seconds FOR EACH STATEMENT EXECUTE FUNCTION crm_call_stats_bins_truncate()`,
    );
    await db.query(`
      INSERT INTO call_stats_seconds_bins (user_key, grain, bucket, kind, bin, calls)
      SELECT s.user_key, s.grain, s.bucket, s.kind, s.seconds >> ${BIN_BITS}, sum(s.calls)
      FROM call_stats_seconds s
      GROUP BY 1, 2, 3, 4, 5
      HAVING sum(s.calls) <> 0`);
    await db.query(`ANALYZE call_stats_seconds_bins`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const event of ['insert', 'update', 'delete', 'truncate']) {
      await db.query(`DROP TRIGGER call_stats_seconds_bins_${event} ON call_stats_seconds`);
      await db.query(`DROP FUNCTION crm_call_stats_bins_${event}()`);
    }
    await db.query(`DROP TABLE call_stats_seconds_bins`);
  }
}

/** A bin is 2^5 = 32 seconds wide: as many bins as a day has values of ring time, about 1/18 of its talk times. */
const BIN_BITS = 5;
