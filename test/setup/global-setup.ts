import './path-aliases';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../apps/server/src/database/data-source-options';
import { DatabaseConnection, ensureDatabaseExists } from '../../apps/server/src/database/database-connection';
import { EmbeddedPostgresServer } from '../../apps/server/src/database/embedded/embedded-postgres-server';
import { runPendingMigrations } from '../../apps/server/src/database/migration-runner';
import { ensureWebBuild } from '../../apps/server/src/web/web-build';
import { freePort } from '../support/free-port';
import { PROJECT_ROOT } from '../support/server-process';
import { TestDatabaseState, setTestDatabaseState } from './test-database-state';
import { prepareTestRedis } from './test-redis';

/**
 * Prepares one PostgreSQL database for the whole run, the way the app finds its own: the
 * server named by DB_HOST (DB_PORT, DB_USER, DB_PASSWORD) when set, else an embedded
 * PostgreSQL in a temporary folder. A fresh database per run is created and migrated once;
 * DB_* in the environment then point the test files (jest workers inherit it) at it.
 * It also makes sure dist/web holds a build of the current web UI.
 */
export default async function globalSetup(): Promise<void> {
  const quiet = { log: () => undefined, warn: (message: string) => console.warn(message) };
  // The web UI is built once here (when missing or outdated), so no server a test starts has to build it.
  await ensureWebBuild(PROJECT_ROOT, quiet);
  let embedded: EmbeddedPostgresServer | null = null;
  let embeddedRoot: string | null = null;
  let connection: DatabaseConnection;
  if (process.env.DB_HOST) {
    connection = {
      host: process.env.DB_HOST,
      port: Number(process.env.DB_PORT || 5432),
      user: process.env.DB_USER || 'postgres',
      password: process.env.DB_PASSWORD || undefined,
      ssl: false,
    };
  } else {
    embeddedRoot = mkdtempSync(join(tmpdir(), 'crm-test-pg-'));
    // When run as root, PostgreSQL runs as the `postgres` user: it must reach the folder.
    chmodSync(embeddedRoot, 0o755);
    embedded = new EmbeddedPostgresServer({ dir: join(embeddedRoot, 'data'), port: await freePort(), logger: quiet });
    connection = await embedded.start();
  }

  const database = `crm_test_${Date.now().toString(36)}_${process.pid}`;
  await ensureDatabaseExists(connection, database);
  const dataSource = await new DataSource(buildDataSourceOptions(connection, database)).initialize();
  try {
    await runPendingMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }

  const redis = await prepareTestRedis();
  if (redis) process.env.REDIS_URL = redis.url;
  else console.warn('No Redis for this run (REDIS_URL unset, none on 127.0.0.1:6379, no redis-server binary): the suites that need it will fail.');

  const state: TestDatabaseState = { embedded, embeddedRoot, connection, database, redis };
  setTestDatabaseState(state);
  Object.assign(process.env, {
    DB_HOST: connection.host,
    DB_PORT: String(connection.port),
    DB_USER: connection.user,
    DB_PASSWORD: connection.password ?? '',
    DB_NAME: database,
  });
}
