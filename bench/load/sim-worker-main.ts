/**
 * Child process of the load bench (see sim-worker.ts): pbx-sim on a loopback port with
 * generated traffic at the rate the parent sets, reporting every call it placed and, for a
 * sample of them, when it sent the first event a consumer writes from and the call's end.
 *
 *   node scripts/run.cjs bench/load/sim-worker-main.ts <seed> <sampled calls per second>
 */
import { startPbxSim } from '../../apps/pbx-sim/src/pbx-sim';
import { RealClock } from '../../apps/pbx-sim/src/clock/sim-clock';
import { CallPlacer, type PlaceCallRequest, type PlacedCall } from '../../apps/pbx-sim/src/engine/call-placer';
import { SeededRandom } from '@app/ami';
import { TrafficGenerator } from '../../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile, type TrafficProfile } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import type { AmiEvent } from '../../apps/pbx-sim/src/engine/ami-event';
import { playedStatus } from '../../apps/pbx-sim/src/traffic/played-status';
import { SIM_USER, type FromSimWorker, type SimCallFacts, type SimReport, type ToSimWorker } from './sim-worker';

/** Short calls so that high rates stay within a bounded number of live calls. */
const BENCH_PROFILE: Partial<TrafficProfile> = {
  maxConcurrent: 1_000_000,
  ringMs: { min: 300, max: 1500 },
  talkMs: { median: 2000, sigma: 0.5, min: 500, max: 8000 },
};

/** Events the call tracker turns into a call's first write (see SimCallFacts.firstWrites). */
const FIRST_WRITE_EVENTS = new Set(['DialBegin', 'MonitorStart', 'MixMonitorStart']);
/** Placed calls are only counted afterwards: sent in batches. */
const PLACED_BATCH_MS = 100;

function field(e: AmiEvent, key: string): string | undefined {
  const i = e.keys.indexOf(key);
  return i < 0 ? undefined : e.values[i];
}

async function main(seed: number, sampleCps: number): Promise<void> {
  const send = (m: FromSimWorker): void => void process.send?.(m);
  // Unanswered calls give up after 5 s (not the dialplan's 20/60 s) so the bench drains quickly.
  const sim = await startPbxSim({
    port: 0,
    seed,
    users: [SIM_USER],
    traffic: null,
    config: { recordingsPath: null, timestampEvents: true, inboundDialTimeoutSec: 5, internalDialTimeoutSec: 5 },
  });
  const clock = new RealClock();
  let epoch = 0;
  let facts: SimCallFacts = { epoch, placed: [], firstWrites: [], ends: [] };
  let urgentQueued = false;
  const flush = (): void => {
    urgentQueued = false;
    if (facts.placed.length + facts.firstWrites.length + facts.ends.length === 0) return;
    send({ type: 'calls', ...facts });
    facts = { epoch, placed: [], firstWrites: [], ends: [] };
  };
  // The AMI server writes an event to its sockets in a setImmediate of the turn it happened in: so do we.
  const flushSoon = (): void => {
    if (urgentQueued) return;
    urgentQueued = true;
    setImmediate(flush);
  };
  setInterval(flush, PLACED_BATCH_MS).unref();

  /** First write per live call; a call's first write can happen while it is being placed, before it is known as sampled. */
  const firstWriteAt = new Map<string, number>();
  const sampled = new Set<string>();
  sim.engine.onEvent((e) => {
    if (!FIRST_WRITE_EVENTS.has(e.name)) return;
    const linkedid = field(e, 'Linkedid') ?? field(e, 'DestLinkedid');
    if (linkedid === undefined || firstWriteAt.has(linkedid)) return;
    firstWriteAt.set(linkedid, e.at);
    if (!sampled.has(linkedid)) return;
    facts.firstWrites.push([linkedid, e.at]);
    flushSoon();
  });

  let cps = 1;
  let placedTotal = 0;
  let placedInEpoch = 0;
  const onCall = (call: PlacedCall, req: PlaceCallRequest): void => {
    const linkedid = call.linkedid;
    placedTotal++;
    facts.placed.push([linkedid, playedStatus(req)]);
    const isSampled = placedInEpoch++ % Math.max(1, Math.round(cps / sampleCps)) === 0;
    if (isSampled) {
      sampled.add(linkedid);
      const at = firstWriteAt.get(linkedid);
      if (at !== undefined) facts.firstWrites.push([linkedid, at]);
      flushSoon();
    }
    void call.done.then((ended) => {
      firstWriteAt.delete(linkedid);
      if (!sampled.delete(linkedid)) return;
      facts.ends.push([linkedid, ended.endedAt ?? clock.now()]);
      flushSoon();
    });
  };
  const traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), resolveProfile({ ...BENCH_PROFILE, cps }), new SeededRandom(seed), clock, onCall);

  const report = (): void => {
    flush();
    const usage = process.cpuUsage();
    const s = sim.stats;
    const answer: SimReport = {
      at: clock.now(),
      events: s.engine.events,
      cpuMs: (usage.user + usage.system) / 1000,
      rss: process.memoryUsage().rss,
      activeCalls: s.engine.activeCalls,
      placedTotal,
      skipped: s.traffic.skipped,
      sessions: s.ami.sessions,
      actions: s.ami.actions,
      slowClientsDropped: s.ami.slowClientsDropped,
    };
    send({ type: 'report', report: answer });
  };

  /** What happened so far belongs to the previous step: sent before the step changes. */
  const nextEpoch = (): void => {
    flush();
    epoch++;
    facts.epoch = epoch;
    placedInEpoch = 0;
  };

  process.on('message', (m: ToSimWorker) => {
    switch (m.type) {
      case 'rate':
        nextEpoch();
        cps = m.cps;
        traffic.setProfile(resolveProfile({ ...BENCH_PROFILE, cps }));
        traffic.start();
        report();
        break;
      case 'stop':
        nextEpoch();
        traffic.stop();
        report();
        break;
      case 'report':
        report();
        break;
      case 'exit':
        void sim.close().then(() => process.exit(0));
        break;
    }
  });
  // The parent is gone (killed, crashed): do not linger with an open port.
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
  // Ctrl-C reaches the whole process group: the parent decides when the simulator stops.
  process.on('SIGINT', () => undefined);
  send({ type: 'ready', port: sim.port });
}

const seed = Number(process.argv[2] ?? 42);
const sampleCps = Number(process.argv[3] ?? 100);
main(Number.isInteger(seed) ? seed : 42, sampleCps > 0 ? sampleCps : 100).catch((error: Error) => {
  process.send?.({ type: 'failed', message: error.message } satisfies FromSimWorker);
  process.exit(1);
});
