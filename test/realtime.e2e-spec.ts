import type { CallView, UserStatusEvent } from '@app/contracts';
import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { AmiIngestService } from '../apps/server/src/call-ingest';
import { endedCallsOf, eventually, listCalls, replayAsPbx, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { RealtimeClient } from './support/realtime-client';
import { handMadeToken, listen } from './support/realtime-e2e';
import { freePort } from './support/free-port';
import { createUser, login, loginAdmin, startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';

const onCall = (call: CallView | undefined) => (payload: object) => 'call' in payload && (payload as { call: CallView }).call.id === call?.id;

/**
 * The Socket.IO gateway against the running app (role all, in-process buses), real
 * socket.io-client connections, calls from the real captures replayed over AMI.
 */
describe('realtime gateway', () => {
  let e2e: CallsE2e;
  let url: string;
  const clients: RealtimeClient[] = [];
  const connect = async (token: string, userId: number, options: Parameters<typeof RealtimeClient.connect>[3] = {}): Promise<RealtimeClient> => {
    const client = await RealtimeClient.connect(url, token, userId, options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    e2e = await startCallsE2e();
    url = await listen(e2e.testApp);
  }, 60_000);

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  describe('handshake', () => {
    it('refuses a missing, malformed, expired, forged or alg:none token, and a deleted or deactivated user, saying why', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: e2e.alice.id, username: 'alice', role: 'operator' };
      const deleted = await createUser(e2e.testApp, e2e.adminToken, { username: 'gone' });
      await e2e.testApp.http().delete(`/api/users/${deleted.id}`).set('Authorization', `Bearer ${e2e.adminToken}`).expect(204);
      const inactive = await createUser(e2e.testApp, e2e.adminToken, { username: 'sleeper' });
      await e2e.testApp.http().patch(`/api/users/${inactive.id}`).set('Authorization', `Bearer ${e2e.adminToken}`).send({ active: false }).expect(200);

      const cases: Array<[string, Record<string, unknown> | undefined, string, RegExp]> = [
        ['no auth at all', undefined, 'UNAUTHORIZED', /token is required/],
        ['an empty token', { token: '' }, 'UNAUTHORIZED', /token is required/],
        ['a malformed token', { token: 'not-a-jwt' }, 'INVALID_TOKEN', /not valid/],
        ['a token that is not a string', { token: 42 }, 'INVALID_TOKEN', /not valid/],
        ['an expired token', { token: handMadeToken({ ...claims, iat: now - 7200, exp: now - 3600 }, TEST_JWT_SECRET) }, 'TOKEN_EXPIRED', /expired/],
        ['a token signed with another key', { token: handMadeToken({ ...claims, exp: now + 3600 }, 'another-secret-that-is-long-enough-0123456789') }, 'INVALID_TOKEN', /not valid/],
        ['an alg:none token', { token: handMadeToken({ ...claims, exp: now + 3600 }, null, 'none') }, 'INVALID_TOKEN', /not valid/],
        ['a deleted user\'s token', { token: deleted.token }, 'INVALID_TOKEN', /no longer exists/],
        ['a deactivated user\'s token', { token: inactive.token }, 'USER_DEACTIVATED', /deactivated/],
      ];
      for (const [what, auth, code, message] of cases) {
        const refusal = await RealtimeClient.refusal(url, auth);
        expect({ what, code: refusal.data?.code, message: refusal.message }).toEqual({ what, code, message: expect.stringMatching(message) });
      }
    });

    it('ends a session when its user is deleted or deactivated meanwhile, and when its token expires', async () => {
      const doomed = await createUser(e2e.testApp, e2e.adminToken, { username: 'doomed' });
      const paused = await createUser(e2e.testApp, e2e.adminToken, { username: 'paused' });
      const a = await connect(doomed.token, doomed.id);
      const b = await connect(paused.token, paused.id);
      await e2e.testApp.http().delete(`/api/users/${doomed.id}`).set('Authorization', `Bearer ${e2e.adminToken}`).expect(204);
      await e2e.testApp.http().patch(`/api/users/${paused.id}`).set('Authorization', `Bearer ${e2e.adminToken}`).send({ active: false }).expect(200);
      expect(await a.next('session:ended')).toEqual({ reason: 'user_deleted', message: expect.any(String) });
      expect(await b.next('session:ended')).toEqual({ reason: 'user_deactivated', message: expect.any(String) });
      await a.until('disconnect', () => !a.socket.connected);
      await b.until('disconnect', () => !b.socket.connected);

      const now = Math.floor(Date.now() / 1000);
      const shortLived = handMadeToken({ sub: e2e.bob.id, username: 'bob', role: 'operator', iat: now, exp: now + 2 }, TEST_JWT_SECRET);
      const c = await connect(shortLived, e2e.bob.id);
      expect(await c.next('session:ended', undefined, 10_000)).toMatchObject({ reason: 'token_expired' });
      await c.until('disconnect', () => !c.socket.connected);
      expect(c.socket.active).toBe(false);
    });
  });

  describe('calls', () => {
    it('pops up the company card on the ringing phone\'s user and the supervisor; another operator gets nothing', async () => {
      const alice = await connect(e2e.alice.token, e2e.alice.id);
      const bob = await connect(e2e.bob.token, e2e.bob.id);
      const sue = await connect(e2e.sue.token, e2e.sue.id);
      const replay = await replayAsPbx(e2e, 'rt-popup', ['inbound_answered']);
      const [stored] = await endedCallsOf(e2e, 'rt-popup', 1);
      await replay.stop();

      const popup = await alice.next('call:incoming', onCall(stored));
      expect(popup).toMatchObject({
        test: false,
        ringing: { extension: '1001', userId: String(e2e.alice.id) },
        company: { id: String(e2e.acmeId), name: 'Acme', phones: [{ phoneNumber: '+7 (495) 123-45-67', normalizedNumber: '+74951234567' }] },
        assignedUser: { id: String(e2e.alice.id), username: 'alice' },
        call: { callerNumber: '+74951234567', did: '74959876543', status: 'ringing' },
      });
      const ended = await alice.next('call:ended', onCall(stored));
      expect(ended.end).toMatchObject({ status: 'answered', hangupBy: 'callee' });
      const steps = (client: RealtimeClient) =>
        client.received.filter((r) => onCall(stored)(r.payload)).map((r) => `${r.event}${r.event === 'call:updated' ? `:${(r.payload as { step: { type: string } }).step.type}` : ''}`);
      // The recording starts before the phone rings: only the supervisor sees the call then.
      expect(steps(alice)).toEqual(['call:incoming', 'call:answered', 'call:updated:recording_stopped', 'call:ended']);
      await sue.next('call:ended', onCall(stored));
      expect(steps(sue)).toEqual(['call:updated:recording_started', ...steps(alice)]);
      expect(bob.received.filter((r) => r.event.startsWith('call:'))).toEqual([]);
      expect(alice.popups()).toEqual([]);
    }, 60_000);

    it('rings both users of a ring-all group and closes the other\'s popup when one answers', async () => {
      const alice = await connect(e2e.alice.token, e2e.alice.id);
      const bob = await connect(e2e.bob.token, e2e.bob.id);
      const replay = await replayAsPbx(e2e, 'rt-ringall', ['fpbx_ringgroup_answered'].map((name) => `../ami-fpbx/${name}`));
      const [stored] = await endedCallsOf(e2e, 'rt-ringall', 1);
      await replay.stop();

      const alicePopup = await alice.next('call:incoming', onCall(stored));
      const bobPopup = await bob.next('call:incoming', onCall(stored));
      expect(alicePopup).toMatchObject({ ringing: { extension: '1001', userId: String(e2e.alice.id) }, company: { name: 'Acme' } });
      expect(bobPopup).toMatchObject({ ringing: { extension: '1002', userId: String(e2e.bob.id) }, company: { name: 'Acme' } });
      const answered = await alice.next('call:answered', onCall(stored));
      expect(answered.answeredBy).toMatchObject({ extension: '1002', userId: String(e2e.bob.id) });
      const events = alice.received.filter((r) => onCall(stored)(r.payload));
      expect(events.findIndex((r) => r.event === 'call:incoming')).toBeLessThan(events.findIndex((r) => r.event === 'call:answered'));
      // Alice's popup closed at the answer: her state shows the call, answered, without popup.
      await alice.next('call:ended', onCall(stored));
      expect(alice.popups()).toEqual([]);
      expect(bob.of('call:answered').filter(onCall(stored))).toHaveLength(1);
    }, 60_000);
  });

  describe('reconnecting', () => {
    const AMI_USER = { username: 'rt', secret: 'rt-secret' };
    let sim: PbxSim;

    beforeAll(async () => {
      sim = await startPbxSim({ port: 0, users: [AMI_USER], traffic: null, config: { recordingsPath: null } });
      await e2e.testApp.app.get(AmiIngestService, { strict: false }).add({ id: 'rt-sim', host: '127.0.0.1', port: sim.port, ...AMI_USER, tls: false });
      // Logged in with events on and the channel listing asked for: from here on no event is missed.
      await eventually('the ingest logged in to the simulator', async () => sim.stats.ami.sessions > 0 && sim.stats.ami.actions >= 2);
    });

    afterAll(async () => {
      await e2e.testApp.app.get(AmiIngestService, { strict: false }).remove('rt-sim');
      await sim?.close();
    });

    it('gives a client back after a 5 s drop the snapshot, and leaves no call ringing after it ended', async () => {
      const sue = await connect(e2e.sue.token, e2e.sue.id);
      const alice = await connect(e2e.alice.token, e2e.alice.id, { reconnection: true, reconnectionDelay: 5000, reconnectionDelayMax: 5000, randomizationFactor: 0 });
      const linked = (linkedid: string) => (p: object) => 'call' in p && (p as { call: CallView }).call.linkedid === linkedid;
      // 74959876543 is Alice's DID (1001); the caller is Acme's number.
      const first = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', outcome: 'abandoned', ringMs: 2500 });
      await alice.next('call:incoming', linked(first.linkedid));
      expect(alice.popups().map((c) => c.linkedid)).toEqual([first.linkedid]);

      const droppedAt = Date.now();
      alice.socket.io.engine.close();
      await alice.until('the drop', () => !alice.socket.connected);
      // While she is away the first call ends, and a second one starts ringing at her phone.
      await sue.next('call:ended', linked(first.linkedid));
      const second = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', outcome: 'abandoned', ringMs: 9000 });
      await sue.next('call:incoming', linked(second.linkedid));
      expect(alice.received.some((r) => linked(second.linkedid)(r.payload))).toBe(false);

      await alice.until('the snapshot after reconnecting', () => alice.of('snapshot')[1], 15_000);
      expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(5000);
      const snapshot = alice.of('snapshot')[1];
      expect(snapshot.calls.map((c) => c.call.linkedid)).toEqual([second.linkedid]);
      expect(snapshot.calls[0]).toMatchObject({ company: { name: 'Acme' }, ringing: [{ extension: '1001', userId: String(e2e.alice.id) }] });
      expect(alice.popups().map((c) => c.linkedid)).toEqual([second.linkedid]);

      await alice.next('call:ended', linked(second.linkedid), 20_000);
      expect(alice.popups()).toEqual([]);
      expect([...alice.calls.keys()]).toEqual([]);
    }, 60_000);
  });

  describe('presence and phones', () => {
    it('shows a user online while connected, away by choice, offline after the last connection closes', async () => {
      const aliceId = String(e2e.alice.id);
      const presence = (status: string) => (e: UserStatusEvent) => e.kind === 'presence' && e.userId === aliceId && e.status === status;
      const stored = async () => (await e2e.testApp.http().get(`/api/users/${aliceId}`).set('Authorization', `Bearer ${e2e.adminToken}`).expect(200)).body.status as string;
      // Alice's connections of the tests before have closed: wait for their grace period to pass.
      await eventually('alice offline', async () => (await stored()) === 'offline');
      const sue = await connect(e2e.sue.token, e2e.sue.id);
      expect(sue.of('snapshot')[0].users.find((u) => u.id === aliceId)).toMatchObject({ status: 'offline', username: 'alice' });

      const alice = await connect(e2e.alice.token, e2e.alice.id);
      await sue.next('user:status', presence('online'));
      expect(alice.of('snapshot')[0]).toMatchObject({ me: { id: aliceId, status: 'online' }, users: [{ id: aliceId }] });
      expect(await alice.socket.emitWithAck('set-status', { status: 'away' })).toEqual({ ok: true, status: 'away' });
      await sue.next('user:status', presence('away'));
      await alice.next('user:status', presence('away'));
      expect(await alice.socket.emitWithAck('set-status', { status: 'offline' } as never)).toEqual({
        ok: false,
        error: { code: 'INVALID_STATUS', message: expect.stringContaining('online, away, busy') },
      });
      expect(await stored()).toBe('away');

      alice.close();
      await sue.next('user:status', presence('offline'));
    });

    it('relays the phones\' device states (ExtensionStatus) to supervisors and the phone\'s user, and lists them in the snapshot', async () => {
      const alice = await connect(e2e.alice.token, e2e.alice.id);
      const bob = await connect(e2e.bob.token, e2e.bob.id);
      const sue = await connect(e2e.sue.token, e2e.sue.id);
      const replay = await replayAsPbx(e2e, 'rt-device', ['inbound_answered']);
      await endedCallsOf(e2e, 'rt-device', 1);
      const device = (e: UserStatusEvent) => e.kind === 'device' && e.pbxId === 'rt-device';
      await sue.until('the phone idle again', () => sue.of('user:status').filter(device).length >= 3);
      await replay.stop();
      const states = sue.of('user:status').filter(device);
      expect(states.map((e) => e.kind === 'device' && `${e.extension}:${e.state}:${e.userId}`)).toEqual(
        ['ringing', 'in_use', 'idle'].map((state) => `1001:${state}:${e2e.alice.id}`),
      );
      await alice.until('alice\'s own phone states', () => alice.of('user:status').filter(device).length === 3);
      expect(bob.of('user:status').filter(device)).toEqual([]);

      const later = await connect(e2e.sue.token, e2e.sue.id);
      expect(later.of('snapshot')[0].phones).toContainEqual(expect.objectContaining({ pbxId: 'rt-device', extension: '1001', state: 'idle', userId: String(e2e.alice.id) }));
      const aliceLater = await connect(await login(e2e.testApp, 'alice', 'password-1234'), e2e.alice.id);
      expect(aliceLater.of('snapshot')[0].phones.every((p) => p.userId === String(e2e.alice.id))).toBe(true);
    }, 60_000);
  });
});

