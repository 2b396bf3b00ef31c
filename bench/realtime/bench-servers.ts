/**
 * The whole server as deployed, in child processes (`node scripts/run.cjs apps/server/src/main.ts`,
 * NODE_ENV=production) on a throwaway database, its ingest logged in to the simulator:
 *
 *   single   one process, APP_ROLE=all, no Redis (call events in-process)
 *   cluster  APP_ROLE=asterisk (the ingest) + two APP_ROLE=server instances, all on the machine's
 *            Redis (its own key prefix): events cross processes on the buses, the instances form
 *            one Socket.IO cluster through the Redis adapter
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConnection } from '../../apps/server/src/database/database-connection';
import { freePort } from '../../test/support/free-port';
import { cleanEnv, ServerProcess } from '../../test/support/server-process';
import { SIM_USER } from './realtime-sim';

export const TOPOLOGIES = ['single', 'cluster'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

const READY_TIMEOUT_MS = 120_000;

export interface ServerRole {
  role: 'all' | 'asterisk' | 'server';
  process: ServerProcess;
  /** Base URL of its HTTP port; null for the ingest-only role. */
  url: string | null;
}

export class BenchServers {
  private constructor(
    readonly roles: ServerRole[],
    private readonly dataDir: string,
  ) {}

  /** Base URLs the browsers connect to (clients are spread over them). */
  get urls(): string[] {
    return this.roles.flatMap((r) => (r.url ? [r.url] : []));
  }

  static async start(
    topology: Topology,
    /** `env`: more settings for every role (one port, such as METRICS_PORT, suits the single topology only). */
    options: { connection: DatabaseConnection; database: string; simPort: number; jwtSecret: string; env?: Record<string, string> },
  ): Promise<BenchServers> {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-bench-realtime-'));
    const { connection: db } = options;
    const base = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DEMO_MODE: 'off',
      DATA_DIR: dataDir,
      DB_HOST: db.host,
      DB_PORT: String(db.port),
      DB_USER: db.user,
      // Production requires a password; a server with trust authentication ignores it.
      DB_PASSWORD: db.password || 'unused-with-trust-authentication',
      DB_NAME: options.database,
      JWT_SECRET: options.jwtSecret,
      ADMIN_PASSWORD: randomBytes(16).toString('hex'),
      ...options.env,
    };
    const ingest = {
      ASTERISK_HOST: '127.0.0.1',
      ASTERISK_PORT: String(options.simPort),
      ASTERISK_USER: SIM_USER.username,
      ASTERISK_SECRET: SIM_USER.secret,
      ASTERISK_ID: 'bench',
    };
    const redis = { REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `crm-bench-realtime-${process.pid}` };
    const roles: ServerRole[] = [];
    const launch = async (role: ServerRole['role'], env: Record<string, string>): Promise<void> => {
      const port = role === 'asterisk' ? null : await freePort();
      const child = ServerProcess.startServer(cleanEnv({ ...base, APP_ROLE: role, ...(port && { PORT: String(port) }), ...env }));
      roles.push({ role, process: child, url: port ? `http://127.0.0.1:${port}` : null });
      await child.waitFor(/Asterisk CRM started/, READY_TIMEOUT_MS);
      if (role !== 'server') await child.waitFor(/AMI .* logged in/, READY_TIMEOUT_MS);
    };
    try {
      if (topology === 'single') {
        await launch('all', ingest);
      } else {
        // The first instance runs the migrations; the others start on a migrated database.
        await launch('server', redis);
        await Promise.all([launch('server', redis), launch('asterisk', { ...ingest, ...redis })]);
      }
    } catch (error) {
      await new BenchServers(roles, dataDir).stop();
      throw error;
    }
    return new BenchServers(roles, dataDir);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.roles.map(async ({ process: child }) => {
        child.kill('SIGTERM');
        await child.exit(30_000).catch(() => child.kill('SIGKILL'));
      }),
    );
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
