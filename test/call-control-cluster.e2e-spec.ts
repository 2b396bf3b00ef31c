import type { CallControlConfirmation, CallView } from '@app/contracts';
import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { amiAction, AmiTap } from './support/ami-tap';
import { eventually } from './support/calls-e2e';
import { freePort } from './support/free-port';
import { RealtimeClient } from './support/realtime-client';
import { cleanEnv, ServerProcess } from './support/server-process';
import { TEST_ADMIN_PASSWORD, TEST_JWT_SECRET } from './support/test-app';
import { createDatabase, dropDatabase, uniqueName } from './support/test-database';

const AMI_USER = { username: 'ctl-cluster', secret: 'ctl-cluster-secret' };
const START_TIMEOUT_MS = 90_000;
const ANSWERING = { answerProbability: 1, ringMs: { min: 300, max: 300 }, talkMs: { median: 600_000, sigma: 0, min: 600_000, max: 600_000 }, calleeHangsUpProbability: 1 };

/**
 * Call control with the roles apart, as deployed: a `server` process takes the commands, the
 * `asterisk` process that ingests the PBX runs them (its own control login, through the tap)
 * and answers through Redis. Without that process a command is refused at once.
 */
describe('call control across processes (Redis)', () => {
  let database: string;
  let sim: PbxSim;
  let tap: AmiTap;
  let url: string;
  let ingest: ServerProcess;
  const processes: ServerProcess[] = [];
  const clients: RealtimeClient[] = [];
  const tokens: Record<'admin' | 'alice', string> = { admin: '', alice: '' };
  let aliceId = 0;

  const api = async (path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${url}/api${path}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    return { status: response.status, body: await response.json() };
  };
  const start = async (env: Record<string, string>, ready: RegExp): Promise<ServerProcess> => {
    const child = ServerProcess.startServer(
      cleanEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DEMO_MODE: 'off',
        JWT_SECRET: TEST_JWT_SECRET,
        ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        DB_HOST: process.env.DB_HOST ?? '',
        DB_PORT: process.env.DB_PORT ?? '5432',
        DB_USER: process.env.DB_USER ?? '',
        DB_PASSWORD: process.env.DB_PASSWORD ?? '',
        DB_NAME: database,
        REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: `test-control-${process.pid}`,
        ASTERISK_HOST: '127.0.0.1',
        ASTERISK_PORT: String(tap.port),
        ASTERISK_USER: AMI_USER.username,
        ASTERISK_SECRET: AMI_USER.secret,
        ASTERISK_ID: 'split',
        CALL_CONTROL_PHONE_CHANNEL: 'SIP/{extension}',
        ...env,
      }),
    );
    processes.push(child);
    await child.waitFor(ready, START_TIMEOUT_MS);
    return child;
  };
  const answeredCall = async (linkedid: string): Promise<CallView> =>
    eventually('the call answered in the API', async () => ((await api('/calls/active', tokens.admin)).body as CallView[]).find((c) => c.linkedid === linkedid && c.status === 'answered'));

  beforeAll(async () => {
    database = uniqueName('control_cluster');
    await createDatabase(database);
    sim = await startPbxSim({ port: 0, users: [AMI_USER], traffic: null, behaviour: ANSWERING, config: { recordingsPath: null } });
    tap = await new AmiTap(sim.port).start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The server role migrates the database and creates the admin, then Alice (1001) exists before the ingest loads its directory.
    await start({ APP_ROLE: 'server', PORT: String(port) }, /Asterisk CRM started: role server/);
    const login = async (username: string, password: string) =>
      ((await (await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).json()) as { accessToken: string }).accessToken;
    tokens.admin = await login('admin', TEST_ADMIN_PASSWORD);
    const created = await api('/users', tokens.admin, {
      method: 'POST',
      body: { username: 'alice', role: 'operator', email: 'alice@example.com', password: 'password-1234', phones: [{ phoneNumber: '1001', phoneType: 'extension' }] },
    });
    aliceId = (created.body as { id: number }).id;
    tokens.alice = await login('alice', 'password-1234');
    ingest = await start({ APP_ROLE: 'asterisk' }, /controlling PBX split/);
    await eventually('the ingest following the PBX', async () => sim.stats.ami.actions >= 2, 30_000);
  }, 3 * START_TIMEOUT_MS);

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(
      processes.map(async (child) => {
        child.kill('SIGTERM');
        await child.exit(30_000).catch(() => child.kill('SIGKILL'));
      }),
    );
    await tap?.stop();
    await sim?.close();
    if (database) await dropDatabase(database);
  }, 60_000);

  it('holds, takes off hold and hangs up through the ingest process, confirmed; click-to-call\'s outcome reaches the user', async () => {
    const placed = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', ringMs: 300, talkMs: 600_000, hangupBy: 'caller' });
    const call = await answeredCall(placed.linkedid);
    const agent = sim.engine.liveChannels().find((c) => c.peer.name === '1001')!.name;

    let mark = tap.mark;
    const held = await api(`/calls/${call.id}/hold`, tokens.alice, { method: 'POST' });
    expect(held).toMatchObject({ status: 200, body: { callId: call.id, pbxId: 'split', confirmed: { kind: 'held', by: 'server' } } });
    expect(tap.commandsSince(mark)).toEqual([
      amiAction('Redirect', [
        ['Channel', placed.channel],
        ['Context', 'crm-hold'],
        ['Exten', 's'],
        ['Priority', 1],
        ['ExtraChannel', agent],
        ['ExtraContext', 'crm-hold-wait'],
        ['ExtraExten', 's'],
        ['ExtraPriority', 1],
      ]),
    ]);
    mark = tap.mark;
    const unheld = await api(`/calls/${call.id}/unhold`, tokens.alice, { method: 'POST' });
    expect(unheld).toMatchObject({ status: 200, body: { confirmed: { kind: 'unheld' } } });
    expect(tap.commandsSince(mark)).toEqual([amiAction('Bridge', [['Channel1', placed.channel], ['Channel2', agent], ['Tone', 'no']])]);
    const hungUp = await api(`/calls/${call.id}/hangup`, tokens.alice, { method: 'POST' });
    expect((hungUp.body as CallControlConfirmation).confirmed).toEqual({ kind: 'hung_up', channels: [placed.channel], callEnded: true });

    const alice = await RealtimeClient.connect(url, tokens.alice, aliceId);
    clients.push(alice);
    const ack = await alice.socket.emitWithAck('originate-call', { number: '1002', crmCallId: 'split-1' });
    expect(ack).toMatchObject({ ok: true, pbxId: 'split', confirmed: { kind: 'originating', crmCallId: 'split-1', extension: '1001' } });
    expect(await alice.next('call:originated', (e) => e.crmCallId === 'split-1')).toMatchObject({ outcome: 'answered', pbxId: 'split' });
    const clickToCall = await eventually('the click-to-call stored', async () => ((await api('/calls/active', tokens.admin)).body as CallView[]).find((c) => c.crmCallId === 'split-1' && c.status === 'answered'));
    expect((await api(`/calls/${clickToCall.id}/hangup`, tokens.alice, { method: 'POST' })).status).toBe(200);
  }, 60_000);

  it('refuses at once, sending nothing, while no process controls the PBX', async () => {
    const placed = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', ringMs: 300, talkMs: 600_000, hangupBy: 'caller' });
    const call = await answeredCall(placed.linkedid);
    ingest.kill('SIGTERM');
    await ingest.exit(30_000);
    const mark = tap.mark;
    const startedAt = Date.now();
    const refused = await api(`/calls/${call.id}/hold`, tokens.alice, { method: 'POST' });
    expect(refused).toMatchObject({ status: 503, body: { error: 'PBX_UNAVAILABLE', message: expect.stringMatching(/No process controls PBX split/) } });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(tap.commandsSince(mark)).toEqual([]);
  }, 60_000);
});
