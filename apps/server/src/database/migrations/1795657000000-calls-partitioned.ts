import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `calls` partitioned by month of `started_at` (UTC), so a month is added, archived or restored
 * as one table instead of millions of row writes (docs/adr/0009-calls-partitioned-by-month.md).
 *
 * - `call_keys` (not partitioned) is the identity of every stored call: its id and its
 *   (pbx_id, linkedid), unique. A unique index of a partitioned table must contain the partition
 *   key, and a call's `started_at` can still be corrected after it is stored, so uniqueness and
 *   the foreign keys of `call_events` and `recordings` live here; `started_at` says which
 *   partition holds the row. Triggers keep it current, so SQL that writes `calls` stays as it
 *   was: an insert without an id creates the key, a change of `started_at` (the row moves to
 *   another partition) follows it, and deleting calls deletes their keys (and with them the
 *   timeline and recordings). The sequence of `calls.id` becomes the keys' (ids are kept).
 * - `calls_default` takes rows no month partition covers yet; crm_calls_add_partition(month)
 *   creates a month (moving such rows in), crm_calls_archive_month(month) detaches one into the
 *   schema `calls_archive` with its timeline and recordings rows, crm_calls_restore_month(month)
 *   puts it back. The maintenance job (CallsPartitionJob) calls them; an operator can too.
 * - The existing rows move into their months; every index is recreated from its own definition.
 */
