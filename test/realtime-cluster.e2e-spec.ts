import type { CallView } from '@app/contracts';
import Redis from 'ioredis';
import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import type { PlaceCallRequest } from '../apps/pbx-sim/src/engine/call-placer';
import { eventually } from './support/calls-e2e';
import { freePort } from './support/free-port';
import { RealtimeClient, type Received } from './support/realtime-client';
import { cleanEnv, ServerProcess } from './support/server-process';
import { TEST_ADMIN_PASSWORD, TEST_JWT_SECRET } from './support/test-app';
import { createDatabase, dropDatabase, testDatabaseEnv, uniqueName } from './support/test-database';

const AMI_USER = { username: 'cluster', secret: 'cluster-secret' };
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const START_TIMEOUT_MS = 90_000;

/** What makes one push unique: a client must receive each exactly once. */
function pushKey(r: Received): string {
  const p = r.payload as { call?: CallView; ringing?: { channel: string }; step?: { type: string }; kind?: string; userId?: string; status?: string; state?: string };
  if (!p.call) return `${r.event}:${p.kind}:${p.userId}:${p.status ?? p.state}`;
  return `${r.event}:${p.call.id}:${p.call.lastEventAt}:${p.call.eventSeq}:${p.ringing?.channel ?? p.step?.type ?? ''}`;
}

/**
 * The roles apart, as deployed: one ingest process (APP_ROLE=asterisk) logged in to pbx-sim,
 * two server instances (APP_ROLE=server) on their own ports, all on one database and the
 * machine's Redis (a prefix of this run's own). Browsers on either instance get every push
 * about what they may see exactly once; presence and session ends cross instances.
 */
