import { Injectable } from '@nestjs/common';
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

interface ChangedCallRow extends CallTableRow {
  seq_base: number;
  recovered: boolean;
  stored_step_keys: string[];
  recording_url: string | null;
}

/** Applies each batch as one idempotent statement (its own transaction). */
@Injectable()
export class PgCallStore extends CallStore {
  readonly dryRun = false;

  constructor(dataSource: DataSource) {
    super(dataSource);
  }

  async write(calls: CollapsedCall[]): Promise<StoredCall[]> {
    if (calls.length === 0) return [];
    const { text, values } = buildCallBatchStatement(calls);
    const rows: ChangedCallRow[] = await this.dataSource.query(text, values);
    return rows.map((row) => ({
      key: callKey(row.pbx_id, row.linkedid),
      id: String(row.id),
      storedStepKeys: new Set(row.stored_step_keys),
      seqBase: row.seq_base,
      merged: row.recovered ? row : null,
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
