import type { DataSource } from 'typeorm';

/**
 * Applies the statistics' pending changes (call_stats_pending, migration CallStatsDeferred1795659500000)
 * to the rollups and call_missed_open, in a transaction of its own; returns how many pending rows it
 * applied. `wait`: wait for a flush another transaction is running, then apply what is left (a
 * reader that must see every committed write); without it, return -1 at once if one is running.
 */
export async function flushCallStats(dataSource: DataSource, wait: boolean): Promise<number> {
  const [row] = await dataSource.query<Array<{ applied: string }>>(`SELECT crm_call_stats_flush($1) AS applied`, [wait]);
  return Number(row.applied);
}
