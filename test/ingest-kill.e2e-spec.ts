import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { CdrTable } from './support/cdr-table';
import { censusOf, recordedTraffic, settledCensus, timesOff } from './support/call-census';
import { eventually } from './support/calls-e2e';
import { startIngestProcess } from './support/ingest-process';
import type { ServerProcess } from './support/server-process';
import { createDatabase, dropDatabase, uniqueName } from './support/test-database';

const SEED = 47;
const AMI_USER = { username: 'kill', secret: 'kill-secret' };

/**
 * kill -9 of the ingest process mid-traffic (transfers, recordings going on), with a second
 * process on standby: it takes the PBX over, rebuilds the live calls from CoreShowChannels,
 * and takes what it could not see from the CDR (a cdr_pgsql table pbx-sim fills). Every call
 * pbx-sim placed is stored once and ended; none downgraded from what the killed process had
 * stored; times within a second of the simulator's or the end marked unobserved.
 */
describe('kill -9 of the ingest under traffic, a standby taking over', () => {
  const database = uniqueName('ingest_kill');
  const pbxId = `kill-${process.pid}`;
  let sim: PbxSim;
  let cdr: CdrTable;
  const processes: ServerProcess[] = [];

  beforeAll(async () => {
    await createDatabase(database);
    cdr = await CdrTable.create(database);
    sim = await startPbxSim({
      port: 0,
      seed: SEED,
      users: [AMI_USER],
      traffic: null,
      config: { recordingsPath: null, inboundDialTimeoutSec: 3, internalDialTimeoutSec: 3 },
      onCdr: (record) => cdr.write(record),
    });
  }, 60_000);

  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await sim?.close();
    await cdr?.close();
    await dropDatabase(database);
  });

  it('loses, duplicates and downgrades no call', async () => {
    const start = () => startIngestProcess({ database, pbxId, amiPort: sim.port, ami: AMI_USER, env: { ASTERISK_CDR_DB_URL: cdr.url } });
    const first = await start();
    processes.push(first);
    await eventually('the first process ingesting', async () => sim.stats.ami.sessions > 0 && sim.stats.ami.actions >= 2, 30_000);
    const standby = await start();
    processes.push(standby);
    await standby.waitFor(/standby, another process ingests this PBX/, 30_000);

    const { traffic, played, truth, allEnded } = recordedTraffic(sim, SEED, {
      cps: 8,
      ringMs: { min: 300, max: 1000 },
      talkMs: { median: 2500, sigma: 0.4, min: 1000, max: 5000 },
      operations: { blindTransfer: 0.1, attendedTransfer: 0.1, hold: 0, record: 0.1 },
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    traffic.start();
    await sleep(4000);
    // What the killed process had stored: nothing of it may be downgraded.
    const before = await censusOf(database, pbxId);
    first.kill('SIGKILL');
    await first.exit(10_000);
    await standby.waitFor(/logged in/, 30_000);
    await sleep(3000);
    traffic.stop();
    await allEnded();
    await cdr.flushed();

    const stored = await settledCensus(database, pbxId, played.size, 40_000);

    expect(stored.map((r) => r.linkedid).sort()).toEqual([...played.keys()].sort());
    expect(stored.filter((r) => r.ended_at === null)).toEqual([]);
    expect(stored.filter((r) => r.end_steps !== 1)).toEqual([]);
    const now = new Map(stored.map((r) => [r.linkedid, r]));
    const downgraded = before.filter((b) => {
      const after = now.get(b.linkedid)!;
      return (
        after.direction !== b.direction ||
        after.started_at.getTime() !== b.started_at.getTime() ||
        (b.answered_at !== null && (after.answered_at?.getTime() !== b.answered_at.getTime() || after.status !== 'answered'))
      );
    });
    expect(downgraded).toEqual([]);
    const off = timesOff(stored.filter((r) => r.end_source !== 'unobserved'), truth);
    expect(off).toEqual([]);
  }, 150_000);
});