describe('realtime gateway in TEST_MODE', () => {
  let e2e: CallsE2e;
  let url: string;

  beforeAll(async () => {
    e2e = await startCallsE2e({ TEST_MODE: 'true' });
    url = await listen(e2e.testApp);
  }, 60_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('still pushes the popups of real calls, marked as test, while nothing is stored', async () => {
    const alice = await RealtimeClient.connect(url, e2e.alice.token, e2e.alice.id);
    try {
      expect(alice.of('snapshot')[0]).toMatchObject({ test: true, calls: [] });
      const replay = await replayAsPbx(e2e, 'rt-test-mode', ['inbound_answered']);
      const ended = await alice.next('call:ended');
      await replay.stop();
      const popup = alice.of('call:incoming')[0];
      expect(popup).toMatchObject({ test: true, company: { name: 'Acme' }, ringing: { extension: '1001' }, call: { linkedid: '1795696635.2' } });
      expect(ended).toMatchObject({ test: true, end: { status: 'answered' } });
      expect(alice.received.filter((r) => r.event.startsWith('call:')).every((r) => (r.payload as { test: boolean }).test)).toBe(true);
      expect(await listCalls(e2e, e2e.sue.token)).toEqual([]);
    } finally {
      alice.close();
    }
  }, 60_000);
});

describe('realtime gateway ports and origins', () => {
  let testApp: TestApp;
  let url: string;
  let websocketPort: number;

  beforeAll(async () => {
    websocketPort = await freePort();
    testApp = await startTestApp({ WEBSOCKET_PORT: String(websocketPort), WEBSOCKET_CORS_ORIGIN: 'http://crm.example:5173' });
    url = await listen(testApp);
  }, 60_000);

  afterAll(async () => {
    await testApp?.close();
  });

  it('serves the same Socket.IO on WEBSOCKET_PORT as on the HTTP port, and nothing else there', async () => {
    const token = await loginAdmin(testApp);
    const me = (await testApp.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200)).body.id as number;
    const other = `http://127.0.0.1:${websocketPort}`;
    for (const base of [url, other]) {
      const client = await RealtimeClient.connect(base, token, me);
      expect(client.of('snapshot')[0].me).toMatchObject({ id: String(me), role: 'admin' });
      client.close();
    }
    const refusal = await RealtimeClient.refusal(other, { token: 'forged' });
    expect(refusal.data?.code).toBe('INVALID_TOKEN');
    expect((await fetch(`${other}/api/health`)).status).toBe(404);
  });

  it('lets browsers of WEBSOCKET_CORS_ORIGIN in, not others', async () => {
    const handshake = (origin: string) => fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: origin } });
    expect((await handshake('http://crm.example:5173')).headers.get('access-control-allow-origin')).toBe('http://crm.example:5173');
    expect((await handshake('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
