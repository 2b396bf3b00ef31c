import { MigrationInterface, QueryRunner } from 'typeorm';
import { applySums, STATS_TRIGGER_SOURCES, statsTriggerFunction } from './1795658000000-call-stats-rollup';
import { recomputeMissedByNumber } from './1795659400000-call-missed-by-number';

/** The columns of `calls` the rollups and call_missed_open are computed from. */
const STATS_COLUMNS = [
  'id',
  'started_at',
  'ended_at',
  'assigned_user_id',
  'status',
  'direction',
  'ring_seconds',
  'talk_seconds',
  'hold_seconds',
  'end_source',
  'external_number',
] as const;
/** The first key of the advisory lock that lets one transaction at a time apply call_stats_pending. */
export const FLUSH_LOCK_CLASS = 7432;
/** Pending rows applied per statement group: bounds the memory of one step after a long backlog. */
const FLUSH_CHUNK = 20_000;

/**
 * The statistics rollups applied once a second instead of in every statement (docs/database.md
 * "Statistics rollups", Cost).
 *
 * The statement triggers on `calls` (CallStatsRollup1795658000000) applied each statement's
 * change to the rollups and recomputed call_missed_open inside the statement: at 100 calls/s the
 * ingest's batch statement (25 a second) spent 3.6 ms of its ~4 ms in them (track_functions: 81
 * of the backends' 210 ms of CPU a second in crm_call_stats_update; auto_explain: 1 ms in the
 * missed calls' insert, 0.4-0.2 ms in each rollup upsert), most of it a fixed cost per statement.
 *
 * Now a trigger only appends the statement's net change - the old and new states of the rows that
 * count (ended or answered), a row whose counted columns did not change cancelling out - to
 * `call_stats_pending`, in the statement's own transaction: nothing is lost with a crash or a
 * rollback, nothing counted twice. `crm_call_stats_flush()` applies everything pending with the
 * same statements the triggers ran, one transaction at a time (an advisory lock), and deletes it
 * in the same transaction. Sums are added in any order, and call_missed_open is recomputed from
 * the calls as they are at the flush, so the result is the same as applying each statement's
 * change at once. The ingest flushes every STATS_FLUSH_INTERVAL_MS; GET /api/stats flushes before
 * it reads, so what it reports is exact as of the request, as before.
 */
export class CallStatsDeferred1795659500000 implements MigrationInterface {
  name = 'CallStatsDeferred1795659500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE call_stats_pending AS
      SELECT 1::integer AS sign, ${STATS_COLUMNS.join(', ')} FROM calls WITH NO DATA`);
    await db.query(`
      CREATE FUNCTION crm_call_stats_flush(wait boolean DEFAULT true) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        batch call_stats_pending[];
        applied bigint := 0;
      BEGIN
        IF wait THEN
          PERFORM pg_advisory_xact_lock(${FLUSH_LOCK_CLASS}, 0);
        ELSIF NOT pg_try_advisory_xact_lock(${FLUSH_LOCK_CLASS}, 0) THEN
          RETURN -1;
        END IF;
        LOOP
          -- What is committed now; rows committed later wait for the next flush.
          WITH moved AS (
            DELETE FROM call_stats_pending p
            WHERE p.ctid = ANY (ARRAY(SELECT q.ctid FROM call_stats_pending q LIMIT ${FLUSH_CHUNK}))
            RETURNING p.*)
          SELECT array_agg(moved::call_stats_pending) INTO batch FROM moved;
          EXIT WHEN batch IS NULL;
          applied := applied + cardinality(batch);
          ${[...applySums(PENDING_BATCH), ...recomputeMissedByNumber(PENDING_BATCH)].map((sql) => sql.replace(/^SELECT /, 'PERFORM ')).join(';\n          ')};
          -- A chunk not full took all there was: what commits meanwhile waits for the next flush
          -- (a steady flow would otherwise keep one flush, and the lock, going).
          EXIT WHEN cardinality(batch) < ${FLUSH_CHUNK};
        END LOOP;
        RETURN applied;
      END $$`);
    for (const [event, source] of STATS_TRIGGER_SOURCES) await db.query(appendPendingFunction(event, source));
    await db.query(TRUNCATE_FUNCTION.replace('@PENDING@', ', call_stats_pending'));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`SELECT crm_call_stats_flush()`);
    for (const [event, source] of STATS_TRIGGER_SOURCES) await db.query(statsTriggerFunction('CREATE OR REPLACE', event, source, recomputeMissedByNumber));
    await db.query(TRUNCATE_FUNCTION.replace('@PENDING@', ''));
    await db.query(`DROP FUNCTION crm_call_stats_flush(boolean)`);
    await db.query(`DROP TABLE call_stats_pending`);
  }
}

/** The pending rows being applied, as the rollups' statements read a delta (`sign` and the counted columns). */
const PENDING_BATCH = `(SELECT * FROM unnest(batch))`;

/** The statement trigger function of `event`: its net change of counted rows appended to call_stats_pending. */
function appendPendingFunction(event: string, source: string): string {
  const columns = STATS_COLUMNS.map((c) => `d.${c}`).join(', ');
  return `
        CREATE OR REPLACE FUNCTION crm_call_stats_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- A live call's progress (neither ended nor answered, before or after) counts nowhere.
          INSERT INTO call_stats_pending (sign, ${STATS_COLUMNS.join(', ')})
          SELECT sum(d.sign), ${columns}
          FROM ${source} d
          WHERE d.ended_at IS NOT NULL OR d.status = 'answered'
          GROUP BY ${columns}
          HAVING sum(d.sign) <> 0;
          RETURN NULL;
        END $$`;
}

/** crm_call_stats_truncate as CallStatsRollup1795658000000 made it, the pending changes at @PENDING@. */
const TRUNCATE_FUNCTION = `
      CREATE OR REPLACE FUNCTION crm_call_stats_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE call_stats_rollup, call_stats_quarters, call_stats_seconds, call_missed_open@PENDING@;
        RETURN NULL;
      END $$`;
