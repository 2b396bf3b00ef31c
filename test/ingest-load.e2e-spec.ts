import { RealClock } from '../apps/pbx-sim/src/clock/sim-clock';
import { CallPlacer } from '../apps/pbx-sim/src/engine/call-placer';
import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { SeededRandom } from '@app/ami';
import { TrafficGenerator } from '../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile } from '../apps/pbx-sim/src/traffic/traffic-profile';
import { AmiIngestService } from '../apps/server/src/call-ingest';
import { playedStatus } from '../apps/pbx-sim/src/traffic/played-status';
import { eventually } from './support/calls-e2e';
import { startTestApp, type TestApp } from './support/test-app';
import { query } from './support/test-database';

const CALLS = 150;
const SEED = 11;
const AMI_USER = { username: 'load', secret: 'load-secret' };

interface StoredCall extends Record<string, unknown> {
  linkedid: string;
  status: string;
  ended: boolean;
  end_steps: number;
}

/**
 * `npm run bench:load` in small, on every test run: generated pbx-sim traffic (overlapping
 * calls of every kind and outcome, transfers, recordings) over real AMI into the app's own
 * ingest, and every call the simulator placed checked in PostgreSQL.
 */
describe('generated PBX traffic through the AMI ingest', () => {
  const pbxId = `load-${process.pid}`;
  let testApp: TestApp;
  let sim: PbxSim;

  beforeAll(async () => {
    testApp = await startTestApp();
    // Short dial timeouts: unanswered calls end in 3 s instead of the dialplan's 20/60 s.
    sim = await startPbxSim({ port: 0, seed: SEED, users: [AMI_USER], traffic: null, config: { recordingsPath: null, inboundDialTimeoutSec: 3, internalDialTimeoutSec: 3 } });
    await testApp.app.get(AmiIngestService, { strict: false }).add({ id: pbxId, host: '127.0.0.1', port: sim.port, ...AMI_USER, tls: false });
    // Logged in with events on and the channel listing asked for: from here on no event is missed.
    await eventually('the ingest logged in to the simulator', async () => sim.stats.ami.sessions > 0 && sim.stats.ami.actions >= 2);
  }, 60_000);

  afterAll(async () => {
    await testApp?.close();
    await sim?.close();
  });

  it(`stores each of ${CALLS} overlapping calls once, ended once, with the status the simulator played`, async () => {
    const played = new Map<string, string>();
    const ended: Promise<unknown>[] = [];
    let allPlaced!: () => void;
    const placed = new Promise<void>((done) => (allPlaced = done));
    const profile = resolveProfile({
      cps: 60,
      maxConcurrent: 1_000_000,
      ringMs: { min: 200, max: 800 },
      talkMs: { median: 400, sigma: 0.5, min: 200, max: 1200 },
      // Holds last 3-20 s in the generator: left out to keep the test short; bench:load covers them.
      operations: { blindTransfer: 0.08, attendedTransfer: 0.05, hold: 0, record: 0.1 },
    });
    const traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), profile, new SeededRandom(SEED), new RealClock(), (call, req) => {
      played.set(call.linkedid, playedStatus(req));
      ended.push(call.done);
      if (played.size < CALLS) return;
      traffic.stop();
      allPlaced();
    });
    traffic.start();
    await placed;
    await Promise.all(ended);
    expect(Object.keys(traffic.stats.byOutcome).sort()).toEqual(['abandoned', 'answered', 'busy', 'failed', 'missed']);

    const storedCalls = () =>
      query<StoredCall>(
        process.env.DB_NAME!,
        `SELECT c.linkedid, c.status, c.ended_at IS NOT NULL AS ended,
                (SELECT count(*)::int FROM call_events e WHERE e.call_id = c.id AND e.type = 'ended') AS end_steps
         FROM calls c WHERE c.pbx_id = $1`,
        [pbxId],
      );
    // The simulator is done: the ingest is milliseconds behind. If it never catches up, the checks below say which calls lack what.
    const stored = await eventually(
      `the ${CALLS} calls stored as ended`,
      async () => {
        const rows = await storedCalls();
        return rows.length >= CALLS && rows.every((r) => r.ended) ? rows : undefined;
      },
      10_000,
      100,
    ).catch(storedCalls);
    expect(stored.map((r) => r.linkedid).sort()).toEqual([...played.keys()].sort());
    expect(stored.filter((r) => !r.ended)).toEqual([]);
    expect(stored.filter((r) => r.end_steps !== 1)).toEqual([]);
    expect(Object.fromEntries(stored.map((r) => [r.linkedid, r.status]))).toEqual(Object.fromEntries(played));
  }, 60_000);
});
