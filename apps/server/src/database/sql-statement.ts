import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** A parameterised SQL statement: `$1`… placeholders in `text`, their values in order. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/**
 * Runs `statement` as the prepared statement `name` on TypeORM's own pg pool (its PostgreSQL
 * driver's `master`): parsed once per connection and, once PostgreSQL finds a generic plan as good,
 * planned once too. For statements the ingest runs many times a second; `name` must stand for one
 * text only.
 */
export async function queryPrepared<T>(dataSource: DataSource, name: string, statement: SqlStatement): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query({ name, text: statement.text, values: statement.values })).rows as T[];
}
