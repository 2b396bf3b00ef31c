/**
 * Child process of the load bench (see sim-worker.ts): pbx-sim on a loopback port with
 * generated traffic at the rate the parent sets, reporting every call it placed, the
 * first event of each call a consumer writes from, and each call's end.
 *
 *   node scripts/run.cjs bench/load/sim-worker-main.ts <seed>
 */
import { startPbxSim } from '../../apps/pbx-sim/src/pbx-sim';
import { RealClock } from '../../apps/pbx-sim/src/clock/sim-clock';
import { CallPlacer } from '../../apps/pbx-sim/src/engine/call-placer';
import { SeededRandom } from '../../apps/pbx-sim/src/random/seeded-random';
import { TrafficGenerator } from '../../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile, type TrafficProfile } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import type { AmiEvent } from '../../apps/pbx-sim/src/engine/ami-event';
import { SIM_USER, type FromSimWorker, type SimCallFacts, type SimReport, type ToSimWorker } from './sim-worker';

/** Short calls so that high rates stay within a bounded number of live calls. */
const BENCH_PROFILE: Partial<TrafficProfile> = {
  maxConcurrent: 1_000_000,
  ringMs: { min: 300, max: 1500 },
  talkMs: { median: 2000, sigma: 0.5, min: 500, max: 8000 },
};

/** Events the call tracker turns into a call's first write (see SimCallFacts.firstWrites). */
const FIRST_WRITE_EVENTS = new Set(['DialBegin', 'MonitorStart', 'MixMonitorStart']);

function field(e: AmiEvent, key: string): string | undefined {
  const i = e.keys.indexOf(key);
  return i < 0 ? undefined : e.values[i];
}

async function main(seed: number): Promise<void> {
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
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    if (facts.placed.length + facts.firstWrites.length + facts.ends.length === 0) return;
    send({ type: 'calls', ...facts });
    facts = { epoch, placed: [], firstWrites: [], ends: [] };
  };
  // Sent in the same turn of the event loop as the AMI server's socket write of these events.
  const flushSoon = (): void => {
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(flush);
  };

  const written = new Set<string>();
  sim.engine.onEvent((e) => {
    if (!FIRST_WRITE_EVENTS.has(e.name)) return;
    const linkedid = field(e, 'Linkedid') ?? field(e, 'DestLinkedid');
    if (linkedid === undefined || written.has(linkedid)) return;
    written.add(linkedid);
    facts.firstWrites.push([linkedid, e.at]);
    flushSoon();
  });

  let placedTotal = 0;
  const traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), resolveProfile({ ...BENCH_PROFILE, cps: 1 }), new SeededRandom(seed), clock, (call) => {
    placedTotal++;
    facts.placed.push([call.linkedid, clock.now()]);
    flushSoon();
    void call.done.then((ended) => {
      written.delete(ended.linkedid);
      facts.ends.push([ended.linkedid, ended.endedAt ?? clock.now()]);
      flushSoon();
    });
  });

  const report = (): void => {
    flush();
    const cpu = process.cpuUsage();
    const s = sim.stats;
    const answer: SimReport = {
      at: clock.now(),
      events: s.engine.events,
      cpuMs: (cpu.user + cpu.system) / 1000,
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
  };

  process.on('message', (m: ToSimWorker) => {
    switch (m.type) {
      case 'rate':
        nextEpoch();
        traffic.setProfile(resolveProfile({ ...BENCH_PROFILE, cps: m.cps }));
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
  send({ type: 'ready', port: sim.port });
}

const seed = Number(process.argv[2] ?? 42);
main(Number.isInteger(seed) ? seed : 42).catch((error: Error) => {
  process.send?.({ type: 'failed', message: error.message } satisfies FromSimWorker);
  process.exit(1);
});
