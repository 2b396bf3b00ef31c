/**
 * Child process of the soak (see soak-sim.ts): pbx-sim on a loopback port playing the realtime
 * bench's office, generated traffic on request, and the simulator's own record of every call it
 * placed (linkedid, start, end) for the census at the end.
 *
 *   node scripts/run.cjs bench/soak/soak-sim-main.ts '<SimOffice as JSON>'
 */
import { SeededRandom } from '@app/ami';
import { RealClock } from '../../apps/pbx-sim/src/clock/sim-clock';
import { CallPlacer, type PlaceCallRequest, type PlacedCall } from '../../apps/pbx-sim/src/engine/call-placer';
import { startPbxSim } from '../../apps/pbx-sim/src/pbx-sim';
import { TrafficGenerator } from '../../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import { CdrTable } from '../../test/support/cdr-table';
import { OFFICE_TRAFFIC, officeConfig, SIM_USER } from '../realtime/realtime-sim';
import type { FromSoakSim, SimTruth, SoakOffice, ToSoakSim } from './soak-sim';

async function main(office: SoakOffice): Promise<void> {
  const send = (m: FromSoakSim): void => void process.send?.(m);
  // Asterisk's cdr_pgsql table in the soak's database, as the README sets it up: the ingest completes from it the calls it could not see.
  const cdr = await CdrTable.create(office.cdrDatabase);
  // `timestampevents = yes`, as docs/asterisk-setup.md has it: the ingest stores the PBX's times, not when it got round to reading them.
  const sim = await startPbxSim({ port: 0, seed: office.seed, users: [SIM_USER], traffic: null, config: { ...officeConfig(office), timestampEvents: true }, onCdr: cdr.write });
  // Kept as flat tuples: 90,000 calls in 30 minutes are a few MB here, and this is the simulator's memory, not the product's.
  const truth: SimTruth[] = [];
  let open = 0;
  let traffic: TrafficGenerator | null = null;
  const onCall = (call: PlacedCall, req: PlaceCallRequest): void => {
    open++;
    void call.done.then((c) => {
      open--;
      truth.push([c.linkedid, c.startedAt, c.endedAt ?? Number.NaN, req.kind]);
    });
  };
  const whenAllEnded = async (): Promise<void> => {
    while (open > 0) await new Promise((r) => setTimeout(r, 100));
  };

  process.on('message', (m: ToSoakSim) => {
    if (m.type === 'exit') {
      void sim.close().then(() => process.exit(0));
    } else if (m.type === 'start') {
      traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), resolveProfile({ ...OFFICE_TRAFFIC, cps: m.cps }), new SeededRandom(office.seed), new RealClock(), onCall);
      traffic.start();
    } else if (m.type === 'stats') {
      const usage = process.cpuUsage();
      send({ type: 'stats', placed: truth.length + open, open, events: sim.stats.engine.events, cpuMs: (usage.user + usage.system) / 1000 });
    } else if (m.type === 'stop') {
      traffic?.stop();
      void whenAllEnded().then(() => send({ type: 'done', truth }));
    }
  });
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
  // Ctrl-C reaches the whole process group: the parent decides when the simulator stops.
  process.on('SIGINT', () => undefined);
  send({ type: 'ready', port: sim.port, cdrUrl: cdr.url });
}

main(JSON.parse(process.argv[2] ?? '{}') as SoakOffice).catch((error: Error) => {
  process.send?.({ type: 'failed', message: error.message } satisfies FromSoakSim);
  process.exit(1);
});
