import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../apps/server/src/database/data-source-options';
import { runPendingMigrations } from '../apps/server/src/database/migration-runner';
import { replayCaptures, CaptureReplayServer } from '@app/ami';
import { capturePath, eventually } from './support/calls-e2e';
import { freePort } from './support/free-port';
import { TEST_JWT_SECRET } from './support/test-app';
import { createDatabase, dropDatabase, query, testServerConnection, uniqueName } from './support/test-database';

interface SkippedWrite {
  msg: string;
  testMode: true;
  table: 'calls' | 'call_events' | 'recordings';
  op: string;
  pbxId: string;
  linkedid: string;
  values: Record<string, unknown>;
}

const ROOT = resolve(__dirname, '..');

const CAPTURES = { 'tm-inbound': 'inbound_answered', 'tm-transfer': 'blind_transfer_redirect' } as const;

/**
 * TEST_MODE as the specification's test profile runs it: the real server process
 * (`npm run server:test` / `asterisk:test` set only TEST_MODE), its PBXs from
 * ASTERISK_SERVERS, the captures served over TCP. Nothing may reach the call tables;
 * every write the pipeline would have made must be in the log, one JSON line each.
 */
describe('TEST_MODE: the whole pipeline runs, every write is logged instead of stored', () => {
  let database: string;
  let child: ChildProcess;
  let port: number;
  let aliceId: number;
  const servers: CaptureReplayServer[] = [];
  const skipped: SkippedWrite[] = [];
  const output: string[] = [];

  beforeAll(async () => {
    database = uniqueName('calls_testmode');
    await createDatabase(database);
    // Schema first (the server would migrate at start too), then a user owning 1001: the
    // assignment in the logged rows shows that lookups still run.
    const c = testServerConnection();
    const connection = { host: c.host!, port: c.port!, user: c.user!, password: c.password as string | undefined, ssl: false };
    const dataSource = await new DataSource(buildDataSourceOptions(connection, database)).initialize();
    await runPendingMigrations(dataSource);
    await dataSource.destroy();
    [{ id: aliceId }] = await query<{ id: number }>(
      database,
      `INSERT INTO users (username, email, password_hash, role) VALUES ('alice', 'alice@example.com', 'x', 'operator') RETURNING id`,
    );
    await query(database, `INSERT INTO user_phones (user_id, phone_number, phone_type, normalized_number) VALUES ($1, '1001', 'extension', '1001')`, [aliceId]);
    const entries: string[] = [];
    for (const [pbxId, capture] of Object.entries(CAPTURES)) {
      const server = new CaptureReplayServer({ captures: [capturePath(capture)], credentials: { username: 'crm', secret: 'replay-secret' } });
      const { host, port: amiPort } = await server.listen();
      servers.push(server);
      entries.push(`${pbxId}=ami://crm:replay-secret@${host}:${amiPort}`);
    }
    port = await freePort();
    child = spawn(process.execPath, ['scripts/run.cjs', 'apps/server/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ENV_FILE: 'none',
        NODE_ENV: 'test',
        TEST_MODE: 'true',
        APP_ROLE: 'all',
        PORT: String(port),
        DB_NAME: database,
        LOG_LEVEL: 'info',
        JWT_SECRET: TEST_JWT_SECRET,
        ADMIN_PASSWORD: 'admin-password-for-tests',
        ASTERISK_HOST: '',
        ASTERISK_SERVERS: entries.join(','),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as SkippedWrite;
        if (entry.testMode === true) skipped.push(entry);
      } catch {
        // not a JSON log line
      }
    });
    await eventually('the server to answer /api/health', async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok, 60_000, 200).catch((error) => {
      throw new Error(`${(error as Error).message}; server output:\n${output.slice(-30).join('\n')}`);
    });
    await Promise.all(servers.map((s) => s.streamed(0)));
    await eventually('both calls to end in the log', async () => skipped.filter((s) => s.table === 'call_events' && s.values.type === 'ended').length === 2, 30_000, 100);
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await Promise.all(servers.map((s) => s.close()));
    if (database) await dropDatabase(database);
  });

  it('reports the mode in /api/health', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as { mode: unknown };
    expect(health.mode).toEqual({ testMode: true, role: 'all' });
  });

  it('writes no call, timeline step or recording row', async () => {
    for (const table of ['calls', 'call_events', 'recordings']) {
      expect(await query(database, `SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }]);
    }
  });

  it.each(Object.entries(CAPTURES))('logs each write the replay of %s would have made, one JSON line each', (pbxId, capture) => {
    const events = replayCaptures([capturePath(capture)], { pbx: pbxId }).events;
    const linkedid = events[0].call.linkedids[0];
    const mine = skipped.filter((s) => s.pbxId === pbxId);
    expect(mine.every((s) => s.msg === 'TEST_MODE: write skipped' && s.linkedid === linkedid)).toBe(true);

    const upserts = mine.filter((s) => s.table === 'calls');
    expect(upserts.map((s) => [s.op, s.values.status])).toEqual(events.map((e) => ['upsert', e.call.status]));
    expect(upserts[upserts.length - 1].values).toMatchObject({ pbx_id: pbxId, linkedid, direction: 'inbound', caller_number: '+74951234567' });

    const steps = mine.filter((s) => s.table === 'call_events');
    expect(steps.map((s) => [s.op, s.values.type])).toEqual(events.map((e) => ['insert', e.type]));

    const recordings = mine.filter((s) => s.table === 'recordings');
    const expectedRecordings = events.flatMap((e) => (e.type === 'recording_started' || e.type === 'recording_stopped' ? [e.recording.file] : []));
    expect(recordings.map((s) => s.values.fileName)).toEqual(expectedRecordings);
    expect(recordings.every((s) => s.op === 'upsert')).toBe(true);
  });

  it('still runs the lookups: the calls are assigned as they would be stored', () => {
    const last = (pbxId: string) => skipped.filter((s) => s.pbxId === pbxId && s.table === 'calls').pop()!;
    expect(last('tm-inbound').values).toMatchObject({ status: 'answered', assigned_user_id: aliceId, talk_seconds: 4 });
    expect(last('tm-transfer').values).toMatchObject({ status: 'answered', answered_by_extension: '1001', talk_seconds: 7 });
  });
});
