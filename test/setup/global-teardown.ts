import { rm } from 'node:fs/promises';
import { Client } from 'pg';
import { takeTestDatabaseState } from './test-database-state';
import { stopTestRedis } from './test-redis';

/** Drops this run's database (on a DB_HOST server) or stops the embedded PostgreSQL and removes its folder. */
export default async function globalTeardown(): Promise<void> {
  const state = takeTestDatabaseState();
  if (!state) return;
  stopTestRedis(state.redis);
  if (state.embedded) {
    await state.embedded.stop();
    if (state.embeddedRoot) await rm(state.embeddedRoot, { recursive: true, force: true });
    return;
  }
  const client = new Client({ ...state.connection, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(state.database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
