import type { CallEventPayloads } from '@app/contracts';
import { INGEST_LOCK_NAMESPACE } from '../apps/server/src/call-ingest';
import { PbxIngest } from '../apps/server/src/call-ingest/ami/pbx-ingest';
import { CallEventBus } from '../apps/server/src/call-events';
import { AdvisoryLocks } from '../apps/server/src/database';
import { type CallTrackerEvent, CaptureReplayServer } from '@app/ami';
import { callDetail, capturePath, endedCallsOf, eventually, replayAsPbx, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { query, testServerConnection } from './support/test-database';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('one ingest per PBX: advisory-lock election', () => {
  let server: CaptureReplayServer;
  const locks: AdvisoryLocks[] = [];
  const ingests: PbxIngest[] = [];
  const pbxId = `election-${process.pid}`;

  function contender(name: string): { ingest: PbxIngest; lock: AdvisoryLocks; events: CallTrackerEvent[] } {
    const events: CallTrackerEvent[] = [];
    const lock = new AdvisoryLocks({ ...testServerConnection(process.env.DB_NAME), application_name: `crm-election-${name}` }, INGEST_LOCK_NAMESPACE);
    const ingest = new PbxIngest({
      server: { id: pbxId, host: '127.0.0.1', port: server.port, username: 'crm', secret: 'replay-secret', tls: false },
      lock,
      sink: (event) => events.push(event),
      logger: quiet,
      standbyRetryMs: 100,
      connection: { reconnect: { initialDelayMs: 100, maxDelayMs: 200, jitter: 0 } },
    });
    lock.onLost(() => void ingest.lockLost());
    locks.push(lock);
    ingests.push(ingest);
    return { ingest, lock, events };
  }

  beforeAll(async () => {
    server = new CaptureReplayServer({ captures: [capturePath('inbound_busy')], loop: true, speed: 0, credentials: { username: 'crm', secret: 'replay-secret' } });
    await server.listen();
  });

  afterAll(async () => {
    await Promise.all(ingests.map((i) => i.stop()));
    await Promise.all(locks.map((l) => l.close()));
    await server.close();
  });

  it('lets one process ingest, keeps the other on standby, and hands over when the first stops', async () => {
    const a = contender('a');
    const b = contender('b');
    await a.ingest.start();
    await b.ingest.start();
    expect([a.ingest.state, b.ingest.state]).toEqual(['ingesting', 'standby']);
    await eventually('the first to track the call', async () => a.events.some((e) => e.type === 'ended'));
    expect(b.events).toEqual([]);

    await a.ingest.stop();
    await eventually('the standby to take over', async () => b.ingest.state === 'ingesting', 5000);
    await eventually('the second to track the call', async () => b.events.some((e) => e.type === 'ended'));
  });

  it('steps down when another process took the lock while its lock session was dead; one writer remains', async () => {
    const holder = ingests.find((i) => i.state === 'ingesting')!;
    const c = contender('c');
    await c.ingest.start();
    expect(c.ingest.state).toBe('standby');
    const [{ n }] = await query<{ n: number }>(
      process.env.DB_NAME!,
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'crm-election-b'`,
    );
    expect(n).toBe(1);
    // The standby (retrying every 100 ms) takes the lock before the holder's own retry (1 s).
    await eventually('the holder to step down', async () => holder.state === 'standby', 5000);
    // Whoever wins the lock next (the old holder's new session or the newcomer), one ingests;
    // 'ingesting' is only ever set while holding the lock, so there can never be two.
    await eventually('a single new writer', async () => ingests.filter((i) => i.state === 'ingesting').length === 1, 5000);
  });
});

describe('calls left open by a previous ingest', () => {
  let e2e: CallsE2e;

  beforeAll(async () => {
    e2e = await startCallsE2e();
  }, 60_000);

  afterAll(() => e2e?.close());

  it('are ended after the channel listing when the PBX no longer has them', async () => {
    const openRow = async (pbx: string, linkedid: string, answered: boolean) =>
      (
        await query<{ id: number }>(
          e2e.database,
          `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, caller_number, receiver_number, status, started_at, answered_at,
                              talk_seconds, duration, ring_seconds, last_event_at, event_seq, assigned_user_id)
           VALUES ($1::text, $2::text, $1::text || ':' || $2::text, 'inbound', '+74951234567', '74959876543', $3, now() - interval '1 hour',
                   CASE WHEN $4::boolean THEN now() - interval '59 minutes' END, 40, 40, 2, now() - interval '58 minutes', 3, $5)
           RETURNING id`,
          [pbx, linkedid, answered ? 'answered' : 'ringing', answered, e2e.alice.id],
        )
      )[0].id;
    const lostAnswered = await openRow('restarted', '1795000000.1', true);
    const lostRinging = await openRow('restarted', '1795000000.3', false);
    const otherPbx = await openRow('elsewhere', '1795000000.5', true);
    const ended: Array<CallEventPayloads['call.ended']> = [];
    e2e.testApp.app.get(CallEventBus).subscribe((message) => {
      if (message.name === 'call.ended') ended.push(message.payload);
    });

    const replay = await replayAsPbx(e2e, 'restarted', ['inbound_no_answer']);
    const calls = await endedCallsOf(e2e, 'restarted', 3);
    await replay.stop();

    const byId = new Map(calls.map((c) => [Number(c.id), c]));
    // Their ends were not seen: talk unknown (the column keeps the 40 s seen before, a lower bound).
    expect(byId.get(lostAnswered)).toMatchObject({ status: 'answered', hangupBy: 'system', talkSeconds: null, duration: null, endObserved: false, endSource: 'unobserved' });
    expect(byId.get(lostRinging)).toMatchObject({ status: 'missed', hangupBy: 'system', answeredAt: null });
    expect(Date.parse(byId.get(lostAnswered)!.endedAt!)).toBeLessThan(Date.now() - 50 * 60_000);
    const fresh = calls.find((c) => c.linkedid === '1795696650.4');
    expect(fresh).toMatchObject({ status: 'missed', ringSeconds: 6, endObserved: true, endSource: 'ami' });

    const detail = await callDetail(e2e, e2e.sue.token, String(lostAnswered));
    expect(detail.timeline.map((s) => [s.type, (s.data as { lost?: boolean }).lost])).toEqual([['ended', true]]);
    expect(ended.filter((e) => e.lost).map((e) => Number(e.call.id)).sort()).toEqual([lostAnswered, lostRinging].sort());

    const [other] = await query<{ ended_at: Date | null }>(e2e.database, `SELECT ended_at FROM calls WHERE id = $1`, [otherPbx]);
    expect(other.ended_at).toBeNull();
  });
});
