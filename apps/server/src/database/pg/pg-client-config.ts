import type { ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Settings for a dedicated pg connection to the data source's database, for what a pooled
 * connection cannot do: hold LISTEN or session advisory locks for the life of the process.
 */
export function pgClientConfig(dataSource: DataSource, applicationName: string): ClientConfig {
  const o = dataSource.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string | (() => string | Promise<string>);
    database?: string;
    ssl?: ClientConfig['ssl'];
  };
  return {
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: o.password,
    database: o.database,
    ssl: o.ssl,
    application_name: applicationName,
  };
}
