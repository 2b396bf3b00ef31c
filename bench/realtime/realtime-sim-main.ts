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
import { startPbxSim } from '../../apps/pbx-sim/src/pbx-sim';
import { TrafficGenerator } from '../../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import { OFFICE_TRAFFIC, officeConfig, SIM_USER, type FromRealtimeSim, type Ring, type SimOffice, type ToRealtimeSim } from './realtime-sim';

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
  const sim = await startPbxSim({ port: 0, seed: office.seed, users: [SIM_USER], traffic: null, config: officeConfig(office) });

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
    const traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), resolveProfile({ ...OFFICE_TRAFFIC, cps: m.cps }), new SeededRandom(office.seed), new RealClock(), onCall);
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
