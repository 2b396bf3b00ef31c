import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { AmiIngestService } from '../apps/server/src/call-ingest';
import { CdrTable } from './support/cdr-table';
import { recordedTraffic, settledCensus, timesOff } from './support/call-census';
import { eventually } from './support/calls-e2e';
import { startTestApp, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, uniqueName } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';

const SEED = 31;
const AMI_USER = { username: 'cut', secret: 'cut-secret' };
const CUT_MS = 10_000;

/**
 * The AMI link is cut for 10 s under steady traffic (a TCP proxy between the ingest and
 * pbx-sim). The ingest is back within about a second of the link, picks the live calls up from
 * CoreShowChannels, and takes the calls that started and ended in the gap, and the ends it did
 * not see, from Asterisk's CDR (the simulator's records in a cdr_pgsql table): every call placed
 * is stored once and ended, its times within a second of the simulator's.
 */
describe('AMI link cut for 10 s under traffic', () => {
  const database = uniqueName('ami_cut');
  const pbxId = `cut-${process.pid}`;
  let cdr: CdrTable;
  let proxy: TcpProxy;
  let app: TestApp;
  let sim: PbxSim;

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
    proxy = await new TcpProxy('127.0.0.1', sim.port).start();
    app = await startTestApp({ DB_NAME: database, ASTERISK_CDR_DB_URL: cdr.url });
    await app.app.get(AmiIngestService, { strict: false }).add({ id: pbxId, host: '127.0.0.1', port: proxy.port, ...AMI_USER, tls: false });
    await eventually('the ingest logged in to the simulator', async () => sim.stats.ami.sessions > 0 && sim.stats.ami.actions >= 2);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
    await sim?.close();
    await cdr?.close();
    await dropDatabase(database);
  });

  it('loses no call: each stored once and ended, times within a second, as played or as the CDR has it', async () => {
    const { traffic, played, directions, truth, allEnded } = recordedTraffic(sim, SEED, {
      cps: 10,
      ringMs: { min: 200, max: 800 },
      talkMs: { median: 600, sigma: 0.5, min: 200, max: 1500 },
      // Transfers too: a call transferred in the gap ends as its CDR's last record (the transferred
      // party's Dial to the target) does, and one picked up after its caller left takes who called from the CDR.
      operations: { blindTransfer: 0.1, attendedTransfer: 0.1, hold: 0, record: 0.1 },
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    traffic.start();
    await sleep(2000);
    await proxy.cut();
    await sleep(CUT_MS);
    const sessions = sim.stats.ami.sessions;
    await proxy.restore();
    const restored = Date.now();
    await eventually('the ingest back on the PBX', async () => sim.stats.ami.sessions > sessions, 10_000, 20);
    const backInMs = Date.now() - restored;
    await sleep(2000);
    traffic.stop();
    await allEnded();
    // The back-off is capped at 1 s: the returning PBX is seen within about a second (plus a loaded machine).
    expect(backInMs).toBeLessThan(2500);

    const stored = await settledCensus(database, pbxId, played.size, 30_000);
    expect(stored.map((r) => r.linkedid).sort()).toEqual([...played.keys()].sort());
    expect(stored.filter((r) => r.ended_at === null || r.end_source === 'unobserved')).toEqual([]);
    expect(stored.filter((r) => r.end_steps !== 1)).toEqual([]);
    const off = timesOff(stored, truth);
    expect(off).toEqual([]);
    // Seen live: the status played. From the CDR: as Asterisk records it (a caller giving up while it rings is NO ANSWER there).
    const wrong = stored
      .filter((r) => {
        const status = played.get(r.linkedid);
        return r.end_source === 'cdr' ? !(r.status === status || (status === 'abandoned' && r.status === 'missed')) : r.status !== status;
      })
      .map((r) => ({ ...r, played: played.get(r.linkedid), channels: truth.get(r.linkedid)?.channels.map((c) => c.name) }));
    // Who called and where: also for the calls picked up after their caller had left (transferred in the gap), from the CDR.
    expect(stored.filter((r) => r.direction !== directions.get(r.linkedid))).toEqual([]);
    expect(wrong).toEqual([]);
    expect(stored.filter((r) => r.end_source === 'cdr').length).toBeGreaterThan(0);
  }, 120_000);
});
