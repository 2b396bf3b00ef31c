import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { CallsPartitionJob } from '../apps/server/src/call-ingest';
import { buildDataSourceOptions } from '../apps/server/src/database/data-source-options';
import { MIGRATIONS } from '../apps/server/src/database/migrations';
import { CallsPartitioned1795657000000 } from '../apps/server/src/database/migrations/1795657000000-calls-partitioned';
import { insertCall, insertRecording } from './support/recording-rows';
import { loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

/** Where each call's row is: its partition (by name), or nothing. */
async function partitionsOf(database: string, ids: number[]): Promise<Record<number, string>> {
  const rows = await query<{ id: number; part: string }>(database, `SELECT id, tableoid::regclass::text AS part FROM calls WHERE id = ANY($1::int[])`, [ids]);
  return Object.fromEntries(rows.map((r) => [r.id, r.part]));
}

async function insertStep(database: string, callId: number, type: string, at: string): Promise<void> {
  await query(database, `INSERT INTO call_events (call_id, type, occurred_at, dedupe_key) VALUES ($1, $2, $3, $4)`, [callId, type, at, `${type}:${at}`]);
}

describe('calls partitioned by month', () => {
  const connection = { host: process.env.DB_HOST!, port: Number(process.env.DB_PORT), user: process.env.DB_USER!, password: process.env.DB_PASSWORD, ssl: false };

  describe('the migration', () => {
    const database = uniqueName('crm_partition_migration');
    afterAll(() => dropDatabase(database));

    it('moves the stored calls into their months, keeping their ids, timelines and recordings', async () => {
      await createDatabase(database);
      const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(CallsPartitioned1795657000000));
      const old = await new DataSource({ ...buildDataSourceOptions(connection, database), migrations: before }).initialize();
      await old.runMigrations({ transaction: 'each' });
      await old.destroy();

      const ids = [
        await insertCall(database, { startedAt: '2025-03-10T10:00:00Z' }),
        await insertCall(database, { startedAt: '2025-03-31T23:59:59.999Z' }),
        await insertCall(database, { startedAt: '2026-01-15T08:00:00Z' }),
      ];
      await insertStep(database, ids[1], 'ringing', '2025-03-31T23:59:59.999Z');
      await insertStep(database, ids[1], 'ended', '2025-04-01T00:00:29.999Z');
      await insertRecording(database, ids[2], { key: null, status: 'pending' });

      const all = await new DataSource(buildDataSourceOptions(connection, database)).initialize();
      try {
        await all.runMigrations({ transaction: 'each' });
      } finally {
        await all.destroy();
      }
      expect(await partitionsOf(database, ids)).toEqual({ [ids[0]]: 'calls_p2025_03', [ids[1]]: 'calls_p2025_03', [ids[2]]: 'calls_p2026_01' });
      expect(await query(database, `SELECT id, started_at FROM call_keys ORDER BY id`)).toEqual(
        (await query(database, `SELECT id, started_at FROM calls ORDER BY id`)).map((r) => ({ id: r.id, started_at: r.started_at })),
      );
      expect(await query(database, `SELECT call_id, type FROM call_events ORDER BY id`)).toEqual([
        { call_id: ids[1], type: 'ringing' },
        { call_id: ids[1], type: 'ended' },
      ]);
      expect(await query(database, `SELECT call_id FROM recordings`)).toEqual([{ call_id: ids[2] }]);
      // The id sequence goes on where it was.
      const next = await insertCall(database, { startedAt: '2026-01-20T08:00:00Z' });
      expect(next).toBe(Math.max(...ids) + 1);
    }, 60_000);
  });

  describe('the maintenance job', () => {
    const database = uniqueName('crm_partitions');
    let testApp: TestApp;
    let job: CallsPartitionJob;
    let admin: string;

    beforeAll(async () => {
      await createDatabase(database);
      testApp = await startTestApp({ DB_NAME: database, CALLS_RETENTION_MONTHS: '2' });
      job = testApp.app.get(CallsPartitionJob);
      admin = await loginAdmin(testApp);
      // The pass the application started with (as of today) is over before the tests pick their own dates.
      await job.runOnce();
    }, 60_000);

    afterAll(async () => {
      await testApp?.close();
      await dropDatabase(database);
    });

    const get = async (path: string, status = 200) => (await testApp.http().get(path).set('Authorization', `Bearer ${admin}`).expect(status)).body;

    it('creates the current month and the three after it, moving in the calls a missing month left in the default partition', async () => {
      const id = await insertCall(database, { startedAt: '2031-06-15T09:00:00Z' });
      await insertStep(database, id, 'ringing', '2031-06-15T09:00:00Z');
      expect(await partitionsOf(database, [id])).toEqual({ [id]: 'calls_default' });

      const run = await job.runOnce(new Date('2031-05-10T12:00:00Z'));
      expect(run.created).toEqual(['2031-05', '2031-06', '2031-07', '2031-08']);
      expect(await partitionsOf(database, [id])).toEqual({ [id]: 'calls_p2031_06' });
      const detail = await get(`/api/calls/${id}`);
      expect(detail.timeline.map((step: { type: string }) => step.type)).toEqual(['ringing']);
      // Nothing to do a second time.
      expect((await job.runOnce(new Date('2031-05-10T12:00:00Z'))).created).toEqual([]);
    });

    it('archives the months before CALLS_RETENTION_MONTHS with their timelines and recordings, and restores them as they were', async () => {
      const january = [await insertCall(database, { startedAt: '2020-01-05T10:00:00Z' }), await insertCall(database, { startedAt: '2020-01-31T23:59:59Z' })];
      const february = await insertCall(database, { startedAt: '2020-02-01T00:00:00Z' });
      await insertStep(database, january[0], 'ringing', '2020-01-05T10:00:00Z');
      await insertStep(database, january[0], 'ended', '2020-01-05T10:00:30Z');
      await insertRecording(database, january[1], { key: '2020/01/a.wav', startedAt: '2020-01-31T23:59:59Z' });
      await job.runOnce(new Date('2020-01-01T00:00:00Z'));
      expect(await partitionsOf(database, [...january, february])).toEqual({ [january[0]]: 'calls_p2020_01', [january[1]]: 'calls_p2020_01', [february]: 'calls_p2020_02' });

      const period = '/api/calls?from=2020-01-01T00:00:00Z&to=2020-03-01T00:00:00Z&limit=50';
      const listed = await get(period);
      const details = await Promise.all(january.map((id) => get(`/api/calls/${id}`)));
      expect(listed.items).toHaveLength(3);

      // As of 2020-04-15 with 2 months kept, January is archived; February stays.
      const run = await job.runOnce(new Date('2020-04-15T00:00:00Z'));
      expect(run.archived).toContain('2020-01');
      expect(run.archived).not.toContain('2020-02');
      expect((await get(period)).items.map((c: { id: string }) => Number(c.id))).toEqual([february]);
      await get(`/api/calls/${january[0]}`, 404);
      expect(await query(database, `SELECT count(*)::int AS n FROM call_keys WHERE id = ANY($1::int[])`, [january])).toEqual([{ n: 0 }]);
      expect(await query(database, `SELECT count(*)::int AS n FROM calls_archive.calls_2020_01`)).toEqual([{ n: 2 }]);
      expect(await query(database, `SELECT type FROM calls_archive.call_events_2020_01 ORDER BY id`)).toEqual([{ type: 'ringing' }, { type: 'ended' }]);
      expect(await query(database, `SELECT call_id FROM calls_archive.recordings_2020_01`)).toEqual([{ call_id: january[1] }]);

      expect(await query(database, `SELECT crm_calls_restore_month('2020-01-01') AS restored`)).toEqual([{ restored: 2 }]);
      expect(await get(period)).toEqual(listed);
      expect(await Promise.all(january.map((id) => get(`/api/calls/${id}`)))).toEqual(details);
      expect(await query(database, `SELECT tablename FROM pg_tables WHERE schemaname = 'calls_archive' AND tablename LIKE '%2020_01'`)).toEqual([]);
    });

    it('finishes an archive that was cut short after the detach', async () => {
      const id = await insertCall(database, { startedAt: '2019-05-05T10:00:00Z' });
      await insertStep(database, id, 'ringing', '2019-05-05T10:00:00Z');
      await job.runOnce(new Date('2019-05-01T00:00:00Z'));
      // What the procedure's first transaction leaves before it commits the rest.
      await query(database, `ALTER TABLE calls DETACH PARTITION calls_p2019_05`);
      await query(database, `ALTER TABLE calls_p2019_05 DROP CONSTRAINT fk_calls_key`);
      await query(database, `ALTER TABLE calls_p2019_05 SET SCHEMA calls_archive`);
      await query(database, `ALTER TABLE calls_archive.calls_p2019_05 RENAME TO calls_2019_05`);

      expect((await job.runOnce(new Date('2019-09-01T00:00:00Z'))).archived).toContain('2019-05');
      expect(await query(database, `SELECT call_id FROM calls_archive.call_events_2019_05`)).toEqual([{ call_id: id }]);
      expect(await query(database, `SELECT count(*)::int AS n FROM call_keys WHERE id = $1`, [id])).toEqual([{ n: 0 }]);
      expect(await query(database, `SELECT count(*)::int AS n FROM call_events WHERE call_id = $1`, [id])).toEqual([{ n: 0 }]);
    });
  });
});
