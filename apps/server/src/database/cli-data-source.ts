import { DataSource } from 'typeorm';
import { loadConfigOrExit } from '../config/load-config';
import { buildDataSourceOptions } from './data-source-options';
import { openDatabase, OpenDatabase } from './database-server';

/** A DataSource that also stops the embedded PostgreSQL it started once the CLI is done. */
class CliDataSource extends DataSource {
  constructor(
    private readonly database: OpenDatabase,
    options: ConstructorParameters<typeof DataSource>[0],
  ) {
    super(options);
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.database.close();
    }
  }
}

/**
 * The data source for the typeorm CLI (`npm run migration:*`): the same configuration as the
 * app, so with no DB_HOST the CLI starts (or shares) the embedded PostgreSQL.
 */
export async function createCliDataSource(): Promise<DataSource> {
  const config = loadConfigOrExit();
  const logger = { log: (message: string) => console.log(message), warn: (message: string) => console.warn(message) };
  const database = await openDatabase(config, logger);
  return new CliDataSource(database, buildDataSourceOptions(database.connection, config.databaseName));
}
