import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795650200000 implements MigrationInterface {
  name = 'AuditLog1795650200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_log (
        id bigserial NOT NULL,
        user_id integer,
        action varchar(64) NOT NULL,
        target varchar(255),
        details jsonb,
        ip inet,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_audit_log PRIMARY KEY (id),
        CONSTRAINT fk_audit_log_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE NO ACTION
      )`);
    await db.query(`CREATE INDEX ix_audit_log_created_at ON audit_log (created_at DESC)`);
    await db.query(`CREATE INDEX ix_audit_log_user_created_at ON audit_log (user_id, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_log`);
  }
}
