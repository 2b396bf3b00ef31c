import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `calls.end_source`: how the end of an ended call is known. `ami`: the ingest saw it on the
 * AMI stream; `cdr`: completed from Asterisk's own CDR after the fact; `unobserved`: the call
 * was gone when the ingest looked again (a restart, a cut link) and the end is only bounded
 * by its last known event: its talk and duration are unknown (the API shows them as null and
 * statistics leave them out of talk time). Null while the call is live. The statistics index
 * includes it, so a period is still summed by an index-only scan.
 */
export class CallsEndSource1795655000000 implements MigrationInterface {
  name = 'CallsEndSource1795655000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE calls ADD COLUMN end_source varchar(10)`);
    await db.query(`ALTER TABLE calls ADD CONSTRAINT ck_calls_end_source CHECK ("end_source" IN ('ami', 'cdr', 'unobserved'))`);
    await db.query(`
      UPDATE calls c SET end_source = CASE
        WHEN EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND e.type = 'ended' AND e.data->>'lost' = 'true') THEN 'unobserved'
        ELSE 'ami' END
      WHERE c.ended_at IS NOT NULL`);
    await recreateStatsIndex(db, 'status, direction, assigned_user_id, ring_seconds, talk_seconds, end_source');
  }

  async down(db: QueryRunner): Promise<void> {
    await recreateStatsIndex(db, 'status, direction, assigned_user_id, ring_seconds, talk_seconds');
    await db.query(`ALTER TABLE calls DROP CONSTRAINT ck_calls_end_source`);
    await db.query(`ALTER TABLE calls DROP COLUMN end_source`);
  }
}

async function recreateStatsIndex(db: QueryRunner, included: string): Promise<void> {
  await db.query(`DROP INDEX ix_calls_ended_stats`);
  await db.query(`CREATE INDEX ix_calls_ended_stats ON calls (started_at) INCLUDE (${included}) WHERE ended_at IS NOT NULL`);
}
