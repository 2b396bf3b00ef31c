import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { AmiIngestService } from '../apps/server/src/call-ingest';
import type { CallDto } from '../apps/server/src/calls';
import { eventually } from './support/calls-e2e';
import { loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { CdrTable } from './support/cdr-table';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

const AMI_USER = { username: 'cdr', secret: 'cdr-secret' };

/**
 * Calls that end while no ingest runs are completed from Asterisk's own CDR: pbx-sim writes
 * its CDR records as cdr_csv (a Master.csv) and as cdr_pgsql (a `cdr` table) would, the next
 * ingest finds the calls gone from the channel listing and takes their end, answer, status and
 * talk from the CDR, marked `endSource: 'cdr'`, within a second of the simulator's truth.
 */
describe('completing unobserved ends from Asterisk`s CDR', () => {
  const database = uniqueName('cdr_completion');
  const folder = mkdtempSync(join(tmpdir(), 'crm-cdr-'));
  const masterCsv = join(folder, 'Master.csv');
  let sim: PbxSim;
  let cdr: CdrTable;
  const apps: TestApp[] = [];
  let runs = 0;

  beforeAll(async () => {
    await createDatabase(database);
    cdr = await CdrTable.create(database);
    sim = await startPbxSim({ port: 0, seed: 9, users: [AMI_USER], traffic: null, config: { recordingsPath: null }, cdrCsvPath: masterCsv, onCdr: cdr.write });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await sim?.close();
    await cdr?.close();
    await dropDatabase(database);
    rmSync(folder, { recursive: true, force: true });
  });

  it.each<[string, () => Record<string, string>]>([
    ['Master.csv (cdr_csv)', () => ({ ASTERISK_CDR_CSV: masterCsv })],
    ['the cdr_pgsql table', () => ({ ASTERISK_CDR_DB_URL: cdr.url, ASTERISK_CDR_TABLE: 'cdr' })],
  ])('from %s', async (_source, cdrEnv) => {
    const pbxId = `cdr-${(runs += 1)}`;
    const start = async () => {
      const app = await startTestApp({ DB_NAME: database, ...cdrEnv() });
      apps.push(app);
      await app.app.get(AmiIngestService, { strict: false }).add({ id: pbxId, host: '127.0.0.1', port: sim.port, ...AMI_USER, tls: false });
      return app;
    };
    const rowOf = async (linkedid: string) => (await query<{ answered_at: Date | null }>(database, `SELECT answered_at FROM calls WHERE pbx_id = $1 AND linkedid = $2`, [pbxId, linkedid]))[0];

    const sessions = sim.stats.ami.sessions;
    const first = await start();
    await eventually('the ingest logged in', async () => sim.stats.ami.sessions > sessions);
    const answered = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', ringMs: 500, talkMs: 3500 });
    const ringing = sim.placeCall({ kind: 'inbound', from: '+74957654321', to: '74959876544', outcome: 'busy', ringMs: 2500 });
    await eventually('one answered, one ringing', async () => (await rowOf(answered.linkedid))?.answered_at && (await rowOf(ringing.linkedid)) !== undefined);
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    const [answeredTruth, ringingTruth] = await Promise.all([answered.done, ringing.done]);
    await cdr.flushed();

    const next = await start();
    const token = await loginAdmin(next);
    let seen: unknown = null;
    const calls = await eventually(
      'both calls completed from the CDR',
      async () => {
        const items = ((await next.http().get('/api/calls').query({ limit: '200' }).set('Authorization', `Bearer ${token}`).expect(200)).body.items as CallDto[]).filter(
          (c) => c.pbxId === pbxId,
        );
        seen = items.map((c) => ({ linkedid: c.linkedid, status: c.status, endSource: c.endSource, endedAt: c.endedAt }));
        return items.length === 2 && items.every((c) => c.endSource === 'cdr') ? items : undefined;
      },
      20_000,
      200,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; calls: ${JSON.stringify(seen)}`);
    });
    const byLinkedid = new Map(calls.map((c) => [c.linkedid, c]));
    const a = byLinkedid.get(answered.linkedid)!;
    expect(a).toMatchObject({ status: 'answered', endObserved: true, endSource: 'cdr' });
    expect(Math.abs(Date.parse(a.endedAt!) - answeredTruth.endedAt!)).toBeLessThanOrEqual(1000);
    // Talk is Asterisk's billed seconds of the caller's record (whole seconds, truncated, as Asterisk counts them).
    expect(a.talkSeconds).toBe(cdr.byUniqueid.get(answered.linkedid)!.billsec);
    expect(a.talkSeconds).toBeGreaterThan(0);
    const r = byLinkedid.get(ringing.linkedid)!;
    expect(r).toMatchObject({ status: 'busy', endSource: 'cdr', talkSeconds: 0, answeredAt: null });
    expect(Math.abs(Date.parse(r.endedAt!) - ringingTruth.endedAt!)).toBeLessThanOrEqual(1000);
    await next.close();
    apps.splice(apps.indexOf(next), 1);
  }, 60_000);

  it('completes a call picked up after its caller had gone (an outbound call blind-transferred while no ingest ran): who called, where and when from the CDR', async () => {
    const pbxId = `cdr-${(runs += 1)}`;
    // 1001 calls out; the remote party is redirected to 1002 and 1001 hangs up, all before any ingest runs.
    const call = sim.placeCall({ kind: 'outbound', from: '1001', to: '84951112233', ringMs: 500, talkMs: 30_000, transfer: { kind: 'blind', to: '1002', afterMs: 1000, ringMs: 300, talkMs: 8000 } });
    await eventually('the caller gone, the transferred party talking to 1002', async () => {
      const live = sim.engine.liveChannels().filter((c) => c.linkedid === call.linkedid);
      return live.length === 2 && live.every((c) => c.state === 6 && !c.name.includes('/1001-'));
    }, 10_000, 20);
    const app = await startTestApp({ DB_NAME: database, ASTERISK_CDR_DB_URL: cdr.url });
    apps.push(app);
    await app.app.get(AmiIngestService, { strict: false }).add({ id: pbxId, host: '127.0.0.1', port: sim.port, ...AMI_USER, tls: false });
    const token = await loginAdmin(app);
    const truth = await call.done;
    await cdr.flushed();
    let seen: unknown = null;
    const view = await eventually(
      'the call completed from the CDR',
      async () => {
        const items = ((await app.http().get('/api/calls').query({ limit: '200' }).set('Authorization', `Bearer ${token}`).expect(200)).body.items as CallDto[]).filter((c) => c.pbxId === pbxId);
        seen = items;
        return items.length === 1 && items[0].endSource === 'cdr' ? items[0] : undefined;
      },
      20_000,
      200,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; calls: ${JSON.stringify(seen)}`);
    });
    expect(view).toMatchObject({ linkedid: call.linkedid, direction: 'outbound', callerNumber: '1001', status: 'answered', endObserved: true });
    expect(Math.abs(Date.parse(view.startedAt) - truth.startedAt)).toBeLessThanOrEqual(1000);
    expect(Math.abs(Date.parse(view.endedAt!) - truth.endedAt!)).toBeLessThanOrEqual(1000);
    const steps = await query<{ data: Record<string, unknown> }>(database, `SELECT e.data FROM call_events e JOIN calls c ON c.id = e.call_id WHERE c.pbx_id = $1 AND e.type = 'ended'`, [pbxId]);
    expect(steps).toEqual([{ data: expect.objectContaining({ callerUnseen: true, endSource: 'cdr' }) }]);
  }, 60_000);
});
