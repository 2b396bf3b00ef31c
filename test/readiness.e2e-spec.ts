import { startPbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { eventually } from './support/calls-e2e';
import { startProxiedIngestApp, type ProxiedIngestApp } from './support/proxied-ingest-app';
import type { TestApp } from './support/test-app';

const AMI_USER = { username: 'ready', secret: 'ready-secret' };
const SIM = { seed: 7, traffic: null, config: { recordingsPath: null } };
/** The acceptance bound: not-ready within this long of losing the PBX or the database. */
const DETECT_WITHIN_MS = 5000;

interface ReadyBody {
  status?: string;
  checks?: Record<string, { status: string; message?: string }>;
  details?: { status: string; checks: Record<string, { status: string; message?: string }> };
}

/**
 * Readiness of a process that runs the ingest (role all), against real parts: pbx-sim as the PBX
 * (stopped and started again on its port) and PostgreSQL behind a TCP proxy that is cut, as the
 * database going away (the shared server is never touched). Liveness stays up throughout.
 */
describe('GET /api/ready: the PBX and the database', () => {
  const pbxId = `ready-${process.pid}`;
  let rig: ProxiedIngestApp;
  let app: TestApp;

  const ready = async (): Promise<{ status: number; body: ReadyBody }> => {
    const response = await app.http().get('/api/ready');
    return { status: response.status, body: response.body as ReadyBody };
  };
  const checksOf = (body: ReadyBody) => body.checks ?? body.details?.checks ?? {};
  /** Polls until `/api/ready` answers `status`; returns the body and how long it took. */
  const until = async (status: number, what: string) => {
    const from = Date.now();
    const body = await eventually(what, async () => {
      const r = await ready();
      return r.status === status ? r.body : undefined;
    }, 15_000, 50);
    return { body, ms: Date.now() - from };
  };

  beforeAll(async () => {
    rig = await startProxiedIngestApp({ name: 'ready', pbxId, amiUser: AMI_USER, sim: SIM });
    app = rig.app;
  }, 60_000);

  afterAll(() => rig?.close());

  it('is ready once the ingest is logged in to the PBX, with each check up', async () => {
    const { body } = await until(200, 'ready with the PBX logged in');
    expect(checksOf(body)).toMatchObject({
      database: { status: 'up' },
      [`ami:${pbxId}`]: { status: 'up', state: 'ingesting', amiState: 'ready', readingPaused: false },
      writeQueue: { status: 'up', full: false, capacity: app.config.INGEST_MAX_QUEUED_EVENTS },
    });
  });

  it(`turns not-ready within ${DETECT_WITHIN_MS / 1000} s of losing the PBX, and ready again once it is back; alive throughout`, async () => {
    await until(200, 'ready before the cut');
    const port = rig.sim.port;
    await rig.sim.close();
    const lost = await until(503, 'not ready after the PBX went away');
    expect(lost.ms).toBeLessThan(DETECT_WITHIN_MS);
    expect(checksOf(lost.body)[`ami:${pbxId}`]).toMatchObject({ status: 'down', state: 'ingesting', message: expect.stringMatching(/^not logged in/) });
    expect(checksOf(lost.body).database.status).toBe('up');
    expect((await app.http().get('/api/health')).status).toBe(200);

    rig.sim = await startPbxSim({ ...SIM, port, users: [AMI_USER] });
    const back = await until(200, 'ready once the PBX is back');
    expect(checksOf(back.body)[`ami:${pbxId}`]).toMatchObject({ status: 'up', amiState: 'ready' });
  }, 40_000);

  it(`turns not-ready within ${DETECT_WITHIN_MS / 1000} s of losing the database, and ready again once it is back; alive throughout`, async () => {
    await until(200, 'ready before the cut');
    await rig.proxy.cut();
    const lost = await until(503, 'not ready after the database went away');
    expect(lost.ms).toBeLessThan(DETECT_WITHIN_MS);
    expect(checksOf(lost.body).database).toMatchObject({ status: 'down', message: expect.any(String) });
    expect(checksOf(lost.body)[`ami:${pbxId}`].status).toBe('up');
    expect((await app.http().get('/api/health')).status).toBe(200);

    await rig.proxy.restore();
    const back = await until(200, 'ready once the database is back');
    expect(checksOf(back.body).database.status).toBe('up');
  }, 40_000);
});
