import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { CallView } from '@app/contracts';
import { toCallView, type CallTableRow } from '../../calls';
import { pgClientConfig } from '../../database';
import { buildCallBatchStatement, type CollapsedCall } from './call-batch-sql';
import { CallStore, type CallMerge, type StoredCall } from './call-store';
import type { CdrCompletion } from '../cdr/cdr-completion';
import { completeFromCdrStatement } from './cdr-completion-sql';
import { callKey } from './call-write';
import { closeLostCallsStatement } from './lost-calls-sql';
import { mergeCallsStatements } from './merge-calls-sql';

interface ChangedCallRow {
  id: string | number;
  pbx_id: string;
  linkedid: string;
  seq_base: number;
  recording_url: string | null;
  /** The row as JSON where a recovery merged it, else null. */
  merged: (Omit<CallTableRow, 'started_at' | 'answered_at' | 'ended_at'> & { started_at: string; answered_at: string | null; ended_at: string | null }) | null;
  stored_step_keys: string[];
}

/** Name of the prepared batch statement (its text changes only with the code: a new name then). */
const BATCH_STATEMENT_NAME = `crm-call-batch-${createHash('sha1').update(buildCallBatchStatement([]).text).digest('hex').slice(0, 12)}`;

/** The batch connections' session settings (see PgCallStore's pool()). */
export const BATCH_SESSION_OPTIONS = '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off';

/** Applies each batch as one idempotent statement (its own transaction). */
@Injectable()
export class PgCallStore extends CallStore {
  readonly dryRun = false;

  constructor(dataSource: DataSource) {
    super(dataSource);
  }

  private batchPool: Pool | null = null;

  /**
   * Connections of their own for the batch statement, with two settings for the whole session
   * (nothing else runs on them):
   * - `plan_cache_mode = force_generic_plan`: the named statement is planned once per connection.
   *   Its text is the same for any batch, its arrays' sizes unknown to a plan anyway; left to
   *   choose, PostgreSQL keeps planning small batches anew (a custom plan looks cheaper for them),
   *   and planning this statement costs more than running it (3 ms against 1.5 ms for one call).
   * - `enable_seqscan = off`: the statement reads only rows it names by key, so an index is always
   *   the way, whatever the statistics say. A generic plan made while the tables were small (a new
   *   installation, a fresh month, before autovacuum's first analyse) scanned `call_keys` and the
   *   month's partition whole on every batch: 3,035 rows filtered out of each, the cost growing
   *   with the table until the next analyse (auto_explain, bench:load on a fresh database).
   * Before, the first was SET and RESET around each batch on TypeORM's pool: two more round trips.
   */
  private pool(): Pool {
    if (!this.batchPool) {
      const pool = new Pool({
        ...pgClientConfig(this.dataSource, 'crm-call-batch'),
        // One write at a time (the ingest's one lane); a second for a write racing a reconnect.
        max: 2,
        connectionTimeoutMillis: 10_000,
        options: BATCH_SESSION_OPTIONS,
      });
      // An idle connection the server dropped (a restart, a cut network) is replaced on the next write.
      pool.on('error', () => undefined);
      this.batchPool = pool;
    }
    return this.batchPool;
  }

  override async close(): Promise<void> {
    const pool = this.batchPool;
    this.batchPool = null;
    await pool?.end();
  }

  async write(calls: CollapsedCall[]): Promise<StoredCall[]> {
    if (calls.length === 0) return [];
    const { text, values } = buildCallBatchStatement(calls);
    // pool.query does not reuse a connection whose query failed.
    const { rows } = await this.pool().query<ChangedCallRow>({ name: BATCH_STATEMENT_NAME, text, values });
    return rows.map((row) => ({
      key: callKey(row.pbx_id, row.linkedid),
      id: String(row.id),
      storedStepKeys: new Set(row.stored_step_keys),
      seqBase: row.seq_base,
      merged: row.merged && { ...row.merged, started_at: new Date(row.merged.started_at), answered_at: dateOrNull(row.merged.answered_at), ended_at: dateOrNull(row.merged.ended_at) },
      recordingUrl: row.recording_url,
    }));
  }

  async completeFromCdr(items: CdrCompletion[]): Promise<CallView[]> {
    if (items.length === 0) return [];
    const { text, values } = completeFromCdrStatement(items);
    const rows: CallTableRow[] = await this.dataSource.query(text, values);
    return rows.map(toCallView);
  }

  async merge(merges: CallMerge[]): Promise<void> {
    if (merges.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const { text, values } of mergeCallsStatements(merges)) await manager.query(text, values);
    });
  }

  async closeLost(pbxId: string, live: string[], before: string): Promise<CallView[]> {
    const { text, values } = closeLostCallsStatement(pbxId, live, before);
    const rows: CallTableRow[] = await this.dataSource.query(text, values);
    return rows.map(toCallView);
  }
}

function dateOrNull(iso: string | null): Date | null {
  return iso === null ? null : new Date(iso);
}
