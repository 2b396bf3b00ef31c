import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { eventually } from './support/calls-e2e';
import { freePort } from './support/free-port';
import { parsePrometheusText, sampleValue } from './support/prometheus-text';
import { cleanEnv, ServerProcess } from './support/server-process';
import { startTestApp, TEST_ADMIN_PASSWORD, TEST_JWT_SECRET, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, testDatabaseEnv, uniqueName } from './support/test-database';
import { testRedisEnv } from './support/test-redis-env';

const AMI_USER = { username: 'ingest-ops', secret: 'ingest-ops-secret' };
const PBX_ID = 'opsmain';
const DETECT_WITHIN_MS = 5000;

interface IngestCheck {
  status: string;
  message?: string;
  processes: { process: string; pbxs: { pbxId: string; amiState: string | null; activeCalls: number }[] }[];
}

/**
 * The roles apart, as deployed: an APP_ROLE=asterisk process (its own OS process, as the image
 * runs it) ingests pbx-sim and serves /metrics, /api/health and /api/ready on METRICS_PORT, its
 * only HTTP port; an APP_ROLE=server instance on the same database and Redis reports what the
 * ingest says. The PBX goes away: the ingest turns not-ready within 5 s, the server degraded.
 */
describe('APP_ROLE=asterisk on METRICS_PORT, reported by APP_ROLE=server', () => {
  const database = uniqueName('ingest_ops');
  let sim: PbxSim;
  let ingest: ServerProcess;
  let server: TestApp;
  let base: string;

  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, text: await response.text() };
  };
  const ingestCheck = async (): Promise<IngestCheck> => {
    const body = (await server.http().get('/api/ready').expect(200)).body as { checks: { ingest: IngestCheck } };
    return body.checks.ingest;
  };
  const metric = async (name: string, labels: Record<string, string>) => sampleValue(parsePrometheusText((await get('/metrics')).text), name, labels);

  beforeAll(async () => {
    await createDatabase(database);
    sim = await startPbxSim({ port: 0, seed: 11, users: [AMI_USER], traffic: null, config: { recordingsPath: null } });
    const metricsPort = await freePort();
    base = `http://127.0.0.1:${metricsPort}`;
    const shared = { DB_NAME: database, ...testRedisEnv() };
    ingest = ServerProcess.startServer(
      cleanEnv({
        NODE_ENV: 'test',
        APP_ROLE: 'asterisk',
        LOG_LEVEL: 'info',
        JWT_SECRET: TEST_JWT_SECRET,
        ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        ...testDatabaseEnv(database),
        ASTERISK_HOST: '127.0.0.1',
        ASTERISK_PORT: String(sim.port),
        ASTERISK_USER: AMI_USER.username,
        ASTERISK_SECRET: AMI_USER.secret,
        ASTERISK_ID: PBX_ID,
        METRICS_PORT: String(metricsPort),
        ...shared,
      }),
    );
    await ingest.waitFor(/Asterisk CRM started: role asterisk/, 90_000);
    server = await startTestApp({ APP_ROLE: 'server', ASTERISK_SERVERS: `${PBX_ID}=ami://x:y@127.0.0.1:1`, ...shared });
  }, 120_000);

  afterAll(async () => {
    ingest?.kill('SIGKILL');
    await server?.close();
    await sim?.close();
    await dropDatabase(database);
  });

  it('serves liveness, readiness and metrics on METRICS_PORT: ready once logged in, calls in progress counted', async () => {
    expect(JSON.parse((await get('/api/health')).text)).toMatchObject({ status: 'ok', mode: { role: 'asterisk' } });
    await eventually('the ingest ready', async () => (await get('/api/ready')).status === 200, 20_000, 100);
    const ready = JSON.parse((await get('/api/ready')).text) as { checks: Record<string, unknown> };
    expect(ready.checks).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' }, [`ami:${PBX_ID}`]: { status: 'up', amiState: 'ready' }, writeQueue: { status: 'up' } });
    expect(await metric('crm_ami_connected', { pbx: PBX_ID })).toBe(1);
    expect(await metric('crm_info', { role: 'asterisk' })).toBe(1);

    const call = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '1001', outcome: 'answered', ringMs: 300, talkMs: 1500 });
    await eventually('the call in progress', async () => (await metric('crm_calls_active', { pbx: PBX_ID })) === 1, 10_000, 50);
    await call.done;
    await eventually('the call over', async () => (await metric('crm_calls_active', { pbx: PBX_ID })) === 0, 10_000, 50);
    expect(await metric('crm_ami_events_total', { pbx: PBX_ID })).toBeGreaterThan(10);
  }, 40_000);

  it('the server role reports the ingest process and its PBX', async () => {
    // Reported every second: the report taken during the call may still be the latest for a moment.
    const check = await eventually('the ingest report after the call', async () => {
      const c = await ingestCheck();
      return c.status === 'up' && c.processes[0]?.pbxs[0]?.activeCalls === 0 ? c : undefined;
    }, 10_000, 100);
    expect(check.processes).toEqual([expect.objectContaining({ pbxs: [expect.objectContaining({ pbxId: PBX_ID, amiState: 'ready', activeCalls: 0 })] })]);
  });

  it(`loses the PBX: the ingest is not ready within ${DETECT_WITHIN_MS / 1000} s, the server degraded; a stopped ingest leaves the board`, async () => {
    await sim.close();
    const from = Date.now();
    const lost = await eventually('the ingest not ready', async () => {
      const r = await get('/api/ready');
      return r.status === 503 ? (JSON.parse(r.text) as { error: string; details: { checks: Record<string, { status: string }> } }) : undefined;
    }, 15_000, 50);
    expect(Date.now() - from).toBeLessThan(DETECT_WITHIN_MS);
    expect(lost.error).toBe('NOT_READY');
    expect(lost.details.checks[`ami:${PBX_ID}`].status).toBe('down');
    const degraded = await eventually('the server degraded', async () => {
      const c = await ingestCheck();
      return c.status === 'degraded' ? c : undefined;
    }, 10_000, 100);
    expect(degraded.message).toMatch(new RegExp(`^PBX ${PBX_ID}: not logged in to AMI`));
    expect(await metric('crm_ami_connected', { pbx: PBX_ID })).toBe(0);

    ingest.kill('SIGTERM');
    expect((await ingest.exit(30_000)).code).toBe(0);
    expect((await ingestCheck()).message).toMatch(/^no ingest process has reported/);
  }, 60_000);
});
