import { SeededRandom } from '@app/ami';
import { RealClock } from '../apps/pbx-sim/src/clock/sim-clock';
import { CallPlacer } from '../apps/pbx-sim/src/engine/call-placer';
import type { PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { TrafficGenerator } from '../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile } from '../apps/pbx-sim/src/traffic/traffic-profile';
import { AmiIngestService, CallIngestService } from '../apps/server/src/call-ingest';
import { playedStatus } from '../apps/pbx-sim/src/traffic/played-status';
import { eventually } from './support/calls-e2e';
import { startProxiedIngestApp, type ProxiedIngestApp } from './support/proxied-ingest-app';
import type { TestApp } from './support/test-app';
import { query } from './support/test-database';
import type { TcpProxy } from './support/tcp-proxy';

const SEED = 23;
const AMI_USER = { username: 'outage', secret: 'outage-secret' };
const OUTAGE_MS = 10_000;
/** A small write-queue bound, so the outage fills it and the ingest has to stop reading the PBX. */
const MAX_QUEUED = 300;
/** Past the bound: what one socket read (256 KB) of already-received events can add per PBX. */
const READ_SLACK = 1500;

interface Stored extends Record<string, unknown> {
  linkedid: string;
  status: string;
  ended: boolean;
  end_source: string | null;
  end_steps: number;
}

/**
 * PostgreSQL goes away for 10 s under steady traffic (a TCP proxy between the app and the
 * server is cut: the shared server is never touched). The single ingest keeps tracking the
 * PBX meanwhile and writes everything once the database is back: every call the simulator
 * placed, before, during and after the outage, is stored once, ended once, as played. The
 * write queue stays within its bound: the ingest stops reading the PBX's socket when it is full.
 */
describe('PostgreSQL down under traffic', () => {
  const pbxId = `outage-${process.pid}`;
  let rig: ProxiedIngestApp;
  let database: string;
  let proxy: TcpProxy;
  let app: TestApp;
  let sim: PbxSim;

  beforeAll(async () => {
    rig = await startProxiedIngestApp({
      name: 'db_outage',
      pbxId,
      amiUser: AMI_USER,
      env: { INGEST_MAX_QUEUED_EVENTS: String(MAX_QUEUED) },
      sim: { seed: SEED, traffic: null, config: { recordingsPath: null, inboundDialTimeoutSec: 3, internalDialTimeoutSec: 3 } },
    });
    ({ database, proxy, app, sim } = rig);
    await eventually('the ingest logged in to the simulator', async () => sim.stats.ami.sessions > 0 && sim.stats.ami.actions >= 2);
  }, 60_000);

  afterAll(() => rig?.close());

  it('loses no call and keeps the write queue bounded: each stored once, ended once, with the status played', async () => {
    const ingest = app.app.get(CallIngestService, { strict: false });
    const pbx = app.app.get(AmiIngestService, { strict: false });
    let maxPending = 0;
    let pausedSeen = false;
    const sampler = setInterval(() => {
      maxPending = Math.max(maxPending, ingest.stats.pending);
      pausedSeen ||= pbx.status().some((p) => p.readingPaused);
    }, 10);
    const played = new Map<string, string>();
    const ended: Promise<unknown>[] = [];
    const profile = resolveProfile({
      cps: 12,
      maxConcurrent: 1_000_000,
      ringMs: { min: 200, max: 800 },
      talkMs: { median: 600, sigma: 0.5, min: 200, max: 1500 },
      operations: { blindTransfer: 0.08, attendedTransfer: 0.05, hold: 0, record: 0.1 },
    });
    const traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), profile, new SeededRandom(SEED), new RealClock(), (call, req) => {
      played.set(call.linkedid, playedStatus(req));
      ended.push(call.done);
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    traffic.start();
    await sleep(2000);
    await proxy.cut();
    const placedBeforeOutage = played.size;
    await sleep(OUTAGE_MS);
    const placedDuringOutage = played.size - placedBeforeOutage;
    await proxy.restore();
    await sleep(2000);
    traffic.stop();
    await Promise.all(ended);
    expect(placedDuringOutage).toBeGreaterThan(50);
    expect(pausedSeen).toBe(true);

    const storedCalls = () =>
      query<Stored>(
        database,
        `SELECT c.linkedid, c.status, c.ended_at IS NOT NULL AS ended, c.end_source,
                (SELECT count(*)::int FROM call_events e WHERE e.call_id = c.id AND e.type = 'ended') AS end_steps
         FROM calls c WHERE c.pbx_id = $1`,
        [pbxId],
      );
    const stored = await eventually(
      `the ${played.size} calls stored as ended`,
      async () => {
        const rows = await storedCalls();
        return rows.length >= played.size && rows.every((r) => r.ended) ? rows : undefined;
      },
      30_000,
      200,
    ).catch(storedCalls);
    expect(stored.map((r) => r.linkedid).sort()).toEqual([...played.keys()].sort());
    expect(stored.filter((r) => !r.ended || r.end_source !== 'ami')).toEqual([]);
    expect(stored.filter((r) => r.end_steps !== 1)).toEqual([]);
    expect(Object.fromEntries(stored.map((r) => [r.linkedid, r.status]))).toEqual(Object.fromEntries(played));
    clearInterval(sampler);
    expect(maxPending).toBeLessThanOrEqual(MAX_QUEUED + READ_SLACK);
    expect(pbx.status().every((p) => !p.readingPaused)).toBe(true);
  }, 90_000);
});
