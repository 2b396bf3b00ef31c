import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { CallView } from '@app/contracts';
import { toCallView, type CallTableRow } from '../../calls';
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

/** Applies each batch as one idempotent statement (its own transaction). */
@Injectable()
export class PgCallStore extends CallStore {
  readonly dryRun = false;

  constructor(dataSource: DataSource) {
    super(dataSource);
  }

  /** TypeORM's own pg pool (its PostgreSQL driver's `master`), for named statements. */
  private pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  async write(calls: CollapsedCall[]): Promise<StoredCall[]> {
    if (calls.length === 0) return [];
    const { text, values } = buildCallBatchStatement(calls);
    const client = await this.pool().connect();
    let rows: ChangedCallRow[];
    try {
      // A named statement, planned once per connection and generically: its text is the same for
      // any batch, its arrays' sizes unknown to a plan anyway. Left to choose, PostgreSQL keeps
      // planning small batches anew (a custom plan looks cheaper for them), and planning this
      // statement costs it more than running it (3 ms against 1.5 ms for a batch of one call).
      // The setting also makes every parameterised query of the session generic, so it holds for
      // this statement only: the pool's other users get the connection as it was.
      await client.query('SET plan_cache_mode = force_generic_plan');
      rows = (await client.query<ChangedCallRow>({ name: BATCH_STATEMENT_NAME, text, values })).rows;
      await client.query('RESET plan_cache_mode');
    } catch (error) {
      // As pg's own pool.query: a connection that failed a query is not reused (nor one left generic).
      client.release(error as Error);
      throw error;
    }
    client.release();
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
