import { startPbxSim, type PbxSim, type PbxSimOptions } from '../../apps/pbx-sim/src/pbx-sim';
import { AmiIngestService } from '../../apps/server/src/call-ingest';
import { TcpProxy } from './tcp-proxy';
import { startTestApp, type TestApp } from './test-app';
import { createDatabase, dropDatabase, uniqueName } from './test-database';

/**
 * The fault tests' rig: an app on a database of its own reached through a {@link TcpProxy} (cut it
 * to take PostgreSQL away; the shared server is never touched), ingesting a pbx-sim as `pbxId`.
 * `sim` may be replaced (a PBX stopped and started again); `close` stops whichever runs then.
 */
export interface ProxiedIngestApp {
  database: string;
  proxy: TcpProxy;
  app: TestApp;
  sim: PbxSim;
  close(): Promise<void>;
}

export async function startProxiedIngestApp(options: {
  name: string;
  pbxId: string;
  amiUser: { username: string; secret: string };
  sim: Omit<PbxSimOptions, 'port' | 'users'>;
  env?: Record<string, string>;
}): Promise<ProxiedIngestApp> {
  const database = uniqueName(options.name);
  await createDatabase(database);
  const proxy = await new TcpProxy(process.env.DB_HOST!, Number(process.env.DB_PORT)).start();
  const app = await startTestApp({ DB_NAME: database, DB_HOST: '127.0.0.1', DB_PORT: String(proxy.port), ...options.env });
  const sim = await startPbxSim({ port: 0, users: [options.amiUser], ...options.sim });
  await app.app.get(AmiIngestService, { strict: false }).add({ id: options.pbxId, host: '127.0.0.1', port: sim.port, ...options.amiUser, tls: false });
  const rig: ProxiedIngestApp = {
    database,
    proxy,
    app,
    sim,
    async close() {
      await proxy.restore();
      await app.close();
      await rig.sim.close();
      await proxy.stop();
      await dropDatabase(database);
    },
  };
  return rig;
}
