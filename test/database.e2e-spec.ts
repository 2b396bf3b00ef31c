import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, MIGRATIONS_TABLE } from '../apps/server/src/database/data-source-options';
import { MIGRATIONS } from '../apps/server/src/database/migrations';
import { runPendingMigrations } from '../apps/server/src/database/migration-runner';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

const APP_TABLES = ['audit_log', 'call_events', 'call_keys', 'call_missed_open', 'call_stats_clock_hours', 'call_stats_pending', 'call_stats_quarters', 'call_stats_rollup', 'call_stats_seconds', 'call_stats_seconds_bins', 'calls', 'companies', 'company_phones', 'recordings', 'user_phones', 'users'];

/** The tables of the public schema, a partitioned table once (its partitions are not listed). */
async function tables(database: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    database,
    `SELECT relname AS table_name FROM pg_class
     WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname`,
  );
  return rows.map((row) => row.table_name);
}

describe('migrations on an empty database', () => {
  const database = uniqueName('crm_migrations');
  let dataSource: DataSource;

  beforeAll(async () => {
    await createDatabase(database);
    dataSource = await new DataSource(
      buildDataSourceOptions(
        { host: process.env.DB_HOST!, port: Number(process.env.DB_PORT), user: process.env.DB_USER!, password: process.env.DB_PASSWORD, ssl: false },
        database,
      ),
    ).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase(database);
  });

  it('run all, revert all, run all again', async () => {
    expect(await runPendingMigrations(dataSource)).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(await tables(database)).toEqual([...APP_TABLES, MIGRATIONS_TABLE].sort());

    for (let step = 0; step < MIGRATIONS.length; step++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables(database)).toEqual([MIGRATIONS_TABLE]);

    expect(await runPendingMigrations(dataSource)).toHaveLength(MIGRATIONS.length);
    expect(await tables(database)).toEqual([...APP_TABLES, MIGRATIONS_TABLE].sort());
    expect(await runPendingMigrations(dataSource)).toEqual([]);
  });

  it('leaves nothing for the entities to change: entities and migrations describe one schema', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((sql) => sql.query)).toEqual([]);
  });

  it('stores every timestamp as timestamptz', async () => {
    const plain = await query<{ table_name: string; column_name: string }>(
      database,
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'`,
    );
    expect(plain).toEqual([]);
  });

  it('names the constraints and indexes the API maps to errors and the history queries use', async () => {
    const constraints = (await query<{ conname: string }>(database, `SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace`)).map(
      (row) => row.conname,
    );
    expect(constraints).toEqual(
      expect.arrayContaining([
        'uq_users_username',
        'uq_users_email',
        'uq_user_phones_normalized_number',
        'uq_company_phones_normalized_number',
        'uq_companies_inn',
        'uq_call_keys_pbx_linkedid',
        'uq_call_events_call_dedupe_key',
        'uq_recordings_call_file_name',
        'fk_call_events_call',
      ]),
    );
    const indexes = (await query<{ indexname: string }>(database, `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`)).map((row) => row.indexname);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'uq_companies_name_lower',
        'ix_calls_started_at_id',
        'ix_calls_assigned_user_started_at',
        'ix_calls_caller_company_started_at',
        'ix_calls_caller_number_trgm',
        'ix_company_phones_company_id',
      ]),
    );
  });

  it('enforces the call invariants in the database', async () => {
    const insertCall = (linkedid: string, extra = '') =>
      query(
        database,
        `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, caller_number, receiver_number, started_at${extra ? ', duration, talk_seconds' : ''})
         VALUES ('p1', $1, $1, 'inbound', '+74951234567', '1001', now()${extra})`,
        [linkedid],
      );
    await insertCall('1700000000.1');
    await expect(insertCall('1700000000.1')).rejects.toMatchObject({ constraint: 'uq_call_keys_pbx_linkedid' });
    await expect(insertCall('1700000000.2', ', 10, 9')).rejects.toMatchObject({ constraint: 'ck_calls_duration_is_talk' });
    const [{ id }] = await query<{ id: number }>(database, `SELECT id FROM calls WHERE linkedid = '1700000000.1'`);
    await query(database, `INSERT INTO call_events (call_id, type, occurred_at, dedupe_key) VALUES ($1, 'ringing', now(), 'k1')`, [id]);
    await expect(query(database, `INSERT INTO call_events (call_id, type, occurred_at, dedupe_key) VALUES ($1, 'ringing', now(), 'k1')`, [id])).rejects.toMatchObject({
      constraint: 'uq_call_events_call_dedupe_key',
    });
    await query(database, `DELETE FROM calls WHERE id = $1`, [id]);
    expect(await query(database, `SELECT 1 FROM call_events WHERE call_id = $1`, [id])).toEqual([]);
  });
});
