import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureReplayServer, replayCaptures } from '@app/ami';
import { CALL_EVENT_NAMES, type CallEventMessage } from '@app/contracts';
import { CallEventBus, RedisCallEventBus } from '../apps/server/src/call-events';
import { capturePath, eventually } from './support/calls-e2e';
import { cleanEnv, ServerProcess } from './support/server-process';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';
import { testRedisEnv } from './support/test-redis-env';

/**
 * The roles apart, as deployed: the AMI ingest in its own process (APP_ROLE=asterisk) and the
 * HTTP server (APP_ROLE=server, here in the test's process), sharing PostgreSQL and Redis. A
 * subscriber in the server process must see every stored step of the replayed calls, once
 * each, in order.
 */
describe('call events across processes through Redis (roles asterisk + server)', () => {
  // Two PBXs, one capture each: a blind transfer and a hold, with recordings.
  const PBXS = [
    { id: 'split-a', capture: 'blind_transfer_redirect' },
    { id: 'split-b', capture: 'hold_redirect_bridge' },
  ];
  const redis = testRedisEnv();
  const database = uniqueName('split_roles');
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-split-roles-'));
  let server: TestApp;
  const replays: CaptureReplayServer[] = [];
  let ingest: ServerProcess | null = null;
  const received: CallEventMessage[] = [];

  beforeAll(async () => {
    await createDatabase(database);
    server = await startTestApp({ DB_NAME: database, APP_ROLE: 'server', ...redis });
    const bus = server.app.get(CallEventBus);
    expect(bus).toBeInstanceOf(RedisCallEventBus);
    bus.subscribe((message) => received.push(message));
    // Pub/sub keeps nothing: the subscription must be live before the ingest publishes.
    await (bus as RedisCallEventBus).ready();
    const servers: string[] = [];
    for (const pbx of PBXS) {
      const replay = new CaptureReplayServer({ captures: [capturePath(pbx.capture)], speed: 0, credentials: { username: 'crm', secret: 'replay-secret' } });
      replays.push(replay);
      const { port } = await replay.listen();
      servers.push(`${pbx.id}=ami://crm:replay-secret@127.0.0.1:${port}`);
    }
    ingest = ServerProcess.startServer(
      cleanEnv({
        NODE_ENV: 'test',
        APP_ROLE: 'asterisk',
        DATA_DIR: dataDir,
        DB_HOST: process.env.DB_HOST!,
        DB_PORT: process.env.DB_PORT!,
        DB_USER: process.env.DB_USER!,
        DB_PASSWORD: process.env.DB_PASSWORD ?? '',
        DB_NAME: database,
        JWT_SECRET: TEST_JWT_SECRET,
        ASTERISK_SERVERS: servers.join(','),
        ...redis,
      }),
    );
    await ingest.waitFor(/Asterisk CRM started: role asterisk/, 60_000);
  }, 90_000);

  afterAll(async () => {
    ingest?.kill('SIGTERM');
    await ingest?.exit(30_000).catch(() => undefined);
    await Promise.all(replays.map((replay) => replay.close()));
    await server?.close();
    await dropDatabase(database);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every stored step of the replayed calls to the server process once, in order', async () => {
    // What the tracker makes of the same bytes: the steps the ingest stores and publishes.
    const expected = PBXS.flatMap((pbx) => replayCaptures([capturePath(pbx.capture)], { pbx: pbx.id }).events);
    const key = (pbxId: string, linkedid: string) => `${pbxId}/${linkedid}`;
    const calls = new Set(expected.map((e) => key(e.call.pbx, e.call.linkedids[0] ?? e.call.linkedid)));
    await eventually('every call ended in the server process', async () => received.filter((m) => m.name === 'call.ended').length >= calls.size, 60_000);

    const byCall = new Map<string, CallEventMessage[]>();
    for (const message of received) {
      const call = key(message.payload.call.pbxId, message.payload.call.linkedid);
      byCall.set(call, [...(byCall.get(call) ?? []), message]);
    }
    expect([...byCall.keys()].sort()).toEqual([...calls].sort());
    for (const [call, messages] of byCall) {
      const steps = expected.filter((e) => key(e.call.pbx, e.call.linkedids[0] ?? e.call.linkedid) === call).map((e) => CALL_EVENT_NAMES[e.type]);
      expect(messages.map((m) => m.name)).toEqual(steps);
      const sequence = messages.map((m) => m.payload.call.eventSeq);
      expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
      expect(new Set(sequence).size).toBe(sequence.length);
      expect(messages.every((m) => m.payload.dryRun === false)).toBe(true);
    }

    // Once: exactly the timeline the database holds, no more.
    const [{ steps }] = await query<{ steps: number }>(database, `SELECT count(*)::int AS steps FROM call_events`);
    expect(received).toHaveLength(steps);
    expect(received).toHaveLength(expected.length);

    // The ingest process linked each recording to its call from its own publications.
    const files = expected.filter((e) => e.type === 'recording_started').length;
    await eventually('the recordings linked by the ingest process', async () => {
      const [{ linked }] = await query<{ linked: number }>(database, `SELECT count(*)::int AS linked FROM recordings WHERE stopped_at IS NOT NULL`);
      return linked === files;
    });
  });
});
