import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which ingest process wrote a call, so a process that takes a call over (after a restart or a
 * hand-over it rebuilt the call from the PBX's channel listing) merges into what is stored
 * instead of replacing it:
 * - `first_writer`: the process that inserted the row; any other writer's state is a recovery,
 *   which never downgrades the stored times, parties or status (see call-batch-sql);
 * - `writer`: the process that wrote it last; a new one continues the row's `event_seq`
 *   from `seq_base` on (its own step counter starts again at 0).
 */
export class CallsWriters1795653000000 implements MigrationInterface {
  name = 'CallsWriters1795653000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE calls
        ADD COLUMN first_writer varchar(64),
        ADD COLUMN writer varchar(64),
        ADD COLUMN seq_base integer NOT NULL DEFAULT 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE calls DROP COLUMN seq_base, DROP COLUMN writer, DROP COLUMN first_writer`);
  }
}
