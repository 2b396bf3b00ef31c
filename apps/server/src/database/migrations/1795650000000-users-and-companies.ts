import { MigrationInterface, QueryRunner } from 'typeorm';

export class UsersAndCompanies1795650000000 implements MigrationInterface {
  name = 'UsersAndCompanies1795650000000';

  async up(db: QueryRunner): Promise<void> {
    // Trigram indexes serve "contains" searches on names and numbers. pg_trgm is a trusted
    // extension (PostgreSQL 13+): the database owner may create it. It is left in place on
    // revert because other schemas in the database may use it.
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await db.query(`
      CREATE TABLE users (
        id serial NOT NULL,
        first_name varchar(30),
        last_name varchar(30),
        username varchar(100) NOT NULL,
        email varchar(100) NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'offline',
        password_hash varchar(255) NOT NULL,
        role varchar(20) NOT NULL DEFAULT 'operator',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_users PRIMARY KEY (id),
        CONSTRAINT uq_users_username UNIQUE (username),
        CONSTRAINT uq_users_email UNIQUE (email),
        CONSTRAINT ck_users_role CHECK ("role" IN ('admin', 'supervisor', 'operator')),
        CONSTRAINT ck_users_status CHECK ("status" IN ('online', 'offline', 'away', 'busy'))
      )`);

    await db.query(`
      CREATE TABLE user_phones (
        id serial NOT NULL,
        user_id integer NOT NULL,
        phone_number varchar(32) NOT NULL,
        phone_type varchar(20) NOT NULL,
        normalized_number varchar(20) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_user_phones PRIMARY KEY (id),
        CONSTRAINT uq_user_phones_normalized_number UNIQUE (normalized_number),
        CONSTRAINT ck_user_phones_phone_type CHECK ("phone_type" IN ('extension', 'mobile', 'work', 'home', 'other')),
        CONSTRAINT fk_user_phones_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await db.query(`CREATE INDEX ix_user_phones_user_id ON user_phones (user_id)`);

    await db.query(`
      CREATE TABLE companies (
        id serial NOT NULL,
        name varchar(200) NOT NULL,
        inn varchar(12),
        email varchar(100),
        notes text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_companies PRIMARY KEY (id),
        CONSTRAINT uq_companies_inn UNIQUE (inn)
      )`);
    await db.query(`CREATE UNIQUE INDEX uq_companies_name_lower ON companies (lower(name))`);
    await db.query(`CREATE INDEX ix_companies_name_trgm ON companies USING gin (name gin_trgm_ops)`);

    await db.query(`
      CREATE TABLE company_phones (
        id serial NOT NULL,
        company_id integer NOT NULL,
        phone_number varchar(32) NOT NULL,
        normalized_number varchar(20) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_company_phones PRIMARY KEY (id),
        CONSTRAINT uq_company_phones_normalized_number UNIQUE (normalized_number),
        CONSTRAINT fk_company_phones_company FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await db.query(`CREATE INDEX ix_company_phones_company_id ON company_phones (company_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE company_phones`);
    await db.query(`DROP TABLE companies`);
    await db.query(`DROP TABLE user_phones`);
    await db.query(`DROP TABLE users`);
  }
}
