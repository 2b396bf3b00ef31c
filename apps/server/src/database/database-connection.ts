import { Client } from 'pg';
import type { AppConfig } from '../config/app-config';

/** Where the server's database lives (a real server from DB_*, or the embedded one). */
export interface DatabaseConnection {
  host: string;
  port: number;
  user: string;
  password?: string;
  ssl: boolean;
}

export function externalConnection(config: AppConfig): DatabaseConnection {
  return {
    host: config.DB_HOST ?? '127.0.0.1',
    port: config.DB_PORT,
    user: config.databaseUser,
    password: config.DB_PASSWORD,
    ssl: config.DB_SSL,
  };
}

/** Creates `database` unless it exists (the embedded server starts with only `postgres`). */
export async function ensureDatabaseExists(connection: DatabaseConnection, database: string): Promise<boolean> {
  const client = new Client({ ...connection, database: 'postgres' });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)} ENCODING 'UTF8'`);
    return true;
  } finally {
    await client.end();
  }
}
