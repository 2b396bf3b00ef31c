/**
 * Child process of the realtime bench (see realtime-sim.ts): pbx-sim on a loopback port with an
 * office of operators, and generated traffic on request.
 *
 *   node scripts/run.cjs bench/realtime/realtime-sim-main.ts '<SimOffice as JSON>'
 */
import { performance } from 'node:perf_hooks';
import { SeededRandom } from '@app/ami';
import { RealClock } from '../../apps/pbx-sim/src/clock/sim-clock';
import { CallPlacer, type PlacedCall } from '../../apps/pbx-sim/src/engine/call-placer';
import type { AmiEvent } from '../../apps/pbx-sim/src/engine/ami-event';
import type { DidTarget } from '../../apps/pbx-sim/src/engine/pbx-config';
import { startPbxSim } from '../../apps/pbx-sim/src/pbx-sim';
import { TrafficGenerator } from '../../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import { didOf, FIRST_EXTENSION, QUEUE_DID, SIM_USER, type FromRealtimeSim, type Ring, type SimOffice, type ToRealtimeSim } from './realtime-sim';

/** Short calls, as in bench:load: at 100 calls/s a few hundred are up at once. Holds last 3-20 s: left out. */
const PROFILE = {
  maxConcurrent: 1_000_000,
  kinds: { inbound: 7, outbound: 0, internal: 1, queue: 2 },
  ringMs: { min: 300, max: 1500 },
  talkMs: { median: 2000, sigma: 0.5, min: 500, max: 8000 },
  operations: { blindTransfer: 0.03, attendedTransfer: 0.02, hold: 0, record: 0.05 },
};
/** The extension of a phone channel (`SIP/2001-0000000a`, `PJSIP/2001-...`). */
const PHONE_CHANNEL = /^(?:SIP|PJSIP)\/(\d+)-/;

function field(e: AmiEvent, key: string): string | undefined {
  const i = e.keys.indexOf(key);
  return i < 0 ? undefined : e.values[i];
}

/** The phone channel an event says is ringing now, if it says so. */
function ringingChannel(e: AmiEvent): string | undefined {
  if (e.name === 'Newstate' && field(e, 'ChannelState') === '5') return field(e, 'Channel');
  if (e.name === 'DialState' && field(e, 'DialStatus') === 'RINGING') return field(e, 'DestChannel');
  return undefined;
}

async function main(office: SimOffice): Promise<void> {
  const send = (m: FromRealtimeSim): void => void process.send?.(m);
  const extensions = Array.from({ length: office.operators }, (_, i) => ({ number: String(FIRST_EXTENSION + i), name: `Operator ${i + 1}` }));
  const dids: Record<string, DidTarget> = Object.fromEntries(extensions.map((e, i) => [didOf(i), { extension: e.number }]));
  dids[QUEUE_DID] = { queue: 'support' };
  const sim = await startPbxSim({
    port: 0,
    seed: office.seed,
    users: [SIM_USER],
    traffic: null,
    config: {
      extensions,
      dids,
      queues: [{ name: 'support', members: extensions.slice(0, office.queueMembers).map((e) => e.number), memberTimeoutMs: 15_000, retryMs: 2_000 }],
      recordingsPath: null,
      inboundDialTimeoutSec: 5,
      internalDialTimeoutSec: 5,
    },
  });

  const rings: Ring[] = [];
  const rung = new Set<string>();
  sim.engine.onEvent((e) => {
    const channel = ringingChannel(e);
    const extension = channel && PHONE_CHANNEL.exec(channel)?.[1];
    if (!channel || !extension || rung.has(channel)) return;
    rung.add(channel);
    // Read when the event is made: the AMI server writes it to its sockets in this turn's setImmediate.
    rings.push([field(e, 'Linkedid') ?? field(e, 'DestLinkedid') ?? '', channel, extension, performance.timeOrigin + performance.now()]);
  });

  process.on('message', (m: ToRealtimeSim) => {
    if (m.type === 'exit') {
      void sim.close().then(() => process.exit(0));
      return;
    }
    const placed: Array<[string, number]> = [];
    const done: Promise<unknown>[] = [];
    const onCall = (call: PlacedCall): void => {
      placed.push([call.linkedid, performance.timeOrigin + performance.now()]);
      done.push(call.done);
    };
    const traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), resolveProfile({ ...PROFILE, cps: m.cps }), new SeededRandom(office.seed), new RealClock(), onCall);
    traffic.start();
    setTimeout(() => {
      traffic.stop();
      void Promise.all(done).then(() => {
        const usage = process.cpuUsage();
        send({ type: 'done', rings: rings.splice(0), placed, events: sim.stats.engine.events, cpuMs: (usage.user + usage.system) / 1000 });
      });
    }, m.seconds * 1000);
  });
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
  // Ctrl-C reaches the whole process group: the parent decides when the simulator stops.
  process.on('SIGINT', () => undefined);
  send({ type: 'ready', port: sim.port });
}

main(JSON.parse(process.argv[2] ?? '{}') as SimOffice).catch((error: Error) => {
  process.send?.({ type: 'failed', message: error.message } satisfies FromRealtimeSim);
  process.exit(1);
});
