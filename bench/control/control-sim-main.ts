/**
 * Child process of the control bench (see control-sim.ts): pbx-sim with the realtime bench's
 * office, its background traffic, and the bench's own calls.
 *
 *   node scripts/run.cjs bench/control/control-sim-main.ts '<SimOffice as JSON>'
 */
import { SeededRandom } from '@app/ami';
import { RealClock } from '../../apps/pbx-sim/src/clock/sim-clock';
import { CallPlacer } from '../../apps/pbx-sim/src/engine/call-placer';
import { startPbxSim } from '../../apps/pbx-sim/src/pbx-sim';
import { TrafficGenerator } from '../../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import { OFFICE_TRAFFIC, officeConfig, SIM_USER, type SimOffice } from '../realtime/realtime-sim';
import type { FromControlSim, ToControlSim } from './control-sim';

/** The bench's calls talk until the CRM hangs them up (the simulator ends them after this at the latest). */
const BENCH_TALK_MS = 600_000;

async function main(office: SimOffice): Promise<void> {
  const send = (m: FromControlSim): void => void process.send?.(m);
  const sim = await startPbxSim({ port: 0, seed: office.seed, users: [SIM_USER], traffic: null, config: officeConfig(office) });
  const placer = new CallPlacer(sim.engine);
  let traffic: TrafficGenerator | null = null;

  process.on('message', (m: ToControlSim) => {
    switch (m.type) {
      case 'traffic':
        traffic = new TrafficGenerator(sim.engine, placer, resolveProfile({ ...OFFICE_TRAFFIC, cps: m.cps }), new SeededRandom(office.seed), new RealClock());
        traffic.start();
        return;
      case 'place': {
        const call = placer.place({ kind: 'inbound', from: '+74951234567', to: m.agent, ringMs: 200, talkMs: BENCH_TALK_MS, hangupBy: 'caller' });
        sim.engine.plans.get(call.linkedid)?.legs.set(m.target, [{ response: 'answer', ringMs: 200, talkMs: BENCH_TALK_MS, hangup: 'none' }]);
        send({ type: 'placed', id: m.id, linkedid: call.linkedid });
        return;
      }
      case 'stop': {
        traffic?.stop();
        const usage = process.cpuUsage();
        send({ type: 'stopped', placed: traffic?.stats.placed ?? 0, cpuMs: (usage.user + usage.system) / 1000 });
        return;
      }
      case 'exit':
        traffic?.stop();
        void sim.close().then(() => process.exit(0));
        return;
    }
  });
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
  // Ctrl-C reaches the whole process group: the parent decides when the simulator stops.
  process.on('SIGINT', () => undefined);
  send({ type: 'ready', port: sim.port });
}

main(JSON.parse(process.argv[2] ?? '{}') as SimOffice).catch((error: Error) => {
  process.send?.({ type: 'failed', message: error.message } satisfies FromControlSim);
  process.exit(1);
});
