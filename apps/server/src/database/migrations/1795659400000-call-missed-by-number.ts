import { MigrationInterface, QueryRunner } from 'typeorm';
import { dollar, MISSED, recomputeMissed, STATS_TRIGGER_SOURCES, statsTriggerFunction, touchedNumbers } from './1795658000000-call-stats-rollup';

/**
 * `call_missed_open` recomputed number by number (docs/database.md "Statistics rollups", Cost).
 *
 * The statement triggers on `calls` (CallStatsRollup1795658000000) recompute the open missed calls
 * of the numbers a statement touched with one join of those numbers against `calls`. Its plan is
 * made once per session inside the trigger function and kept: made while `calls` had no
 * statistics yet (a new installation, the first minutes of the ingest, a fresh month partition
 * before autovacuum analyses it), PostgreSQL joined every inbound unanswered call of the table
 * against every answered one and only then kept the touched numbers - work growing with the square
 * of the calls, 8.4 ms of every 10 ms batch statement of the ingest at 100 calls/s after 40 s on
 * a fresh database (auto_explain), 46.8 µs of PostgreSQL CPU per AMI event (bench:load, cost).
 *
 * Here the touched numbers drive the lookup: for each number (a LATERAL subquery behind an
 * `OFFSET 0` fence, so the planner cannot flatten it into a join of its choosing) its unanswered
 * calls by that number and, for each, an answered call by the same number after it - index
 * lookups of that number whatever the statistics say. The result is the same rows.
 */
export function recomputeMissedByNumber(source: string): string[] {
  // The same per-number locks and delete as before (see recomputeMissed); only the lookup changes.
  const [lockNumbers, deleteOpen] = recomputeMissed(source);
  return [
    lockNumbers,
    deleteOpen,
    `INSERT INTO call_missed_open (id, started_at, assigned_user_id, external_number)
     SELECT m.id, m.started_at, m.assigned_user_id, m.external_number
     FROM (${touchedNumbers(source)}) t
     CROSS JOIN LATERAL (
       SELECT c.id, c.started_at, c.assigned_user_id, c.external_number FROM calls c
       WHERE c.external_number = t.external_number AND ${MISSED('c')}
         AND NOT EXISTS (SELECT 1 FROM calls cb WHERE cb.external_number = t.external_number AND cb.status = 'answered' AND cb.started_at > c.started_at)
       OFFSET 0
     ) m
     ORDER BY m.id`,
  ];
}

export class CallMissedByNumber1795659400000 implements MigrationInterface {
  name = 'CallMissedByNumber1795659400000';

  async up(db: QueryRunner): Promise<void> {
    await this.replace(db, recomputeMissedByNumber);
  }

  async down(db: QueryRunner): Promise<void> {
    await this.replace(db, recomputeMissed);
  }

  private async replace(db: QueryRunner, missed: (source: string) => string[]): Promise<void> {
    for (const [event, source] of STATS_TRIGGER_SOURCES) await db.query(statsTriggerFunction('CREATE OR REPLACE', event, source, missed));
    // Archiving and restoring a month recompute through this one.
    await db.query(`
      CREATE OR REPLACE FUNCTION crm_call_missed_recompute(source text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        ${missed('@SOURCE@')
          .map((sql) => `EXECUTE replace(${dollar(sql)}, '@SOURCE@', source);`)
          .join('\n        ')}
      END $$`);
  }
}
