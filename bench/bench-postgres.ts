/**
 * PostgreSQL for a benchmark, found the way the app and the test setup find theirs: the
 * server named by DB_HOST (DB_PORT, DB_USER, DB_PASSWORD) when set, else an embedded
 * PostgreSQL (the app's EmbeddedPostgresServer) in a temporary folder removed at the end.
 * Benchmarks work in throwaway databases of their own, never in the app's.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type DatabaseConnection, ensureDatabaseExists } from '../apps/server/src/database/database-connection';
import { EmbeddedPostgresServer } from '../apps/server/src/database/embedded/embedded-postgres-server';
import { freePort } from '../test/support/free-port';

export interface BenchPostgres {
  connection: DatabaseConnection;
  /** `DB_HOST 127.0.0.1:5432` or `embedded`, for the report. */
  origin: string;
  /** `PostgreSQL 15.20 (Debian ...)`. */
  version: string;
  /** Creates `name` empty (dropping a leftover of an interrupted run first). */
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** Stops the embedded server and removes its folder; nothing for DB_HOST. */
  close(): Promise<void>;
}

export async function openBenchPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  let connection: DatabaseConnection;
  let origin: string;
  let close = async (): Promise<void> => undefined;
  if (process.env.DB_HOST) {
    connection = {
      host: process.env.DB_HOST,
      port: Number(process.env.DB_PORT || 5432),
      user: process.env.DB_USER || 'postgres',
      password: process.env.DB_PASSWORD || undefined,
      ssl: false,
    };
    origin = `DB_HOST ${connection.host}:${connection.port}`;
  } else {
    const root = mkdtempSync(join(tmpdir(), 'crm-bench-pg-'));
    // When run as root, PostgreSQL runs as the `postgres` user: it must reach the folder.
    chmodSync(root, 0o755);
    const server = new EmbeddedPostgresServer({ dir: join(root, 'data'), port: await freePort(), logger: { log: () => undefined, warn: log } });
    try {
      connection = await server.start();
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      throw error;
    }
    origin = 'embedded';
    const started = connection;
    close = async () => {
      // After a Ctrl-C PostgreSQL has stopped by itself (it shares our process group); the package's
      // stop() would then wait for an exit that already happened.
      if (await answers(started)) await server.stop().catch((error: Error) => log(`embedded PostgreSQL: ${error.message}`));
      await rm(root, { recursive: true, force: true });
    };
  }
  const admin = (sql: string, values: unknown[] = []) => query(connection, 'postgres', sql, values);
  const [{ version }] = await admin(`SELECT split_part(version(), ' on ', 1) AS version`);
  return {
    connection,
    origin,
    version: String(version),
    async createDatabase(name) {
      await admin(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      await ensureDatabaseExists(connection, name);
    },
    async dropDatabase(name) {
      await admin(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    },
    close,
  };
}

async function query(connection: DatabaseConnection, database: string, sql: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new Client({ ...connection, database });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

async function answers(connection: DatabaseConnection): Promise<boolean> {
  const client = new Client({ ...connection, database: 'postgres', connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
