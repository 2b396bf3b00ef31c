import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the recordings context learns about each file once the call stopped recording: whether
 * it appeared (`status`, with the reason when not), where it is kept (`storage` + `storage_key`,
 * the recordings folder or object storage), its modification time for HTTP validators, the
 * compression it went through, the retention exemption (`keep`) and when retention removed it.
 * Durations get millisecond precision (compression is verified to 0.1 s). Existing rows start
 * `pending`: the readiness sweep measures their files (or marks them missing) after the upgrade.
 */
export class RecordingFiles1795654000000 implements MigrationInterface {
  name = 'RecordingFiles1795654000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE recordings
        ALTER COLUMN duration_seconds TYPE numeric(10, 3),
        ADD COLUMN status varchar(16) NOT NULL DEFAULT 'pending',
        ADD COLUMN status_reason varchar(255),
        ADD COLUMN storage varchar(8) NOT NULL DEFAULT 'local',
        ADD COLUMN storage_key varchar(1024),
        ADD COLUMN file_modified_at timestamptz,
        ADD COLUMN ready_at timestamptz,
        ADD COLUMN original_format varchar(16),
        ADD COLUMN original_size_bytes bigint,
        ADD COLUMN compressed_at timestamptz,
        ADD COLUMN job_failures smallint NOT NULL DEFAULT 0,
        ADD COLUMN keep boolean NOT NULL DEFAULT false,
        ADD COLUMN deleted_at timestamptz,
        ADD CONSTRAINT ck_recordings_status CHECK ("status" IN ('pending', 'ready', 'empty', 'missing', 'rejected', 'deleted')),
        ADD CONSTRAINT ck_recordings_storage CHECK ("storage" IN ('local', 's3'))`);
    // Lists page by (started_at, id), newest first; retention scans old rows by started_at.
    await db.query(`CREATE INDEX ix_recordings_started_at_id ON recordings (started_at DESC, id DESC)`);
    // The readiness sweep and the background job only look at the few rows still to work on.
    await db.query(`CREATE INDEX ix_recordings_pending ON recordings (id) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX ix_recordings_ready_local ON recordings (ready_at) WHERE status = 'ready' AND storage = 'local'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ix_recordings_ready_local`);
    await db.query(`DROP INDEX ix_recordings_pending`);
    await db.query(`DROP INDEX ix_recordings_started_at_id`);
    await db.query(`
      ALTER TABLE recordings
        DROP CONSTRAINT ck_recordings_storage,
        DROP CONSTRAINT ck_recordings_status,
        DROP COLUMN deleted_at,
        DROP COLUMN keep,
        DROP COLUMN job_failures,
        DROP COLUMN compressed_at,
        DROP COLUMN original_size_bytes,
        DROP COLUMN original_format,
        DROP COLUMN ready_at,
        DROP COLUMN file_modified_at,
        DROP COLUMN storage_key,
        DROP COLUMN storage,
        DROP COLUMN status_reason,
        DROP COLUMN status,
        ALTER COLUMN duration_seconds TYPE integer USING round(duration_seconds)`);
  }
}