export class CallsPartitioned1795657000000 implements MigrationInterface {
  name = 'CallsPartitioned1795657000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE call_keys (
        id integer NOT NULL,
        pbx_id varchar(64) NOT NULL,
        linkedid varchar(64) NOT NULL,
        started_at timestamptz NOT NULL,
        CONSTRAINT pk_call_keys PRIMARY KEY (id),
        CONSTRAINT uq_call_keys_pbx_linkedid UNIQUE (pbx_id, linkedid)
      )`);
    await db.query(`ALTER SEQUENCE calls_id_seq RENAME TO call_keys_id_seq`);
    await db.query(`ALTER SEQUENCE call_keys_id_seq OWNED BY call_keys.id`);
    await db.query(`ALTER TABLE call_keys ALTER COLUMN id SET DEFAULT nextval('call_keys_id_seq')`);
    await db.query(`INSERT INTO call_keys (id, pbx_id, linkedid, started_at) SELECT id, pbx_id, linkedid, started_at FROM calls`);
    await repointReferences(db, 'call_keys');

    const indexes = await secondaryIndexes(db, 'calls');
    for (const { name } of indexes) await db.query(`DROP INDEX ${name}`);
    await db.query(`ALTER TABLE calls RENAME TO calls_unpartitioned`);
    await db.query(`ALTER TABLE calls_unpartitioned DROP CONSTRAINT pk_calls, DROP CONSTRAINT uq_calls_pbx_linkedid, DROP CONSTRAINT uq_calls_pbx_call_uid`);
    await db.query(`CREATE TABLE calls (LIKE calls_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (started_at)`);
    await db.query(`ALTER TABLE calls ALTER COLUMN id DROP DEFAULT`);
    await db.query(`CREATE TABLE calls_default PARTITION OF calls DEFAULT`);
    await db.query(`CREATE SCHEMA calls_archive`);
    await createFunctions(db);
    await db.query(`
      SELECT crm_calls_add_partition(m::date)
      FROM (SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'UTC') AS m FROM calls_unpartitioned
            UNION SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') + interval '${MONTHS_AHEAD} months', interval '1 month')) months
      ORDER BY m`);
    await db.query(`INSERT INTO calls SELECT * FROM calls_unpartitioned`);
    await db.query(`DROP TABLE calls_unpartitioned`);

    await db.query(`ALTER TABLE calls ADD CONSTRAINT pk_calls PRIMARY KEY (id, started_at)`);
    await db.query(`ALTER TABLE calls ADD CONSTRAINT fk_calls_key FOREIGN KEY (id) REFERENCES call_keys (id) ON DELETE CASCADE`);
    await db.query(`ALTER TABLE calls ADD CONSTRAINT fk_calls_assigned_user FOREIGN KEY (assigned_user_id) REFERENCES users (id) ON DELETE SET NULL`);
    await db.query(`ALTER TABLE calls ADD CONSTRAINT fk_calls_caller_company FOREIGN KEY (caller_company_id) REFERENCES companies (id) ON DELETE SET NULL`);
    for (const { definition } of indexes) await db.query(definition);
    await createKeyTriggers(db);
  }

  async down(db: QueryRunner): Promise<void> {
    const [{ archived }] = await db.query(`SELECT count(*)::int AS archived FROM pg_tables WHERE schemaname = 'calls_archive'`);
    if (archived > 0) throw new Error('calls_archive holds archived months: restore them first (SELECT crm_calls_restore_month(...))');
    const indexes = await secondaryIndexes(db, 'calls');
    await db.query(`DROP TRIGGER calls_key_insert ON calls`);
    await db.query(`DROP TRIGGER calls_key_follow ON calls`);
    await db.query(`DROP TRIGGER calls_key_delete ON calls`);
    await db.query(`ALTER TABLE calls RENAME TO calls_partitioned`);
    await db.query(`ALTER TABLE calls_partitioned DROP CONSTRAINT pk_calls`);
    for (const { name } of indexes) await db.query(`DROP INDEX ${name}`);
    await db.query(`CREATE TABLE calls (LIKE calls_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await db.query(`INSERT INTO calls SELECT * FROM calls_partitioned`);
    await db.query(`DROP TABLE calls_partitioned`);
    await db.query(`ALTER SEQUENCE call_keys_id_seq OWNED BY calls.id`);
    await db.query(`ALTER SEQUENCE call_keys_id_seq RENAME TO calls_id_seq`);
    await db.query(`ALTER TABLE calls ALTER COLUMN id SET DEFAULT nextval('calls_id_seq')`);
    await db.query(`
      ALTER TABLE calls
        ADD CONSTRAINT pk_calls PRIMARY KEY (id),
        ADD CONSTRAINT uq_calls_pbx_linkedid UNIQUE (pbx_id, linkedid),
        ADD CONSTRAINT uq_calls_pbx_call_uid UNIQUE (pbx_id, call_uid),
        ADD CONSTRAINT fk_calls_assigned_user FOREIGN KEY (assigned_user_id) REFERENCES users (id) ON DELETE SET NULL,
        ADD CONSTRAINT fk_calls_caller_company FOREIGN KEY (caller_company_id) REFERENCES companies (id) ON DELETE SET NULL`);
    for (const { definition } of indexes) await db.query(definition);
    await repointReferences(db, 'calls');
    await db.query(`DROP TABLE call_keys`);
    await db.query(`DROP SCHEMA calls_archive`);
    await db.query(`DROP PROCEDURE crm_calls_archive_month(date)`);
    await db.query(`DROP FUNCTION crm_calls_restore_month(date)`);
    await db.query(`DROP FUNCTION crm_calls_add_partition(date)`);
    await db.query(`DROP FUNCTION crm_calls_key_insert()`);
    await db.query(`DROP FUNCTION crm_calls_key_follow()`);
    await db.query(`DROP FUNCTION crm_calls_key_delete()`);
  }
}

/** Months created ahead of the current one (the maintenance job keeps it so). */
const MONTHS_AHEAD = 3;

/**
 * The indexes of a table that back no constraint, with their definitions (naming the table by its
 * current name; a partitioned table's say `ON ONLY`, which a plain table does not need).
 */
async function secondaryIndexes(db: QueryRunner, table: string): Promise<Array<{ name: string; definition: string }>> {
  return db.query(
    `SELECT i.indexname AS name, replace(i.indexdef, ' ON ONLY ', ' ON ') AS definition FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
     ORDER BY i.indexname`,
    [table],
  );
}