describe('realtime across processes and instances (Redis)', () => {
  let database: string;
  let sim: PbxSim;
  const processes: ServerProcess[] = [];
  const clients: RealtimeClient[] = [];
  let urlA: string;
  let urlB: string;
  let adminToken: string;
  const users: Record<'alice' | 'bob' | 'sue' | 'dora', { id: number; token: string }> = {} as never;

  const api = async (base: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<Response> => {
    const response = await fetch(`${base}/api${path}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', ...(init.token && { authorization: `Bearer ${init.token}` }) },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  const start = async (env: Record<string, string>, ready: RegExp): Promise<ServerProcess> => {
    const child = ServerProcess.startServer(
      cleanEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DEMO_MODE: 'off',
        JWT_SECRET: TEST_JWT_SECRET,
        ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        ...testDatabaseEnv(database),
        REDIS_URL,
        REDIS_KEY_PREFIX: `test-cluster-${process.pid}`,
        ASTERISK_HOST: '',
        ...env,
      }),
    );
    processes.push(child);
    await child.waitFor(ready, START_TIMEOUT_MS);
    return child;
  };
  const connect = async (url: string, who: keyof typeof users): Promise<RealtimeClient> => {
    const client = await RealtimeClient.connect(url, users[who].token, users[who].id);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    // Split roles need Redis: say so plainly instead of timing out on events that never come.
    const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw new Error(`this suite runs the roles apart and needs Redis at ${REDIS_URL} (set REDIS_URL, or start redis-server as .ci/run does): ${(error as Error).message}`);
    } finally {
      redis.disconnect();
    }
    database = uniqueName('realtime_cluster');
    await createDatabase(database);
    sim = await startPbxSim({ port: 0, users: [AMI_USER], traffic: null, config: { recordingsPath: null, inboundDialTimeoutSec: 3 } });
    const [portA, portB] = [await freePort(), await freePort()];
    urlA = `http://127.0.0.1:${portA}`;
    urlB = `http://127.0.0.1:${portB}`;
    // The first instance migrates the database and creates the admin; the people exist before the ingest loads its directory.
    await start({ APP_ROLE: 'server', PORT: String(portA) }, /Asterisk CRM started: role server/);
    adminToken = ((await (await api(urlA, '/auth/login', { method: 'POST', body: { username: 'admin', password: TEST_ADMIN_PASSWORD } })).json()) as { accessToken: string }).accessToken;
    const people: Array<[keyof typeof users, string, string | null]> = [['alice', 'operator', '1001'], ['bob', 'operator', '1002'], ['sue', 'supervisor', null], ['dora', 'operator', null]];
    for (const [username, role, extension] of people) {
      const body = { username, role, email: `${username}@example.com`, password: 'password-1234', phones: extension ? [{ phoneNumber: extension, phoneType: 'extension' }] : [] };
      const { id } = (await (await api(urlA, '/users', { method: 'POST', token: adminToken, body })).json()) as { id: number };
      const { accessToken } = (await (await api(urlA, '/auth/login', { method: 'POST', body: { username, password: 'password-1234' } })).json()) as { accessToken: string };
      users[username] = { id, token: accessToken };
    }
    await api(urlA, '/companies', { method: 'POST', token: adminToken, body: { name: 'Acme', phones: ['+7 (495) 123-45-67'] } });
    await Promise.all([
      start({ APP_ROLE: 'server', PORT: String(portB) }, /Asterisk CRM started: role server/),
      start(
        { APP_ROLE: 'asterisk', ASTERISK_HOST: '127.0.0.1', ASTERISK_PORT: String(sim.port), ASTERISK_USER: AMI_USER.username, ASTERISK_SECRET: AMI_USER.secret, ASTERISK_ID: 'cluster' },
        /Asterisk CRM started: role asterisk/,
      ),
    ]);
    // Logged in with events on and the channel listing asked for: from here on no event is missed.
    await eventually('the ingest logged in to the simulator', async () => sim.stats.ami.sessions > 0 && sim.stats.ami.actions >= 2, 30_000);
  }, 4 * START_TIMEOUT_MS);

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(
      processes.map(async (child) => {
        child.kill('SIGTERM');
        await child.exit(30_000).catch(() => child.kill('SIGKILL'));
      }),
    );
    await sim?.close();
    if (database) await dropDatabase(database);
  }, 60_000);

  it('delivers every push from the ingest to the clients of both instances exactly once each', async () => {
    const [sueA, sueB, aliceA, aliceB, bobB] = [
      await connect(urlA, 'sue'),
      await connect(urlB, 'sue'),
      await connect(urlA, 'alice'),
      await connect(urlB, 'alice'),
      await connect(urlB, 'bob'),
    ];
    // Alice's DID rings 1001; the support queue rings 1001-1003 at once and 1002 answers.
    const calls: PlaceCallRequest[] = [
      { kind: 'inbound', from: '+74951234567', to: '74959876543', outcome: 'answered', ringMs: 400, talkMs: 600 },
      { kind: 'inbound', from: '+74951234567', to: '74959876543', outcome: 'abandoned', ringMs: 500 },
      { kind: 'inbound', from: '+79161234567', to: '74959876543', outcome: 'busy', ringMs: 300 },
      { kind: 'queue', from: '+74951234567', to: '74950000000', outcome: 'answered', ringMs: 500, talkMs: 600, answeredBy: '1002' },
      { kind: 'inbound', from: '+74951234567', to: '74959876544', outcome: 'answered', ringMs: 300, talkMs: 400 },
    ];
    const placed = calls.map((request) => sim.placeCall(request));
    await Promise.all(placed.map((call) => call.done));
    const ended = (client: RealtimeClient, count: number) => client.until(`${count} calls ended`, () => client.of('call:ended').length >= count, 30_000);
    await Promise.all([ended(sueA, 5), ended(sueB, 5), ended(aliceA, 4), ended(aliceB, 4), ended(bobB, 2)]);

    for (const client of [sueA, sueB, aliceA, aliceB, bobB]) {
      const keys = client.received.filter((r) => r.event.startsWith('call:')).map(pushKey);
      expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
    }
    const callPushes = (client: RealtimeClient) => client.received.filter((r) => r.event.startsWith('call:')).map(pushKey).sort();
    expect(callPushes(sueB)).toEqual(callPushes(sueA));
    expect(callPushes(aliceB)).toEqual(callPushes(aliceA));
    expect(new Set(sueA.of('call:ended').map((e) => e.call.linkedid))).toEqual(new Set(placed.map((p) => p.linkedid)));
    // Popups where a phone rang: Alice for her DID's calls (not the busy one: a busy phone never rings) and
    // the queue call, Bob for the queue call and his DID's call; Acme named. The busy call still shows on her screen.
    const popups = (client: RealtimeClient) => new Set(client.of('call:incoming').map((e) => `${e.call.linkedid}@${e.ringing.extension}`));
    expect(popups(aliceB)).toEqual(new Set([0, 1, 3].map((i) => `${placed[i].linkedid}@1001`)));
    expect(popups(bobB)).toEqual(new Set([3, 4].map((i) => `${placed[i].linkedid}@1002`)));
    expect(aliceB.of('call:incoming').filter((e) => e.call.callerNumber === '+74951234567').every((e) => e.company?.name === 'Acme')).toBe(true);
    expect(aliceB.of('call:ended').map((e) => e.call.linkedid)).toContain(placed[2].linkedid);
    const queueCall = placed[3].linkedid;
    expect(aliceA.of('call:answered').find((e) => e.call.linkedid === queueCall)?.answeredBy.userId).toBe(String(users.bob.id));
    // Phone states crossed from the ingest process too.
    expect(sueB.of('user:status').some((e) => e.kind === 'device' && e.extension === '1001' && e.userId === String(users.alice.id))).toBe(true);
  }, 90_000);

  it('shows presence and ends sessions across instances', async () => {
    const doraId = String(users.dora.id);
    const sueA = await connect(urlA, 'sue');
    const sueB = await connect(urlB, 'sue');
    const doraB = await connect(urlB, 'dora');
    await sueA.next('user:status', (e) => e.kind === 'presence' && e.userId === doraId && e.status === 'online');
    const doraA = await connect(urlA, 'dora');
    expect(await doraA.socket.emitWithAck('set-status', { status: 'busy' })).toEqual({ ok: true, status: 'busy' });
    await sueB.next('user:status', (e) => e.kind === 'presence' && e.userId === doraId && e.status === 'busy');
    await doraB.next('user:status', (e) => e.kind === 'presence' && e.userId === doraId && e.status === 'busy');

    await api(urlA, `/users/${users.dora.id}`, { method: 'DELETE', token: adminToken });
    expect(await doraB.next('session:ended')).toMatchObject({ reason: 'user_deleted' });
    expect(await doraA.next('session:ended')).toMatchObject({ reason: 'user_deleted' });
    await doraB.until('the disconnect', () => !doraB.socket.connected);
  }, 60_000);
});
