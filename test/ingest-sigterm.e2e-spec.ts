import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { eventually } from './support/calls-e2e';
import { startIngestProcess } from './support/ingest-process';
import type { ServerProcess } from './support/server-process';
import { TcpProxy } from './support/tcp-proxy';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

const AMI_USER = { username: 'sigterm', secret: 'sigterm-secret' };

/**
 * SIGTERM while PostgreSQL is already unreachable: the ingest process gives its queued call
 * events INGEST_SHUTDOWN_DRAIN to reach the database, then logs which calls it could not write
 * and exits, instead of retrying forever.
 */
describe('SIGTERM with PostgreSQL down', () => {
  const database = uniqueName('sigterm');
  let proxy: TcpProxy;
  let sim: PbxSim;
  let server: ServerProcess | null = null;

  beforeAll(async () => {
    await createDatabase(database);
    // The schema, as a deployment has it before the ingest starts.
    await query(database, 'SELECT 1');
    proxy = await new TcpProxy(process.env.DB_HOST!, Number(process.env.DB_PORT)).start();
    sim = await startPbxSim({ port: 0, seed: 3, users: [AMI_USER], traffic: null, config: { recordingsPath: null } });
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await sim?.close();
    await proxy?.stop();
    await dropDatabase(database);
  });

  it('drains for a bounded time, reports the calls it could not write, and exits', async () => {
    server = await startIngestProcess({
      database,
      dbHost: '127.0.0.1',
      dbPort: proxy.port,
      pbxId: 'sigterm',
      amiPort: sim.port,
      ami: AMI_USER,
      env: { INGEST_SHUTDOWN_DRAIN: '2s' },
    });
    await eventually('the ingest logged in to the simulator', async () => sim.stats.ami.sessions > 0 && sim.stats.ami.actions >= 2, 30_000);

    await proxy.cut();
    const calls = [0, 1, 2].map(() => sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', ringMs: 300, talkMs: 300 }));
    await Promise.all(calls.map((c) => c.done));
    await server.waitFor(/writing \d+ call events failed, retrying/, 20_000);

    const signalled = Date.now();
    server.kill('SIGTERM');
    await server.exit(30_000);
    // INGEST_SHUTDOWN_DRAIN plus the rest of the shutdown, on a loaded machine.
    expect(Date.now() - signalled).toBeLessThan(20_000);
    expect(server.output).toMatch(/call events of \d+ calls could not be written within INGEST_SHUTDOWN_DRAIN/);
    for (const call of calls) expect(server.output).toContain(call.linkedid);
  }, 150_000);
});
