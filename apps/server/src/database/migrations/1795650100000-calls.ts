import { MigrationInterface, QueryRunner } from 'typeorm';

export class Calls1795650100000 implements MigrationInterface {
  name = 'Calls1795650100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE calls (
        id serial NOT NULL,
        pbx_id varchar(64) NOT NULL,
        linkedid varchar(64) NOT NULL,
        call_uid varchar(64) NOT NULL,
        direction varchar(10) NOT NULL,
        caller_number varchar(64) NOT NULL,
        caller_name varchar(100),
        receiver_number varchar(64) NOT NULL,
        did varchar(64),
        status varchar(20) NOT NULL DEFAULT 'ringing',
        duration integer NOT NULL DEFAULT 0,
        ring_seconds integer NOT NULL DEFAULT 0,
        talk_seconds integer NOT NULL DEFAULT 0,
        hold_seconds integer NOT NULL DEFAULT 0,
        recording_url varchar(500),
        assigned_user_id integer,
        caller_company_id integer,
        answered_by_extension varchar(32),
        started_at timestamptz NOT NULL,
        answered_at timestamptz,
        ended_at timestamptz,
        hangup_cause integer,
        hangup_by varchar(10),
        crm_call_id varchar(64),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_calls PRIMARY KEY (id),
        CONSTRAINT uq_calls_pbx_linkedid UNIQUE (pbx_id, linkedid),
        CONSTRAINT uq_calls_pbx_call_uid UNIQUE (pbx_id, call_uid),
        CONSTRAINT ck_calls_status CHECK ("status" IN ('ringing', 'answered', 'on_hold', 'missed', 'busy', 'abandoned', 'failed')),
        CONSTRAINT ck_calls_direction CHECK ("direction" IN ('inbound', 'outbound', 'internal')),
        CONSTRAINT ck_calls_hangup_by CHECK ("hangup_by" IN ('caller', 'callee', 'system')),
        CONSTRAINT ck_calls_duration_is_talk CHECK ("duration" = "talk_seconds"),
        CONSTRAINT ck_calls_seconds_not_negative CHECK ("ring_seconds" >= 0 AND "talk_seconds" >= 0 AND "hold_seconds" >= 0),
        CONSTRAINT fk_calls_assigned_user FOREIGN KEY (assigned_user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE NO ACTION,
        CONSTRAINT fk_calls_caller_company FOREIGN KEY (caller_company_id) REFERENCES companies (id) ON DELETE SET NULL ON UPDATE NO ACTION
      )`);
    // History lists page by (started_at, id) newest first, optionally per user, company, status or direction.
    await db.query(`CREATE INDEX ix_calls_started_at_id ON calls (started_at DESC, id DESC)`);
    await db.query(`CREATE INDEX ix_calls_assigned_user_started_at ON calls (assigned_user_id, started_at DESC)`);
    await db.query(`CREATE INDEX ix_calls_caller_company_started_at ON calls (caller_company_id, started_at DESC)`);
    await db.query(`CREATE INDEX ix_calls_status_started_at ON calls (status, started_at DESC)`);
    await db.query(`CREATE INDEX ix_calls_direction_started_at ON calls (direction, started_at DESC)`);
    // Number search is "contains" (a user types part of a number).
    await db.query(`CREATE INDEX ix_calls_caller_number_trgm ON calls USING gin (caller_number gin_trgm_ops)`);
    await db.query(`CREATE INDEX ix_calls_receiver_number_trgm ON calls USING gin (receiver_number gin_trgm_ops)`);
    await db.query(`CREATE INDEX ix_calls_crm_call_id ON calls (crm_call_id) WHERE crm_call_id IS NOT NULL`);

    await db.query(`
      CREATE TABLE call_events (
        id bigserial NOT NULL,
        call_id integer NOT NULL,
        type varchar(32) NOT NULL,
        occurred_at timestamptz NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        dedupe_key varchar(128) NOT NULL,
        CONSTRAINT pk_call_events PRIMARY KEY (id),
        CONSTRAINT uq_call_events_call_dedupe_key UNIQUE (call_id, dedupe_key),
        CONSTRAINT fk_call_events_call FOREIGN KEY (call_id) REFERENCES calls (id) ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await db.query(`CREATE INDEX ix_call_events_call_occurred_at ON call_events (call_id, occurred_at, id)`);

    await db.query(`
      CREATE TABLE recordings (
        id serial NOT NULL,
        call_id integer NOT NULL,
        file_name varchar(255) NOT NULL,
        path varchar(1024),
        source varchar(16) NOT NULL,
        size_bytes bigint,
        duration_seconds integer,
        format varchar(16),
        started_at timestamptz NOT NULL,
        stopped_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_recordings PRIMARY KEY (id),
        CONSTRAINT uq_recordings_call_file_name UNIQUE (call_id, file_name),
        CONSTRAINT ck_recordings_source CHECK ("source" IN ('monitor', 'mixmonitor')),
        CONSTRAINT fk_recordings_call FOREIGN KEY (call_id) REFERENCES calls (id) ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE recordings`);
    await db.query(`DROP TABLE call_events`);
    await db.query(`DROP TABLE calls`);
  }
}