/** Points the timeline's and the recordings' foreign keys at `target` (call_keys, or calls on revert). */
async function repointReferences(db: QueryRunner, target: string): Promise<void> {
  for (const [table, constraint] of [
    ['call_events', 'fk_call_events_call'],
    ['recordings', 'fk_recordings_call'],
  ]) {
    await db.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
    await db.query(`ALTER TABLE ${table} ADD CONSTRAINT ${constraint} FOREIGN KEY (call_id) REFERENCES ${target} (id) ON DELETE CASCADE`);
  }
}

async function createKeyTriggers(db: QueryRunner): Promise<void> {
  await db.query(`
    CREATE FUNCTION crm_calls_key_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO call_keys (pbx_id, linkedid, started_at) VALUES (NEW.pbx_id, NEW.linkedid, NEW.started_at) RETURNING id INTO NEW.id;
      RETURN NEW;
    END $$`);
  // A row written with its id (the ingest's updates, a row moving partitions) has its key already.
  await db.query(`CREATE TRIGGER calls_key_insert BEFORE INSERT ON calls FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION crm_calls_key_insert()`);
  await db.query(`
    CREATE FUNCTION crm_calls_key_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE call_keys SET pbx_id = NEW.pbx_id, linkedid = NEW.linkedid, started_at = NEW.started_at WHERE id = NEW.id;
      RETURN NEW;
    END $$`);
  await db.query(`
    CREATE TRIGGER calls_key_follow BEFORE UPDATE ON calls FOR EACH ROW
    WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.pbx_id IS DISTINCT FROM NEW.pbx_id OR OLD.linkedid IS DISTINCT FROM NEW.linkedid)
    EXECUTE FUNCTION crm_calls_key_follow()`);
  // Statement-level: a row moving to another partition is an UPDATE statement and keeps its key.
  await db.query(`
    CREATE FUNCTION crm_calls_key_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM call_keys k USING gone g WHERE k.id = g.id;
      RETURN NULL;
    END $$`);
  await db.query(`CREATE TRIGGER calls_key_delete AFTER DELETE ON calls REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION crm_calls_key_delete()`);
}

/**
 * The partition functions. Months are UTC months; a partition is `calls_pYYYY_MM`, its archive
 * `calls_archive.calls_YYYY_MM` (+ `call_events_YYYY_MM`, `recordings_YYYY_MM`). Rows move
 * between a partition and the default or the archive by statements on the partitions themselves,
 * which fire none of the parent's statement triggers: the calls stay what they were.
 */
