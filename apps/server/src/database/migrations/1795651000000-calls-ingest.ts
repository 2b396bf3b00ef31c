import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the call ingest and the history/statistics queries need on top of the calls schema:
 * - `last_event_at` + `event_seq`: the (time, step) of the tracker event a row's state follows
 *   from; the ingest only applies a newer state, so replays and late duplicates change nothing;
 * - `external_number`: the outside party's number, normalised, for company lookup, number search
 *   and "missed call not yet called back" (inbound caller = outbound callee);
 * - indexes for keyset pages by (started_at, id) under each filter, live calls and call-backs;
 * - `NOTIFY crm_directory_changed` on any change of user or company phones (deleting a user or a
 *   company deletes its phones, which fires too), so every process caching extension -> user and
 *   number -> company reloads (see CallDirectoryService).
 */
export class CallsIngest1795651000000 implements MigrationInterface {
  name = 'CallsIngest1795651000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE calls
        ADD COLUMN external_number varchar(32),
        ADD COLUMN last_event_at timestamptz NOT NULL DEFAULT '-infinity',
        ADD COLUMN event_seq integer NOT NULL DEFAULT 0`);
    await db.query(`CREATE INDEX ix_calls_external_number_started_at ON calls (external_number, started_at) WHERE external_number IS NOT NULL`);
    await db.query(`CREATE INDEX ix_calls_live ON calls (started_at DESC, id DESC) WHERE ended_at IS NULL`);
    await db.query(`CREATE INDEX ix_calls_talk_seconds_id ON calls (talk_seconds DESC, id DESC)`);

    await db.query(`
      CREATE FUNCTION crm_notify_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('crm_directory_changed', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of DIRECTORY_TABLES) {
      await db.query(`
        CREATE TRIGGER ${table}_directory_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION crm_notify_directory_changed()`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    // CASCADE drops the function's triggers, wherever they were created.
    await db.query(`DROP FUNCTION crm_notify_directory_changed() CASCADE`);
    await db.query(`DROP INDEX ix_calls_talk_seconds_id`);
    await db.query(`DROP INDEX ix_calls_live`);
    await db.query(`DROP INDEX ix_calls_external_number_started_at`);
    await db.query(`ALTER TABLE calls DROP COLUMN event_seq, DROP COLUMN last_event_at, DROP COLUMN external_number`);
  }
}

const DIRECTORY_TABLES = ['user_phones', 'company_phones'];
