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
 * in EMBEDDED_PG_DIR, started on demand. DB_NAME is created when missing (on a server only if
 * the user may; otherwise connecting reports the missing database).
 */
export async function openDatabase(config: AppConfig, logger: EmbeddedPostgresLogger): Promise<OpenDatabase> {
  if (!config.usesEmbeddedDatabase) {
    const connection = externalConnection(config);
    try {
      if (await ensureDatabaseExists(connection, config.databaseName)) {
        logger.log(`Created database "${config.databaseName}" on ${connection.host}:${connection.port}`);
      }
    } catch (error) {
      logger.warn(`Could not check or create database "${config.databaseName}": ${(error as Error).message}`);
    }
    return { connection, close: async () => undefined };
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
