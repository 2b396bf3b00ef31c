import type { CallEventPayloads } from '@app/contracts';
import { CallIngestService } from '../apps/server/src/call-ingest';
import { CallEventBus } from '../apps/server/src/call-events';
import { RecordingLinkerService, RecordingReadinessService } from '../apps/server/src/recordings';
import type { CallDto } from '../apps/server/src/calls';
import { replayCaptures } from '@app/ami';
import { capturePath, endedCallsOf, eventually, listCalls, replayAsPbx, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { query } from './support/test-database';

type AnyCallEvent = CallEventPayloads[keyof CallEventPayloads];

describe('call ingest over TCP: live rows, Nest events, replays', () => {
  let e2e: CallsE2e;
  let ingest: CallIngestService;
  const announced: Array<{ name: string; payload: AnyCallEvent }> = [];

  beforeAll(async () => {
    e2e = await startCallsE2e();
    ingest = e2e.testApp.app.get(CallIngestService, { strict: false });
    e2e.testApp.app.get(CallEventBus).subscribe(({ name, payload }) => announced.push({ name, payload }));
  }, 60_000);

  afterAll(() => e2e?.close());

  /** Everything stored for one PBX, as rows straight from the database. */
  async function storedState(pbxId: string) {
    const calls = await query(e2e.database, `SELECT * FROM calls WHERE pbx_id = $1 ORDER BY id`, [pbxId]);
    const ids = calls.map((c) => c.id);
    return {
      calls,
      events: await query(e2e.database, `SELECT * FROM call_events WHERE call_id = ANY($1::int[]) ORDER BY id`, [ids]),
      recordings: await query(e2e.database, `SELECT * FROM recordings WHERE call_id = ANY($1::int[]) ORDER BY id`, [ids]),
    };
  }

  /** Replays the capture again as the same PBX and waits until the ingest has processed every event of it. */
  async function replayAgain(pbxId: string, capture: string): Promise<void> {
    const trackerEvents = replayCaptures([capturePath(capture)]).events.length;
    const before = ingest.stats.written;
    const replay = await replayAsPbx(e2e, pbxId, [capture]);
    await replay.streamed;
    await eventually(`${trackerEvents} events of the second replay processed`, async () => ingest.stats.written >= before + trackerEvents && ingest.stats.pending === 0);
    await replay.stop();
  }

  it('shows the call through the API while it is still ringing, then answered', async () => {
    const seen: CallDto[] = [];
    const replay = await replayAsPbx(e2e, 'ringing-check', ['inbound_answered']);
    const ringing = await eventually(
      'the ringing call in /api/calls/active',
      async () => {
        const active = (await listActive(e2e.alice.token)).filter((c) => c.pbxId === 'ringing-check');
        seen.push(...active);
        return active.find((c) => c.status === 'ringing');
      },
      10_000,
      20,
    );
    expect(ringing).toMatchObject({ answeredAt: null, endedAt: null, assignedUserId: String(e2e.alice.id), callerCompanyId: String(e2e.acmeId) });
    const [done] = await endedCallsOf(e2e, 'ringing-check', 1);
    expect(done).toMatchObject({ id: ringing.id, status: 'answered' });
    expect(seen.every((c) => c.id === ringing.id)).toBe(true);
    expect(await listActive(e2e.alice.token)).toEqual([]);
    await replay.stop();
  });

  it("announces each stored step once, carrying the call as stored", async () => {
    const [call] = await endedCallsOf(e2e, 'ringing-check', 1);
    const mine = announced.filter((e) => e.payload.call.pbxId === 'ringing-check');
    expect(mine.map((e) => e.name)).toEqual(['recording.started', 'call.ringing', 'call.answered', 'recording.stopped', 'call.ended']);
    for (const e of mine) expect(e.payload).toMatchObject({ dryRun: false, call: { id: call.id, linkedid: call.linkedid } });
    const ringing = mine[1].payload as CallEventPayloads['call.ringing'];
    expect(ringing).toMatchObject({ extension: '1001', userId: String(e2e.alice.id), call: { status: 'ringing', answeredAt: null } });
    const ended = mine[4].payload as CallEventPayloads['call.ended'];
    expect(ended.call).toEqual(expect.objectContaining({ status: 'answered', talkSeconds: call.talkSeconds, endedAt: call.endedAt, hangupBy: 'callee' }));
    expect(ended).toMatchObject({ status: 'answered', hangupBy: 'callee', agents: ['1001'] });
    expect(mine[0].payload).toMatchObject({ file: '20261126-123715-+74951234567-74959876543.wav', source: 'mixmonitor' });
  });

  it.each([
    ['arrival times (a replay arrives later)', 'inbound_answered', 'twice-arrival'],
    ["Asterisk's own Timestamp headers (a replay carries the same times)", 'inbound_answered.timestamps', 'twice-timestamps'],
  ])('stores the same capture replayed twice once, unchanged: %s', async (_how, capture, pbxId) => {
    const first = await replayAsPbx(e2e, pbxId, [capture]);
    await endedCallsOf(e2e, pbxId, 1);
    await first.stop();
    // Written, linked (links gather for 250 ms) and looked at by readiness: nothing of the first
    // replay is still on its way when the state is taken.
    await ingest.drain();
    await e2e.testApp.app.get(RecordingLinkerService, { strict: false }).drain();
    await e2e.testApp.app.get(RecordingReadinessService, { strict: false }).sweep();
    const before = await storedState(pbxId);
    expect(before.calls).toHaveLength(1);
    expect(before.events.length).toBeGreaterThanOrEqual(5);
    const announcedBefore = announced.length;

    await replayAgain(pbxId, capture);

    expect(await storedState(pbxId)).toEqual(before);
    expect(announced.slice(announcedBefore).filter((e) => e.payload.call.pbxId === pbxId)).toEqual([]);
  });

  it('keeps several PBXs apart when they send the same Linkedid at once', async () => {
    const replays = await Promise.all(['pbx-a', 'pbx-b'].map((id) => replayAsPbx(e2e, id, ['inbound_no_answer'])));
    const [a] = await endedCallsOf(e2e, 'pbx-a', 1);
    const [b] = await endedCallsOf(e2e, 'pbx-b', 1);
    expect(a.linkedid).toBe(b.linkedid);
    expect(a.id).not.toBe(b.id);
    expect([a.status, b.status]).toEqual(['missed', 'missed']);
    await Promise.all(replays.map((r) => r.stop()));
    const all = await listCalls(e2e, e2e.sue.token);
    expect(all.filter((c) => c.linkedid === a.linkedid)).toHaveLength(2);
  });

  async function listActive(token: string): Promise<CallDto[]> {
    return (await e2e.testApp.http().get('/api/calls/active').set('Authorization', `Bearer ${token}`).expect(200)).body as CallDto[];
  }
});
