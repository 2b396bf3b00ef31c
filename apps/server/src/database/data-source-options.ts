import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConnection } from './database-connection';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export const MIGRATIONS_TABLE = 'typeorm_migrations';

/** The one TypeORM configuration used by the app, the CLI (ormconfig.ts) and the tests. */
export function buildDataSourceOptions(connection: DatabaseConnection, database: string): DataSourceOptions {
  return {
    type: 'postgres',
    host: connection.host,
    port: connection.port,
    username: connection.user,
    password: connection.password,
    database,
    ssl: connection.ssl ? { rejectUnauthorized: true } : false,
    applicationName: 'asterisk-crm',
    // A database that went silent (a cut network) fails a connection attempt instead of hanging it.
    connectTimeoutMS: 10_000,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    // The schema changes only through migrations, never from entity metadata.
    synchronize: false,
    migrationsRun: false,
    logging: false,
  };
}
