import type { CallEventMessage } from '@app/contracts';
import type { CallDto } from '../apps/server/src/calls';
import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import type { PlacedCall } from '../apps/pbx-sim/src/engine/call-placer';
import { AmiIngestService } from '../apps/server/src/call-ingest';
import { CallEventBus } from '../apps/server/src/call-events';
import { eventually } from './support/calls-e2e';
import { loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

const AMI_USER = { username: 'restart', secret: 'restart-secret' };

interface Row extends Record<string, unknown> {
  id: number;
  linkedid: string;
  direction: string;
  status: string;
  caller_number: string;
  receiver_number: string;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  ring_seconds: number;
  talk_seconds: number;
  event_seq: number;
}

/**
 * The product restarted mid-call (the process goes, a new one takes over the PBX and rebuilds
 * its calls from CoreShowChannels): what the database already knew stays, nothing is
 * downgraded or said twice, and the steps published after the restart continue the call's
 * event sequence.
 */
describe('an ingest restarted while calls go on', () => {
  const database = uniqueName('ingest_restart');
  const pbxId = `restart-${process.pid}`;
  let sim: PbxSim;
  let first: TestApp | null = null;
  let second: TestApp | null = null;

  const rowOf = async (linkedid: string) => (await query<Row>(database, `SELECT * FROM calls WHERE pbx_id = $1 AND linkedid = $2`, [pbxId, linkedid]))[0];
  const stepsOf = async (id: number) =>
    query<{ type: string; data: Record<string, unknown> }>(database, `SELECT type, data FROM call_events WHERE call_id = $1 ORDER BY occurred_at, id`, [id]);
  const ingestInto = async (app: TestApp) =>
    app.app.get(AmiIngestService, { strict: false }).add({ id: pbxId, host: '127.0.0.1', port: sim.port, ...AMI_USER, tls: false });

  beforeAll(async () => {
    await createDatabase(database);
    sim = await startPbxSim({ port: 0, seed: 5, users: [AMI_USER], traffic: null, config: { recordingsPath: null } });
  }, 60_000);

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await sim?.close();
    await dropDatabase(database);
  });

  it('keeps the stored times, status and parties, adds no second answered step nor a recording started twice, and continues eventSeq', async () => {
    first = await startTestApp({ DB_NAME: database });
    await ingestInto(first);
    await eventually('the first ingest logged in', async () => sim.stats.ami.sessions > 0 && sim.stats.ami.actions >= 2);

    // An answered call recorded with MixMonitor, and one that goes into an attended transfer.
    const recorded: PlacedCall = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', ringMs: 1300, talkMs: 9000, record: { afterMs: 300, durationMs: 6000 } });
    const transferred: PlacedCall = sim.placeCall({
      kind: 'inbound',
      from: '+74957654321',
      to: '74959876544',
      ringMs: 700,
      talkMs: 9000,
      transfer: { kind: 'attended', to: '1003', afterMs: 1000, ringMs: 1500, talkMs: 4000 },
    });
    const before = await eventually('both answered, the recording started and the consultation ringing', async () => {
      const a = await rowOf(recorded.linkedid);
      const b = await rowOf(transferred.linkedid);
      if (!a?.answered_at || !b?.answered_at) return undefined;
      const steps = await stepsOf(a.id);
      if (!steps.some((s) => s.type === 'recording_started')) return undefined;
      return { a, b, stepsA: steps, stepsB: await stepsOf(b.id) };
    }, 10_000);
    // Into the consultation: 1003 rings for the transfer.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const seqBefore = new Map([recorded.linkedid, transferred.linkedid].map((l) => [l, 0]));
    for (const l of seqBefore.keys()) seqBefore.set(l, (await rowOf(l)).event_seq);

    // The process goes; a new one starts on the same database while both calls go on.
    await first.close();
    first = null;
    second = await startTestApp({ DB_NAME: database });
    const published: CallEventMessage[] = [];
    second.app.get(CallEventBus).subscribe((m) => published.push(m));
    await ingestInto(second);
    await Promise.all([recorded.done, transferred.done]);

    const [a, b] = await eventually('both calls stored as ended', async () => {
      const rows = [await rowOf(recorded.linkedid), await rowOf(transferred.linkedid)];
      return rows.every((r) => r.ended_at !== null) ? rows : undefined;
    }, 15_000);

    // What the first process stored precisely is kept, not replaced by snapshot seconds.
    expect(a).toMatchObject({ direction: 'inbound', status: 'answered', caller_number: before.a.caller_number, receiver_number: before.a.receiver_number });
    expect(a.started_at).toEqual(before.a.started_at);
    expect(a.answered_at).toEqual(before.a.answered_at);
    expect(a.ring_seconds).toBe(before.a.ring_seconds);
    const simA = (await recorded.done);
    expect(Math.abs(a.talk_seconds - (simA.endedAt! - before.a.answered_at!.getTime()) / 1000)).toBeLessThanOrEqual(1);
    const stepsAfter = await stepsOf(a.id);
    const typesA = stepsAfter.map((s) => s.type);
    expect(typesA.filter((t) => t === 'answered')).toHaveLength(1);
    // Each recording (the dialplan's MixMonitor and the CRM's) is started once, the one seen before the restart included.
    const started = stepsAfter.filter((s) => s.type === 'recording_started').map((s) => s.data.file);
    expect(new Set(started).size).toBe(started.length);
    for (const step of before.stepsA.filter((s) => s.type === 'recording_started')) expect(started).toContain(step.data.file);
    // The steps the rebuilt call adds say what recorded the file (MixMonitor), as the ones before the restart did.
    const sourceOf = new Map(stepsAfter.filter((s) => s.type === 'recording_started').map((s) => [s.data.file, s.data.source]));
    const stopped = stepsAfter.filter((s) => s.type === 'recording_stopped');
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.map((s) => [s.data.file, s.data.source])).toEqual(stopped.map((s) => [s.data.file, sourceOf.get(s.data.file)]));
    expect(typesA.filter((t) => t === 'ended')).toHaveLength(1);

    // The transfer in progress does not turn the answered inbound call into something else.
    expect(b).toMatchObject({ direction: 'inbound', status: 'answered', caller_number: before.b.caller_number, receiver_number: before.b.receiver_number });
    expect(b.started_at).toEqual(before.b.started_at);
    expect(b.answered_at).toEqual(before.b.answered_at);
    expect(b.talk_seconds).toBeGreaterThan(0);
    expect((await stepsOf(b.id)).filter((s) => s.type === 'answered').length).toBeLessThanOrEqual(before.stepsB.filter((s) => s.type === 'answered').length + 1);

    // Clients ordering by eventSeq see the steps after the restart after the ones before.
    for (const [linkedid, seq] of seqBefore) {
      const after = published.filter((m) => m.payload.call.linkedid === linkedid);
      expect(after.length).toBeGreaterThan(0);
      expect(Math.min(...after.map((m) => m.payload.call.eventSeq))).toBeGreaterThan(seq);
    }
  }, 60_000);

  it('marks the end of calls that ended while no ingest ran as not observed: talk and duration unknown, not 0, and left out of talk statistics', async () => {
    // The previous test's process still holds the PBX.
    await second?.close();
    second = null;
    const app = await startTestApp({ DB_NAME: database });
    const apps = [app];
    try {
      await ingestInto(app);
      await eventually('the ingest logged in', async () => sim.stats.ami.sessions > 0);
      const answered = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', ringMs: 500, talkMs: 2500 });
      const ringing = sim.placeCall({ kind: 'inbound', from: '+74957654321', to: '74959876544', outcome: 'missed', ringMs: 2500 });
      await eventually('one answered, one ringing', async () => (await rowOf(answered.linkedid))?.answered_at && (await rowOf(ringing.linkedid)) !== undefined);
      await app.close();
      apps.pop();
      // Both calls end while no ingest runs.
      await Promise.all([answered.done, ringing.done]);

      const next = await startTestApp({ DB_NAME: database });
      apps.push(next);
      await ingestInto(next);
      const token = await loginAdmin(next);
      const views = await eventually('both calls ended after the channel listing', async () => {
        const calls = ((await next.http().get('/api/calls').query({ limit: '200' }).set('Authorization', `Bearer ${token}`).expect(200)).body.items as CallDto[]).filter(
          (c) => c.linkedid === answered.linkedid || c.linkedid === ringing.linkedid,
        );
        return calls.length === 2 && calls.every((c) => c.endedAt !== null) ? calls : undefined;
      }, 15_000);
      for (const call of views) expect(call).toMatchObject({ endObserved: false, endSource: 'unobserved', talkSeconds: null, duration: null });
      const csv = (await next.http().get('/api/calls').query({ format: 'csv', limit: '200' }).set('Authorization', `Bearer ${token}`).expect(200)).text.trim().split('\n');
      const header = csv[0].split(',');
      const row = csv.find((line) => line.includes(answered.linkedid))!.split(',');
      expect(row[header.indexOf('end_observed')]).toBe('false');
      expect(row[header.indexOf('talk_seconds')]).toBe('');
      const stats = await next.http().get('/api/stats').query({ from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' }).set('Authorization', `Bearer ${token}`).expect(200);
      expect(stats.body.talkSeconds.total).toBe(await talkTotalOfObservedCalls());
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
  }, 60_000);

  const talkTotalOfObservedCalls = async () =>
    (await query<{ n: number }>(database, `SELECT COALESCE(sum(talk_seconds), 0)::int AS n FROM calls WHERE status = 'answered' AND ended_at IS NOT NULL AND end_source IS DISTINCT FROM 'unobserved'`))[0].n;
});
