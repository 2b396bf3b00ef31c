import type { CallDto } from '../apps/server/src/calls';
import { CAPTURE_CASES, type CaptureCase, type ExpectedCall } from './support/calls-capture-expectations';
import { callDetail, endedCallsOf, eventually, listCalls, replayAsPbx, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { expectedStats } from './support/calls-stats-oracle';
import { expectErrorShape } from './support/test-app';

/**
 * Every capture in test/fixtures/ami served over TCP as its own PBX, all at once and
 * at recorded speed, into the running app; the stored calls are then read through the API.
 */
describe('calls from the real captures, replayed over TCP as PBXs', () => {
  let e2e: CallsE2e;
  const stored = new Map<string, CallDto[]>();

  beforeAll(async () => {
    e2e = await startCallsE2e();
    const replays = await Promise.all(CAPTURE_CASES.map((c) => replayAsPbx(e2e, c.pbxId, c.captures, { reconnectDelayMs: c.reconnectDelayMs })));
    await Promise.all(replays.map((r) => r.streamed));
    for (const c of CAPTURE_CASES) {
      const calls = await endedCallsOf(e2e, c.pbxId, c.calls.length);
      stored.set(c.pbxId, [...calls].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)));
    }
    await Promise.all(replays.map((r) => r.stop()));
  }, 120_000);

  afterAll(() => e2e?.close());

  const userIdOf = (who: ExpectedCall['assigned']) => (who === null ? null : String(e2e[who].id));
  const companyIdOf = (which: ExpectedCall['company']) => (which === null ? null : String(which === 'acme' ? e2e.acmeId : e2e.globexId));
  const second = (iso: string | null) => (iso === null ? null : `${iso.slice(0, 19)}Z`);

  describe.each(CAPTURE_CASES.map((c): [string, CaptureCase] => [c.captures.join(' + '), c]))('%s', (_name, c) => {
    it('stores exactly the call(s) the .md describes', () => {
      const calls = stored.get(c.pbxId)!;
      expect(calls).toHaveLength(c.calls.length);
      c.calls.forEach((expected, i) => {
        const call = calls[i];
        expect(call).toMatchObject({
          direction: expected.direction,
          status: expected.status,
          callerNumber: expected.callerNumber,
          receiverNumber: expected.receiverNumber,
          answeredByExtension: expected.answeredByExtension,
          assignedUserId: userIdOf(expected.assigned),
          callerCompanyId: companyIdOf(expected.company),
          talkSeconds: expected.talkSeconds,
          duration: expected.talkSeconds,
        });
        expect(call.endedAt).not.toBeNull();
        if (expected.status === 'answered') expect(call.answeredAt).not.toBeNull();
        else expect(call.answeredAt).toBeNull();
        if (expected.ringSeconds !== undefined) expect(call.ringSeconds).toBe(expected.ringSeconds);
        if (expected.holdSeconds !== undefined) expect(call.holdSeconds).toBe(expected.holdSeconds);
        if (expected.hangupBy !== undefined) expect(call.hangupBy).toBe(expected.hangupBy);
        if (expected.crmCallId !== undefined) expect(call.crmCallId).toBe(expected.crmCallId);
        if (expected.times) {
          expect({ startedAt: second(call.startedAt), answeredAt: second(call.answeredAt), endedAt: second(call.endedAt) }).toEqual(expected.times);
        }
      });
    });

    it('keeps the timeline and the recordings of each call', async () => {
      const calls = stored.get(c.pbxId)!;
      for (const [i, expected] of c.calls.entries()) {
        const detail = await callDetail(e2e, e2e.sue.token, calls[i].id);
        expect(detail.call.id).toBe(calls[i].id);
        expect(detail.timeline.map((s) => s.type)).toEqual(expected.timeline);
        // Recordings are linked just after their steps are stored: wait for the links, stopped.
        const recordings = await eventually('the recordings linked and stopped', async () => {
          const { recordings: linked } = await callDetail(e2e, e2e.sue.token, calls[i].id);
          return linked.length === expected.recordings.length && linked.every((r) => r.stoppedAt !== null) ? linked : undefined;
        }).catch(() => detail.recordings);
        expect(recordings.map((r) => r.fileName).sort()).toEqual([...expected.recordings].sort());
        expect(recordings.map((r) => r.stoppedAt !== null)).toEqual(expected.recordings.map(() => true));
        const end = detail.timeline[detail.timeline.length - 1];
        expect(end.data).toMatchObject({ status: expected.status, talkSeconds: expected.talkSeconds });
      }
    });
  });

  it('names both agents of the blind transfer in its timeline', async () => {
    for (const pbxId of ['blind-transfer', 'blind-transfer-ts']) {
      const [call] = stored.get(pbxId)!;
      const detail = await callDetail(e2e, e2e.sue.token, call.id);
      const transfer = detail.timeline.find((s) => s.type === 'transferred');
      expect(transfer?.data).toEqual({ kind: 'blind', from: '1001', to: '1002', fromUserId: String(e2e.alice.id), toUserId: String(e2e.bob.id) });
      const answers = detail.timeline.filter((s) => s.type === 'answered').map((s) => (s.data as { extension: string }).extension);
      expect(answers).toEqual(['1001', '1002']);
    }
  });

  it('shows an operator only the calls they took part in; another operator gets 404 for them, a supervisor 200', async () => {
    const tookPart = (who: 'alice' | 'bob') =>
      CAPTURE_CASES.flatMap((c) => stored.get(c.pbxId)!.filter((_call, i) => c.calls[i].participants.includes(who)));
    const alices = tookPart('alice');
    const bobs = tookPart('bob').find((call) => !alices.includes(call))!;
    for (const c of CAPTURE_CASES) {
      stored.get(c.pbxId)!.forEach((call, i) => expect(call.participantUserIds).toEqual(c.calls[i].participants.map((who) => String(e2e[who].id)).sort((a, b) => Number(a) - Number(b))));
    }

    const aliceList = await listCalls(e2e, e2e.alice.token);
    expect(aliceList.map((c) => c.id).sort()).toEqual(alices.map((c) => c.id).sort());

    const denied = await e2e.testApp.http().get(`/api/calls/${bobs.id}`).set('Authorization', `Bearer ${e2e.alice.token}`).expect(404);
    expectErrorShape(denied.body, 404, 'CALL_NOT_FOUND');
    await e2e.testApp.http().get(`/api/calls/${bobs.id}`).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200);
    await e2e.testApp.http().get(`/api/calls/${alices[0].id}`).set('Authorization', `Bearer ${e2e.alice.token}`).expect(200);
  });

  it('computes the statistics of the replayed calls as the call records say', async () => {
    const all = await listCalls(e2e, e2e.sue.token);
    const from = new Date(Math.min(...all.map((c) => Date.parse(c.startedAt)))).toISOString();
    const to = new Date(Math.max(...all.map((c) => Date.parse(c.startedAt))) + 1).toISOString();
    const response = await e2e.testApp.http().get('/api/stats').query({ from, to }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200);
    const expected = expectedStats(all, all);
    const body = response.body;
    expect(body.totals).toEqual(expected.totals);
    expect(body.ringSeconds.average).toBeCloseTo(expected.ringSeconds.average!, 9);
    expect(body.ringSeconds.p90).toBeCloseTo(expected.ringSeconds.p90!, 9);
    expect(body.talkSeconds.average).toBeCloseTo(expected.talkSeconds.average!, 9);
    expect(body.talkSeconds.p90).toBeCloseTo(expected.talkSeconds.p90!, 9);
    expect(body.talkSeconds.total).toBe(expected.talkSeconds.total);
    expect(body.perUser.map(({ userName: _name, ...u }: { userName: string }) => u)).toEqual(expected.perUser);
    expect(body.perHour).toEqual(expected.perHour);
    expect(body.perDay).toEqual(expected.perDay);
    expect(body.missedNotCalledBack.count).toBe(expected.missedNotCalledBack.count);
    expect(body.missedNotCalledBack.calls.map((c: CallDto) => c.id).sort()).toEqual(expected.missedNotCalledBack.ids);
    expect(expected.totals.calls).toBe(CAPTURE_CASES.reduce((n, c) => n + c.calls.length, 0));
  });

  it("gives an operator their own statistics and refuses another user's", async () => {
    const all = await listCalls(e2e, e2e.sue.token);
    const period = { from: '2026-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
    const mine = all.filter((c) => c.assignedUserId === String(e2e.alice.id));
    const own = await e2e.testApp.http().get('/api/stats').query(period).set('Authorization', `Bearer ${e2e.alice.token}`).expect(200);
    expect(own.body.userId).toBe(String(e2e.alice.id));
    expect(own.body.totals).toEqual(expectedStats(mine, all).totals);
    const refused = await e2e.testApp.http().get('/api/stats').query({ ...period, userId: e2e.bob.id }).set('Authorization', `Bearer ${e2e.alice.token}`).expect(403);
    expectErrorShape(refused.body, 403, 'FORBIDDEN');
  });

  it('filters by status, direction, user, company and number, and pages with a cursor', async () => {
    const all = await listCalls(e2e, e2e.sue.token);
    const ids = (calls: CallDto[]) => calls.map((c) => c.id).sort();
    const check = async (query: Record<string, string>, keep: (c: CallDto) => boolean) =>
      expect(ids(await listCalls(e2e, e2e.sue.token, query))).toEqual(ids(all.filter(keep)));
    await check({ status: 'missed,abandoned' }, (c) => c.status === 'missed' || c.status === 'abandoned');
    await check({ direction: 'outbound' }, (c) => c.direction === 'outbound');
    await check({ userId: String(e2e.bob.id) }, (c) => c.assignedUserId === String(e2e.bob.id));
    await check({ companyId: String(e2e.globexId) }, (c) => c.callerCompanyId === String(e2e.globexId));
    await check({ number: '8 (495) 111-22' }, (c) => c.receiverNumber === '84951112233');
    await check({ number: '8 495 123-45-67' }, (c) => c.externalNumber === '+74951234567');

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await e2e.testApp.http().get('/api/calls').query({ limit: '4', ...(cursor ? { cursor } : {}) }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.items.map((c: CallDto) => c.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.map((c) => c.id));
  });

  it('exports the same calls as CSV', async () => {
    const all = await listCalls(e2e, e2e.sue.token);
    const csv = await e2e.testApp.http().get('/api/calls/export.csv').set('Authorization', `Bearer ${e2e.sue.token}`).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0].split(',').slice(0, 6)).toEqual(['id', 'started_at', 'answered_at', 'ended_at', 'direction', 'status']);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(all.map((c) => c.id));
    const asFormat = await e2e.testApp.http().get('/api/calls').query({ format: 'csv', status: 'busy' }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200);
    expect(asFormat.text.trim().split('\n')).toHaveLength(1 + all.filter((c) => c.status === 'busy').length);
  });
});
