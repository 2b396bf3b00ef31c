import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups of the ended calls for GET /api/stats, kept exact by PostgreSQL itself
 * (docs/database.md "Statistics rollups"): a year is summed from a few thousand rows instead of
 * millions of calls, and every write path — the ingest's batch statement, the CDR completion,
 * the restart recovery, corrections, deletes, a user's deletion (ON DELETE SET NULL), the
 * partition maintenance — keeps them current without knowing they exist.
 *
 * - `call_stats_rollup`: per UTC hour, day and month (`grain` h/d/m), assigned user (0: none),
 *   status and direction: calls, ring, known talk (an unobserved end has none) and hold seconds.
 * - `call_stats_quarters`: calls and answered per UTC quarter hour, for all calls (user_key -1)
 *   and per assigned user: the per-hour and per-day figures in any time zone whose offset is a
 *   whole number of quarter hours (every offset in use since 1979, India's +5:30 and Nepal's
 *   +5:45 included) are sums of whole quarters.
 * - `call_stats_seconds`: how many calls had each ring time (kind r) and each known talk time
 *   of an answered call (kind t), per UTC hour, day and month for all calls and per month per user:
 *   the exact 90th percentiles without reading the calls.
 * - `call_missed_open`: the inbound missed, abandoned or busy calls no later answered call to or
 *   from their number followed ("missed, not called back"), recomputed per number a write touches.
 *
 * Statement-level AFTER triggers on `calls` (with transition tables) apply each statement's net
 * change once: the old rows' contribution is subtracted and the new rows' added, grouped by
 * bucket, upserted in key order (two writers lock rollup rows in the same order: no deadlock). A
 * statement that changes no ended call, as most of the ingest's do, writes nothing. Rows moved
 * between partitions by the partition functions themselves change nothing; archiving a month
 * subtracts it and restoring adds it back (both functions are replaced here to say so).
 */
