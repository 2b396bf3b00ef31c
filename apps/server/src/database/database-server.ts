import type { AppConfig } from '../config/app-config';
import { DatabaseConnection, ensureDatabaseExists, externalConnection } from './database-connection';
import { EmbeddedPostgresLogger, EmbeddedPostgresServer } from './embedded/embedded-postgres-server';

export interface OpenDatabase {
  connection: DatabaseConnection;
  /** Stops the embedded server if this process started it; a no-op for DB_HOST. */
  close(): Promise<void>;
}

/**
 * The database the config points at: DB_* when DB_HOST is set, else the embedded PostgreSQL
 * in EMBEDDED_PG_DIR, started on demand with DB_NAME created in it.
 */
export async function openDatabase(config: AppConfig, logger: EmbeddedPostgresLogger): Promise<OpenDatabase> {
  if (!config.usesEmbeddedDatabase) {
    return { connection: externalConnection(config), close: async () => undefined };
  }
  const server = new EmbeddedPostgresServer({ dir: config.embeddedPgDir, port: config.EMBEDDED_PG_PORT, logger });
  const connection = await server.start();
  try {
    if (await ensureDatabaseExists(connection, config.databaseName)) {
      logger.log(`Created database "${config.databaseName}" in the embedded PostgreSQL`);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { connection, close: () => server.stop() };
}
