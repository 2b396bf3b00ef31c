import type { DataSource } from 'typeorm';

/** Arbitrary constant: every process of this app takes the same advisory lock to migrate. */
const MIGRATION_LOCK_KEY = 7_305_120_002;

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so several processes starting
 * together (server + asterisk roles, replicas) migrate once and the others wait.
 * Returns the names of the migrations it applied.
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<string[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockRunner.release();
  }
}
