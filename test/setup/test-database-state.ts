import type { DatabaseConnection } from '../../apps/server/src/database/database-connection';
import type { EmbeddedPostgresServer } from '../../apps/server/src/database/embedded/embedded-postgres-server';
import type { TestRedis } from './test-redis';

/** What the global setup started, kept for the teardown (both run in jest's main process). */
export interface TestDatabaseState {
  embedded: EmbeddedPostgresServer | null;
  embeddedRoot: string | null;
  connection: DatabaseConnection;
  database: string;
  redis: TestRedis | null;
}

const KEY = Symbol.for('crm.test-database');

export function setTestDatabaseState(state: TestDatabaseState): void {
  (globalThis as Record<symbol, unknown>)[KEY] = state;
}

export function takeTestDatabaseState(): TestDatabaseState | undefined {
  const state = (globalThis as Record<symbol, unknown>)[KEY] as TestDatabaseState | undefined;
  delete (globalThis as Record<symbol, unknown>)[KEY];
  return state;
}
