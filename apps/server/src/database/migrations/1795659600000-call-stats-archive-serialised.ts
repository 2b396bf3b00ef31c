import { MigrationInterface, QueryRunner } from 'typeorm';
import { FLUSH_LOCK_CLASS } from './1795659500000-call-stats-deferred';

/** The functions that change the rollups directly, besides `crm_call_stats_flush()`. */
const ROLLUP_WRITERS = ['crm_calls_archive_month(date)', 'crm_calls_restore_month(date)'];
/** The line that makes them wait for a running flush (and a flush wait for them). */
const TAKE_FLUSH_LOCK = `PERFORM pg_advisory_xact_lock(${FLUSH_LOCK_CLASS}, 0);`;

/**
 * Archiving or restoring a month takes the statistics flush's lock first.
 *
 * Both apply the month to the rollups and recompute call_missed_open themselves, while they hold
 * the month's partition (DETACH/ATTACH). `crm_call_stats_flush()` (CallStatsDeferred1795659500000),
 * run every second, locks rollup rows and then reads `calls`: the two took the same locks in
 * opposite orders, and PostgreSQL broke the deadlock by aborting one of them (seen in CI:
 * `CALL crm_calls_archive_month` failed with "deadlock detected"). Now they run one after the
 * other: a flush waits for an archive (the job's own flush skips that second), an archive for a
 * flush, which takes milliseconds.
 *
 * The functions are patched in place (the lock as the first statement of their body), so their
 * sources stay those of the migrations that wrote them; `down` removes the line again.
 */
export class CallStatsArchiveSerialised1795659600000 implements MigrationInterface {
  name = 'CallStatsArchiveSerialised1795659600000';

  async up(db: QueryRunner): Promise<void> {
    for (const fn of ROLLUP_WRITERS) {
      const [{ def }] = await db.query(`SELECT pg_get_functiondef($1::regprocedure) AS def`, [fn]);
      const patched = (def as string).replace(/\bBEGIN\b/, `BEGIN\n      ${TAKE_FLUSH_LOCK}`);
      if (patched === def) throw new Error(`${fn}: no BEGIN to put the flush lock after`);
      await db.query(patched);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const fn of ROLLUP_WRITERS) {
      const [{ def }] = await db.query(`SELECT pg_get_functiondef($1::regprocedure) AS def`, [fn]);
      const restored = (def as string).replace(`BEGIN\n      ${TAKE_FLUSH_LOCK}`, 'BEGIN');
      if (restored === def) throw new Error(`${fn}: the flush lock this migration added is not there`);
      await db.query(restored);
    }
  }
}
