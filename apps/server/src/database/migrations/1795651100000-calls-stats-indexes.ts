import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for GET /api/stats on large tables:
 * - every aggregate reads ended calls of a period; with the columns it needs included, a
 *   period is summed by an index-only scan instead of a heap visit per call;
 * - "missed call not yet called back" reads the unanswered inbound calls of a period (an index
 *   of those alone, with their number) and, per number they came from, its latest answered call
 *   (one probe of an index holding only answered calls).
 */
export class CallsStatsIndexes1795651100000 implements MigrationInterface {
  name = 'CallsStatsIndexes1795651100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX ix_calls_ended_stats ON calls (started_at)
      INCLUDE (status, direction, assigned_user_id, ring_seconds, talk_seconds)
      WHERE ended_at IS NOT NULL`);
    await db.query(`CREATE INDEX ix_calls_answered_external_number ON calls (external_number, started_at) WHERE status = 'answered'`);
    await db.query(`
      CREATE INDEX ix_calls_unanswered_inbound ON calls (started_at) INCLUDE (external_number, id)
      WHERE direction = 'inbound' AND status IN ('missed', 'abandoned', 'busy') AND ended_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ix_calls_unanswered_inbound`);
    await db.query(`DROP INDEX ix_calls_answered_external_number`);
    await db.query(`DROP INDEX ix_calls_ended_stats`);
  }
}