async function createFunctions(db: QueryRunner): Promise<void> {
  await db.query(`
    CREATE FUNCTION crm_calls_add_partition(month date) RETURNS boolean LANGUAGE plpgsql AS $$
    DECLARE
      lo timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
      hi timestamptz := (date_trunc('month', month)::timestamp + interval '1 month') AT TIME ZONE 'UTC';
      part text := 'calls_p' || to_char(month, 'YYYY_MM');
    BEGIN
      IF to_regclass(part) IS NOT NULL OR to_regclass('calls_archive.calls_' || to_char(month, 'YYYY_MM')) IS NOT NULL THEN
        RETURN false;
      END IF;
      -- Created apart and attached: ATTACH locks the parent far more lightly than PARTITION OF.
      EXECUTE format('CREATE TABLE %I (LIKE calls INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
      -- Calls the default partition took while the month was missing move in.
      EXECUTE format('INSERT INTO %I SELECT * FROM calls_default WHERE started_at >= %L AND started_at < %L', part, lo, hi);
      DELETE FROM calls_default WHERE started_at >= lo AND started_at < hi;
      EXECUTE format('ALTER TABLE calls ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
      RETURN true;
    END $$`);

  // A procedure: the detach (a short exclusive lock on calls) commits before the bulk work, and a
  // run cut short is finished by the next call.
  await db.query(`
    CREATE PROCEDURE crm_calls_archive_month(month date) LANGUAGE plpgsql AS $$
    DECLARE
      suffix text := to_char(month, 'YYYY_MM');
      part text := 'calls_p' || suffix;
      fk record;
    BEGIN
      IF to_regclass(part) IS NOT NULL THEN
        SET LOCAL lock_timeout = '5s';
        EXECUTE format('ALTER TABLE calls DETACH PARTITION %I', part);
        -- Its keys are deleted below; nothing there may cascade into the archive.
        FOR fk IN SELECT conname FROM pg_constraint WHERE conrelid = part::regclass AND contype = 'f' AND confrelid = 'call_keys'::regclass LOOP
          EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, fk.conname);
        END LOOP;
        EXECUTE format('ALTER TABLE %I SET SCHEMA calls_archive', part);
        EXECUTE format('ALTER TABLE calls_archive.%I RENAME TO %I', part, 'calls_' || suffix);
        COMMIT;
      END IF;
      -- One transaction: the archived timeline exists exactly when the keys are gone.
      IF to_regclass('calls_archive.calls_' || suffix) IS NOT NULL AND to_regclass('calls_archive.call_events_' || suffix) IS NULL THEN
        EXECUTE format('CREATE TABLE calls_archive.%I AS SELECT e.* FROM call_events e JOIN calls_archive.%I c ON c.id = e.call_id',
          'call_events_' || suffix, 'calls_' || suffix);
        EXECUTE format('CREATE TABLE calls_archive.%I AS SELECT r.* FROM recordings r JOIN calls_archive.%I c ON c.id = r.call_id',
          'recordings_' || suffix, 'calls_' || suffix);
        -- The keys go, and their timeline and recordings rows with them.
        EXECUTE format('DELETE FROM call_keys k USING calls_archive.%I c WHERE k.id = c.id', 'calls_' || suffix);
        COMMIT;
      END IF;
    END $$`);

  await db.query(`
    CREATE FUNCTION crm_calls_restore_month(month date) RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE
      suffix text := to_char(month, 'YYYY_MM');
      archived text := 'calls_' || suffix;
      lo timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
      hi timestamptz := (date_trunc('month', month)::timestamp + interval '1 month') AT TIME ZONE 'UTC';
      restored integer;
    BEGIN
      IF to_regclass('calls_archive.' || archived) IS NULL THEN
        RAISE EXCEPTION 'no archived month % (calls_archive.%)', suffix, archived;
      END IF;
      IF to_regclass('calls_p' || suffix) IS NOT NULL THEN
        RAISE EXCEPTION 'calls_p% exists: the month is not archived', suffix;
      END IF;
      EXECUTE format('INSERT INTO call_keys (id, pbx_id, linkedid, started_at) SELECT id, pbx_id, linkedid, started_at FROM calls_archive.%I', archived);
      GET DIAGNOSTICS restored = ROW_COUNT;
      EXECUTE format('INSERT INTO call_events SELECT * FROM calls_archive.%I', 'call_events_' || suffix);
      EXECUTE format('INSERT INTO recordings SELECT * FROM calls_archive.%I', 'recordings_' || suffix);
      EXECUTE format('DROP TABLE calls_archive.%I, calls_archive.%I', 'call_events_' || suffix, 'recordings_' || suffix);
      EXECUTE format('ALTER TABLE calls_archive.%I SET SCHEMA public', archived);
      EXECUTE format('ALTER TABLE %I RENAME TO %I', archived, 'calls_p' || suffix);
      -- Calls the default partition took for these dates meanwhile (none unless the archive was early) move in.
      EXECUTE format('INSERT INTO %I SELECT * FROM calls_default WHERE started_at >= %L AND started_at < %L', 'calls_p' || suffix, lo, hi);
      DELETE FROM calls_default WHERE started_at >= lo AND started_at < hi;
      EXECUTE format('ALTER TABLE calls ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', 'calls_p' || suffix, lo, hi);
      RETURN restored;
    END $$`);
}
