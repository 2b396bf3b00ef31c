import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CallView } from '@app/contracts';
import type { CallTableRow } from '../../calls';
import type { CollapsedCall } from './call-batch-sql';
import { CallStore, type CallMerge, type StoredCall } from './call-store';
import type { CdrCompletion } from '../cdr/cdr-completion';
import { completeFromCdrStatement } from './cdr-completion-sql';
import { findLostCallsStatement } from './lost-calls-sql';

/**
 * TEST_MODE: the pipeline runs in full but every write it would make is logged as
 * one structured line (table, operation, key, values) instead of reaching the
 * database. Every step counts as stored, so the Nest events still flow and the
 * live screens show the calls; the ids are marked, not database ids. Reads still happen.
 */
@Injectable()
export class DryRunCallStore extends CallStore {
  readonly dryRun = true;
  private readonly logger = new Logger('TestMode');

  constructor(dataSource: DataSource) {
    super(dataSource);
  }

  async write(calls: CollapsedCall[]): Promise<StoredCall[]> {
    return calls.map((call) => {
      const { pbx_id: pbxId, linkedid } = call.row;
      const key = { pbxId, linkedid };
      for (const write of call.writes) {
        this.skipped('calls', 'upsert', key, write.row);
        this.skipped('call_events', 'insert', key, write.timeline);
      }
      return {
        key: call.key,
        id: `dry-run:${pbxId}:${linkedid}`,
        storedStepKeys: new Set(call.writes.map((w) => w.timeline.dedupeKey)),
        seqBase: 0,
        merged: null,
        recordingUrl: null,
      };
    });
  }

  async completeFromCdr(items: CdrCompletion[]): Promise<CallView[]> {
    for (const item of items) this.skipped('calls', 'complete-from-cdr', { pbxId: '', linkedid: item.id }, item);
    return [];
  }

  async merge(merges: CallMerge[]): Promise<void> {
    for (const { pbxId, from, into } of merges) this.skipped('calls', 'merge', { pbxId, linkedid: from }, { into });
  }

  async closeLost(pbxId: string, live: string[], before: string): Promise<CallView[]> {
    const { text, values } = findLostCallsStatement(pbxId, live, before);
    const rows: CallTableRow[] = await this.dataSource.query(text, values);
    for (const row of rows) {
      this.skipped('calls', 'close-lost', { pbxId, linkedid: row.linkedid }, { id: row.id, status: row.answered_at ? 'answered' : 'missed', hangupBy: 'system' });
    }
    return [];
  }

  private skipped(table: string, op: string, key: { pbxId: string; linkedid: string }, values: object): void {
    this.logger.log({ msg: 'TEST_MODE: write skipped', testMode: true, table, op, ...key, values });
  }
}