export class CallStatsRollup1795658000000 implements MigrationInterface {
  name = 'CallStatsRollup1795658000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE call_stats_rollup (
        grain char(1) NOT NULL,
        bucket timestamptz NOT NULL,
        user_key integer NOT NULL,
        status text NOT NULL,
        direction text NOT NULL,
        calls integer NOT NULL,
        ring_sum bigint NOT NULL,
        talk_sum bigint NOT NULL,
        talk_n integer NOT NULL,
        hold_sum bigint NOT NULL,
        CONSTRAINT pk_call_stats_rollup PRIMARY KEY (grain, bucket, user_key, status, direction),
        CONSTRAINT ck_call_stats_rollup_grain CHECK (grain IN ('h', 'd', 'm'))
      )`);
    await db.query(`CREATE INDEX ix_call_stats_rollup_user ON call_stats_rollup (user_key, grain, bucket)`);
    await db.query(`
      CREATE TABLE call_stats_quarters (
        user_key integer NOT NULL,
        bucket timestamptz NOT NULL,
        calls integer NOT NULL,
        answered integer NOT NULL,
        CONSTRAINT pk_call_stats_quarters PRIMARY KEY (user_key, bucket)
      )`);
    await db.query(`
      CREATE TABLE call_stats_seconds (
        user_key integer NOT NULL,
        kind char(1) NOT NULL,
        grain char(1) NOT NULL,
        bucket timestamptz NOT NULL,
        seconds integer NOT NULL,
        calls integer NOT NULL,
        CONSTRAINT pk_call_stats_seconds PRIMARY KEY (user_key, grain, bucket, kind, seconds),
        CONSTRAINT ck_call_stats_seconds_kind CHECK (kind IN ('r', 't') AND grain IN ('h', 'd', 'm'))
      )`);
    await db.query(`
      CREATE TABLE call_missed_open (
        id integer NOT NULL,
        started_at timestamptz NOT NULL,
        assigned_user_id integer,
        external_number text NOT NULL,
        CONSTRAINT pk_call_missed_open PRIMARY KEY (id)
      )`);
    await db.query(`CREATE INDEX ix_call_missed_open_started ON call_missed_open (started_at, id)`);
    await db.query(`CREATE INDEX ix_call_missed_open_user ON call_missed_open (assigned_user_id, started_at, id)`);
    await db.query(`CREATE INDEX ix_call_missed_open_number ON call_missed_open (external_number)`);

    await db.query(`
      CREATE FUNCTION crm_call_stats_apply(source text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        ${applySums('@SOURCE@')
          .map((sql) => `EXECUTE replace(${dollar(sql)}, '@SOURCE@', source);`)
          .join('\n        ')}
      END $$`);
    await db.query(`
      CREATE FUNCTION crm_call_missed_recompute(source text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        ${recomputeMissed('@SOURCE@')
          .map((sql) => `EXECUTE replace(${dollar(sql)}, '@SOURCE@', source);`)
          .join('\n        ')}
      END $$`);
    for (const [event, source] of STATS_TRIGGER_SOURCES) {
      await db.query(statsTriggerFunction('CREATE', event, source, recomputeMissed));
      const referencing = { insert: 'NEW TABLE AS crm_new', update: 'OLD TABLE AS crm_old NEW TABLE AS crm_new', delete: 'OLD TABLE AS crm_old' }[event];
      await db.query(
        `CREATE TRIGGER calls_stats_${event} AFTER ${event.toUpperCase()} ON calls REFERENCING ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION crm_call_stats_${event}()`,
      );
    }
    await db.query(`
      CREATE FUNCTION crm_call_stats_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE call_stats_rollup, call_stats_quarters, call_stats_seconds, call_missed_open;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER calls_stats_truncate AFTER TRUNCATE ON calls FOR EACH STATEMENT EXECUTE FUNCTION crm_call_stats_truncate()`);

    await db.query(ARCHIVE_MONTH.replace('@STATS@', `PERFORM crm_call_stats_apply(format('(SELECT -1 AS sign, x.* FROM %I x)', part));
        PERFORM crm_call_missed_recompute(format('(SELECT -1 AS sign, x.* FROM %I x)', part));`));
    await db.query(
      RESTORE_MONTH.replace('@STATS_BEFORE@', `PERFORM crm_call_stats_apply(format('(SELECT 1 AS sign, x.* FROM calls_archive.%I x)', archived));`).replace(
        '@STATS_AFTER@',
        `PERFORM crm_call_missed_recompute(format('(SELECT 1 AS sign, x.* FROM %I x)', 'calls_p' || suffix));`,
      ),
    );

    // The calls stored so far (memory enough to aggregate millions of calls without spilling).
    await db.query(`SET LOCAL work_mem = '256MB'`);
    await db.query(`SELECT crm_call_stats_apply('(SELECT 1 AS sign, x.* FROM calls x)')`);
    await db.query(`
      INSERT INTO call_missed_open (id, started_at, assigned_user_id, external_number)
      SELECT c.id, c.started_at, c.assigned_user_id, c.external_number FROM calls c
      WHERE ${MISSED('c')}
        AND NOT EXISTS (SELECT 1 FROM calls cb WHERE cb.external_number = c.external_number AND cb.status = 'answered' AND cb.started_at > c.started_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(ARCHIVE_MONTH.replace('@STATS@', ''));
    await db.query(RESTORE_MONTH.replace('@STATS_BEFORE@', '').replace('@STATS_AFTER@', ''));
    for (const event of ['insert', 'update', 'delete', 'truncate']) {
      await db.query(`DROP TRIGGER calls_stats_${event} ON calls`);
      await db.query(`DROP FUNCTION crm_call_stats_${event}()`);
    }
    await db.query(`DROP FUNCTION crm_call_stats_apply(text)`);
    await db.query(`DROP FUNCTION crm_call_missed_recompute(text)`);
    await db.query(`DROP TABLE call_missed_open, call_stats_seconds, call_stats_quarters, call_stats_rollup`);
  }
}

/** The transition-table rows each statement trigger function reads, with their signs. */
export const STATS_TRIGGER_SOURCES = [
  ['insert', `(SELECT 1 AS sign, n.* FROM crm_new n)`],
  ['update', `(SELECT -1 AS sign, o.* FROM crm_old o UNION ALL SELECT 1 AS sign, n.* FROM crm_new n)`],
  ['delete', `(SELECT -1 AS sign, o.* FROM crm_old o)`],
] as const;

/** The statement trigger function of `event`, with `missed` the statements recomputing call_missed_open. */
export function statsTriggerFunction(verb: 'CREATE' | 'CREATE OR REPLACE', event: string, source: string, missed: (source: string) => string[]): string {
  // Static SQL (not the EXECUTE of crm_call_stats_apply): planned once per session, on the ingest's path.
  return `
        ${verb} FUNCTION crm_call_stats_${event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- Most statements (a live call's progress, a cascade that found nothing) change nothing here.
          IF NOT EXISTS (SELECT 1 FROM ${source} d WHERE d.ended_at IS NOT NULL OR d.status = 'answered') THEN
            RETURN NULL;
          END IF;
          ${[...applySums(source), ...missed(source)].map((sql) => sql.replace(/^SELECT /, 'PERFORM ')).join(';\n          ')};
          RETURN NULL;
        END $$`;
}

const UNANSWERED = `('missed', 'abandoned', 'busy')`;
/** The first key of the advisory locks of call_missed_open's numbers (the second is the number's hash). */
const MISSED_LOCK_CLASS = 7431;
export const MISSED = (c: string) => `${c}.direction = 'inbound' AND ${c}.status IN ${UNANSWERED} AND ${c}.ended_at IS NOT NULL AND ${c}.external_number IS NOT NULL`;
/** Talk the stats count: none when the end was not observed (the call counts, its talk does not). */
const TALK = `CASE WHEN d.end_source = 'unobserved' THEN NULL ELSE d.talk_seconds END`;

export function dollar(sql: string): string {
  if (sql.includes('$q$')) throw new Error('quote clash');
  return `$q$${sql}$q$`;
}

/**
 * The statements adding a delta to the rollups. `source` yields rows of `calls` with a `sign`
 * column: -1 for a row's old state (or a deleted row), 1 for its new state (or an inserted row).
 */
export function applySums(source: string): string[] {
  return [
    `INSERT INTO call_stats_rollup AS r (grain, bucket, user_key, status, direction, calls, ring_sum, talk_sum, talk_n, hold_sum)
     SELECT g.grain, date_trunc(g.unit, d.started_at, 'UTC'), COALESCE(d.assigned_user_id, 0), d.status, d.direction,
            sum(d.sign), sum(d.sign * d.ring_seconds), COALESCE(sum(d.sign * ${TALK}), 0),
            sum(CASE WHEN ${TALK} IS NULL THEN 0 ELSE d.sign END), sum(d.sign * d.hold_seconds)
     FROM ${source} d CROSS JOIN (VALUES ('h', 'hour'), ('d', 'day'), ('m', 'month')) g(grain, unit)
     WHERE d.ended_at IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
     HAVING sum(d.sign) <> 0 OR sum(d.sign * d.ring_seconds) <> 0 OR COALESCE(sum(d.sign * ${TALK}), 0) <> 0
         OR sum(CASE WHEN ${TALK} IS NULL THEN 0 ELSE d.sign END) <> 0 OR sum(d.sign * d.hold_seconds) <> 0
     ORDER BY 1, 2, 3, 4, 5
     ON CONFLICT (grain, bucket, user_key, status, direction) DO UPDATE SET
       calls = r.calls + EXCLUDED.calls, ring_sum = r.ring_sum + EXCLUDED.ring_sum, talk_sum = r.talk_sum + EXCLUDED.talk_sum,
       talk_n = r.talk_n + EXCLUDED.talk_n, hold_sum = r.hold_sum + EXCLUDED.hold_sum`,
    `INSERT INTO call_stats_quarters AS r (user_key, bucket, calls, answered)
     SELECT s.user_key, date_bin('15 minutes', d.started_at, '2000-01-01 00:00:00+00'), sum(d.sign),
            sum(CASE WHEN d.status = 'answered' THEN d.sign ELSE 0 END)
     FROM ${source} d CROSS JOIN LATERAL (VALUES (-1), (d.assigned_user_id)) s(user_key)
     WHERE d.ended_at IS NOT NULL AND s.user_key IS NOT NULL
     GROUP BY 1, 2
     HAVING sum(d.sign) <> 0 OR sum(CASE WHEN d.status = 'answered' THEN d.sign ELSE 0 END) <> 0
     ORDER BY 1, 2
     ON CONFLICT (user_key, bucket) DO UPDATE SET calls = r.calls + EXCLUDED.calls, answered = r.answered + EXCLUDED.answered`,
    `INSERT INTO call_stats_seconds AS r (user_key, kind, grain, bucket, seconds, calls)
     SELECT s.user_key, k.kind, s.grain, date_trunc(s.unit, d.started_at, 'UTC'), k.seconds, sum(d.sign)
     FROM ${source} d
     CROSS JOIN LATERAL (VALUES ('r', d.ring_seconds), ('t', CASE WHEN d.status = 'answered' THEN ${TALK} END)) k(kind, seconds)
     CROSS JOIN LATERAL (VALUES (-1, 'h', 'hour'), (-1, 'd', 'day'), (-1, 'm', 'month'), (d.assigned_user_id, 'm', 'month')) s(user_key, grain, unit)
     WHERE d.ended_at IS NOT NULL AND k.seconds IS NOT NULL AND s.user_key IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
     HAVING sum(d.sign) <> 0
     ORDER BY 1, 3, 4, 2, 5
     ON CONFLICT (user_key, grain, bucket, kind, seconds) DO UPDATE SET calls = r.calls + EXCLUDED.calls`,
  ];
}

/**
 * The statements recomputing `call_missed_open` for every number whose missed or answered calls
 * the delta changed (a row whose relevant state is the same before and after cancels out): its
 * open missed calls are deleted and found again in `calls` as they are now.
 */
export function recomputeMissed(source: string): string[] {
  const touched = touchedNumbers(source);
  return [
    // Numbers are recomputed one writer at a time (a transaction-scoped lock per number, taken in
    // order): the DELETE below then sees what a writer that held the lock before committed, so
    // two writers of the same number at once (two PBXs, a correction during the ingest) cannot
    // each miss the other's rows.
    `SELECT count(pg_advisory_xact_lock(${MISSED_LOCK_CLASS}, hashtext(t.external_number))) FROM (${touched} ORDER BY 1) t`,
    `DELETE FROM call_missed_open m WHERE m.external_number IN (${touched})`,
    `INSERT INTO call_missed_open (id, started_at, assigned_user_id, external_number)
     SELECT c.id, c.started_at, c.assigned_user_id, c.external_number
     FROM calls c WHERE c.external_number IN (${touched}) AND ${MISSED('c')}
       AND NOT EXISTS (SELECT 1 FROM calls cb WHERE cb.external_number = c.external_number AND cb.status = 'answered' AND cb.started_at > c.started_at)
     ORDER BY c.id`,
  ];
}

/** The numbers whose missed or answered calls the delta `source` changed (a row that is the same before and after cancels out). */
export function touchedNumbers(source: string): string {
  return `
    SELECT DISTINCT x.external_number FROM (
      SELECT d.id, d.external_number, d.started_at, d.assigned_user_id,
             CASE WHEN d.status = 'answered' THEN 'a' WHEN ${MISSED('d')} THEN 'm' END AS role, d.sign
      FROM ${source} d WHERE d.external_number IS NOT NULL) x
    WHERE x.role IS NOT NULL
    GROUP BY x.id, x.external_number, x.started_at, x.assigned_user_id, x.role
    HAVING sum(x.sign) <> 0`;
}

/** crm_calls_archive_month as CallsPartitioned1795657000000 made it, with the rollups' step at @STATS@. */
const ARCHIVE_MONTH = `
    CREATE OR REPLACE PROCEDURE crm_calls_archive_month(month date) LANGUAGE plpgsql AS $$
    DECLARE
      suffix text := to_char(month, 'YYYY_MM');
      part text := 'calls_p' || suffix;
      fk record;
    BEGIN
      IF to_regclass(part) IS NOT NULL THEN
        SET LOCAL lock_timeout = '5s';
        EXECUTE format('ALTER TABLE calls DETACH PARTITION %I', part);
        -- The month leaves the statistics in the transaction that detaches it.
        @STATS@
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
    END $$`;

/** crm_calls_restore_month as CallsPartitioned1795657000000 made it, with the rollups' steps. */
const RESTORE_MONTH = `
    CREATE OR REPLACE FUNCTION crm_calls_restore_month(month date) RETURNS integer LANGUAGE plpgsql AS $$
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
      -- The archived calls count again (before the default partition's rows join them: those count already).
      @STATS_BEFORE@
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
      -- Missed calls of the month, and those its answered calls close, as the calls now say.
      @STATS_AFTER@
      RETURN restored;
    END $$`;
