import { randomBytes } from 'node:crypto';
import { cleanEnv, ServerProcess } from './server-process';

export interface IngestProcessOptions {
  database: string;
  dbHost?: string;
  dbPort?: number;
  pbxId: string;
  amiPort: number;
  ami: { username: string; secret: string };
  /** More settings (INGEST_SHUTDOWN_DRAIN, ASTERISK_CDR_DB_URL, ...). */
  env?: Record<string, string>;
}

/**
 * The AMI ingest as production runs it: `node scripts/run.cjs apps/server/src/main.ts` with
 * APP_ROLE=asterisk, NODE_ENV=production, on the test PostgreSQL and Redis, logging at info.
 * Resolves once it has started.
 */
export async function startIngestProcess(o: IngestProcessOptions): Promise<ServerProcess> {
  const server = ServerProcess.startServer(
    cleanEnv({
      NODE_ENV: 'production',
      APP_ROLE: 'asterisk',
      // The ingest role publishes stored steps through Redis, as deployed.
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `crm-${o.pbxId}`,
      LOG_LEVEL: 'info',
      DEMO_MODE: 'off',
      JWT_SECRET: randomBytes(32).toString('hex'),
      DB_HOST: o.dbHost ?? process.env.DB_HOST!,
      DB_PORT: String(o.dbPort ?? process.env.DB_PORT),
      DB_USER: process.env.DB_USER!,
      DB_PASSWORD: process.env.DB_PASSWORD || 'unused-with-trust-authentication',
      DB_NAME: o.database,
      ASTERISK_HOST: '127.0.0.1',
      ASTERISK_PORT: String(o.amiPort),
      ASTERISK_USER: o.ami.username,
      ASTERISK_SECRET: o.ami.secret,
      ASTERISK_ID: o.pbxId,
      ...o.env,
    }),
  );
  await server.waitFor(/Asterisk CRM started/, 90_000);
  return server;
}
