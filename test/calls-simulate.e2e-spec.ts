import type { CallDto, CallDetailDto } from '../apps/server/src/calls';
import { CallDirectoryService } from '../apps/server/src/call-ingest';
import { dayIn } from '../apps/server/src/common/time/time-zone';
import { callDetail, eventually, listCalls, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { createUser, expectErrorShape } from './support/test-app';

interface Simulated {
  id: string;
  pbxId: string;
  state: string;
  call: CallDto | null;
}

describe('POST /api/calls/simulate: the test call through the real pipeline', () => {
  let e2e: CallsE2e;
  let directory: CallDirectoryService;

  beforeAll(async () => {
    e2e = await startCallsE2e();
    directory = e2e.testApp.app.get(CallDirectoryService, { strict: false });
  }, 60_000);

  afterAll(() => e2e?.close());

  const post = (path: string, token: string, body: object = {}) =>
    e2e.testApp.http().post(`/api/calls/simulate${path}`).set('Authorization', `Bearer ${token}`).send(body);

  async function simulate(body: object = {}): Promise<Simulated> {
    const response = await post('', e2e.sue.token, { callerNumber: '+7 (495) 123-45-67', extension: '1001', ...body }).expect(201);
    return response.body as Simulated;
  }

  const steps = (detail: CallDetailDto) => detail.timeline.map((s) => s.type);

  it('rings the extension: the stored call is ringing, assigned and identified at once', async () => {
    const sim = await simulate();
    expect(sim).toMatchObject({ pbxId: 'simulator', state: 'ringing' });
    expect(sim.call).toMatchObject({
      pbxId: 'simulator',
      linkedid: sim.id,
      direction: 'inbound',
      status: 'ringing',
      callerNumber: '+7 (495) 123-45-67',
      externalNumber: '+74951234567',
      assignedUserId: String(e2e.alice.id),
      callerCompanyId: String(e2e.acmeId),
      callerCompanyName: 'Acme',
      endedAt: null,
    });
    const active = await e2e.testApp.http().get('/api/calls/active').set('Authorization', `Bearer ${e2e.alice.token}`).expect(200);
    expect(active.body.map((c: CallDto) => c.id)).toContain(sim.call!.id);
    await post(`/${sim.id}/hangup`, e2e.sue.token).expect(200);
  });

  it('counts a call of today in the statistics asked for without a period (today in TIME_ZONE, or in tz)', async () => {
    const sim = await simulate();
    await post(`/${sim.id}/answer`, e2e.sue.token).expect(200);
    await post(`/${sim.id}/hangup`, e2e.sue.token, { by: 'agent' }).expect(200);
    const stats = async (query: object) =>
      (await e2e.testApp.http().get('/api/stats').query(query).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200)).body;
    const now = new Date();
    const utc = await stats({});
    const today = dayIn('UTC', now);
    expect(utc).toMatchObject({ timeZone: 'UTC', from: today.from.toISOString(), to: today.to.toISOString() });
    expect(utc.totals.answered).toBeGreaterThanOrEqual(1);
    const moscow = await stats({ tz: 'Europe/Moscow' });
    const moscowToday = dayIn('Europe/Moscow', now);
    expect(moscow).toMatchObject({ timeZone: 'Europe/Moscow', from: moscowToday.from.toISOString(), to: moscowToday.to.toISOString() });
    expect(Date.parse(moscow.from)).not.toBe(Date.parse(utc.from));
  });

  it('is answered and hung up on request, with the timeline of a real call', async () => {
    const sim = await simulate();
    const answered = (await post(`/${sim.id}/answer`, e2e.sue.token).expect(200)).body as Simulated;
    expect(answered.call).toMatchObject({ status: 'answered', answeredByExtension: '1001', endedAt: null });
    expectErrorShape((await post(`/${sim.id}/answer`, e2e.sue.token).expect(409)).body, 409, 'SIMULATED_CALL_STATE');
    const ended = (await post(`/${sim.id}/hangup`, e2e.sue.token, { by: 'agent' }).expect(200)).body as Simulated;
    expect(ended).toMatchObject({ state: 'ended', call: { status: 'answered', hangupBy: 'callee', assignedUserId: String(e2e.alice.id) } });
    expect(ended.call!.endedAt).not.toBeNull();
    expect(steps(await callDetail(e2e, e2e.sue.token, ended.call!.id))).toEqual(['ringing', 'answered', 'ended']);
    expectErrorShape((await post(`/${sim.id}/hangup`, e2e.sue.token).expect(409)).body, 409, 'SIMULATED_CALL_STATE');
  });

  it('is abandoned when hung up while it rings', async () => {
    const sim = await simulate({ extension: '1002' });
    const ended = (await post(`/${sim.id}/hangup`, e2e.sue.token).expect(200)).body as Simulated;
    expect(ended.call).toMatchObject({ status: 'abandoned', hangupBy: 'caller', assignedUserId: String(e2e.bob.id), talkSeconds: 0 });
  });

  it('ends by itself as missed when nobody answers before the ring timeout', async () => {
    const sim = await simulate({ ringTimeoutSeconds: 1 });
    const missed = await eventually('the missed test call', async () => {
      const calls = await listCalls(e2e, e2e.sue.token, { status: 'missed' });
      return calls.find((c) => c.linkedid === sim.id);
    }, 10_000, 100);
    expect(missed).toMatchObject({ direction: 'inbound', answeredAt: null, assignedUserId: String(e2e.alice.id) });
    expect(missed.ringSeconds).toBeGreaterThanOrEqual(1);
    expect(steps(await callDetail(e2e, e2e.sue.token, missed.id))).toEqual(['ringing', 'ended']);
    expectErrorShape((await post(`/${sim.id}/answer`, e2e.sue.token).expect(409)).body, 409, 'SIMULATED_CALL_STATE');
  });

  it('is for admins and supervisors only, and validates its input', async () => {
    expectErrorShape((await post('', e2e.alice.token, { callerNumber: '+74951234567', extension: '1001' }).expect(403)).body, 403, 'FORBIDDEN');
    await post('', e2e.adminToken, { callerNumber: '+74951234567', extension: '1001', ringTimeoutSeconds: 1 }).expect(201);
    for (const bad of [
      { callerNumber: '+7495\r\nAction: Hangup', extension: '1001' },
      { callerNumber: 'abc', extension: '1001' },
      { callerNumber: '+74951234567', extension: '10x1' },
      { callerNumber: '+74951234567', extension: '1001', ringTimeoutSeconds: 0 },
      { callerNumber: '+74951234567', extension: '1001', extra: true },
    ]) {
      expectErrorShape((await post('', e2e.sue.token, bad).expect(400)).body, 400, 'VALIDATION_FAILED');
    }
    expectErrorShape((await post('/no-such-call/answer', e2e.sue.token).expect(404)).body, 404, 'SIMULATED_CALL_NOT_FOUND');
  });

  it('follows user and company changes without a restart (database NOTIFY)', async () => {
    const carol = await createUser(e2e.testApp, e2e.adminToken, { username: 'carol', role: 'operator', phones: [{ phoneNumber: '1003', phoneType: 'extension' }] });
    await eventually('extension 1003 to map to carol', async () => directory.userOf('1003') === String(carol.id));
    const sim = await simulate({ extension: '1003', callerNumber: '8 (499) 000-00-01' });
    expect(sim.call).toMatchObject({ assignedUserId: String(carol.id), callerCompanyId: null });

    await e2e.testApp.http().patch(`/api/companies/${e2e.globexId}`).set('Authorization', `Bearer ${e2e.adminToken}`).send({ phones: ['8 495 765-43-21', '+7 499 000-00-01'] }).expect(200);
    await eventually('the new Globex number', async () => directory.companyOf('+74990000001') === String(e2e.globexId));
    await e2e.testApp.http().patch(`/api/users/${carol.id}`).set('Authorization', `Bearer ${e2e.adminToken}`).send({ phones: [] }).expect(200);
    await eventually('extension 1003 to be nobody', async () => directory.userOf('1003') === null);

    const again = await simulate({ extension: '1003', callerNumber: '+74990000001' });
    expect(again.call).toMatchObject({ assignedUserId: null, callerCompanyId: String(e2e.globexId) });
    await post(`/${sim.id}/hangup`, e2e.sue.token).expect(200);
    await post(`/${again.id}/hangup`, e2e.sue.token).expect(200);
  });

  it('keeps keyset pages stable while new calls arrive', async () => {
    for (let i = 0; i < 3; i++) await post(`/${(await simulate({ ringTimeoutSeconds: 600 })).id}/hangup`, e2e.sue.token).expect(200);
    const before = (await listCalls(e2e, e2e.sue.token)).map((c) => c.id);
    const page = async (cursor?: string) =>
      (await e2e.testApp.http().get('/api/calls').query({ limit: '3', ...(cursor ? { cursor } : {}) }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200)).body as {
        items: CallDto[];
        nextCursor: string | null;
      };
    const first = await page();
    const arrived = await simulate();
    const seen = first.items.map((c) => c.id);
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await page(cursor);
      seen.push(...next.items.map((c) => c.id));
      cursor = next.nextCursor;
    }
    expect(seen).toEqual(before);
    expect(seen).not.toContain(arrived.call!.id);
    await post(`/${arrived.id}/hangup`, e2e.sue.token).expect(200);

    const bad = await e2e.testApp.http().get('/api/calls').query({ cursor: 'bm90IGEgY3Vyc29y' }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(400);
    expectErrorShape(bad.body, 400, 'INVALID_CURSOR');
    const otherSort = await e2e.testApp.http().get('/api/calls').query({ sort: 'duration', cursor: first.nextCursor! }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(400);
    expectErrorShape(otherSort.body, 400, 'INVALID_CURSOR');
  });
});
