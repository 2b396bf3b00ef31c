import type { DataSource } from 'typeorm';
import type { StoredRecording } from '@app/ami';
import type { CallView } from '@app/contracts';
import type { CallTableRow } from '../../calls';
import type { CdrCompletion, UnobservedCall } from '../cdr/cdr-completion';
import { unobservedCallsStatement } from './cdr-completion-sql';
import { openCallRecordingsStatement, openCallsStatement } from './lost-calls-sql';
import type { CollapsedCall } from './call-batch-sql';

/** What a write changed for one call: its row id and the timeline steps newly stored. */
export interface StoredCall {
  key: string;
  id: string;
  storedStepKeys: ReadonlySet<string>;
  /** Added to the writes' own step counter to give the stored `event_seq` (0 unless another process wrote the call first). */
  seqBase: number;
  /**
   * The row as stored, when it differs from the writes' own rows: a call another process
   * inserted, merged with what was stored (see call-batch-sql). Null: the last write's row is it.
   */
  merged: CallTableRow | null;
  /** As stored: the recordings context fills it once a file is ready, the ingest never writes it. */
  recordingUrl: string | null;
}

export interface OpenCall {
  linkedid: string;
  writer: string | null;
}

/** A call the tracker joined into another after reporting it: `from` is no call of its own. */
export interface CallMerge {
  pbxId: string;
  /** Row linkedids (first Linkedid of each call). */
  from: string;
  into: string;
}

/**
 * Where the ingest's writes go: PostgreSQL, or the log in TEST_MODE. Calls whose
 * write changed nothing (a replay, a stale step) are absent from the result. Reads go to the
 * database either way (TEST_MODE still reads), so they are implemented here once.
 */
export abstract class CallStore {
  constructor(protected readonly dataSource: DataSource) {}

  /** True when nothing is really written (TEST_MODE). */
  abstract readonly dryRun: boolean;
  abstract write(calls: CollapsedCall[]): Promise<StoredCall[]>;
  /** Closes what write() opened of its own; called by the ingest once it has drained its writes. */
  async close(): Promise<void> {}

  /** The database's clock (ISO-8601), to mark "before this point" across processes and hosts. */
  async databaseTime(): Promise<string> {
    const [row] = await this.dataSource.query<Array<{ now: Date }>>(`SELECT now() AS now`);
    return row.now.toISOString();
  }

  /**
   * Ends the PBX's calls that are still open in the database, were last written before
   * `before` (a {@link databaseTime}), and are not among `live` (first Linkedids of the calls
   * the PBX still has). Returns them as stored after closing.
   */
  abstract closeLost(pbxId: string, live: string[], before: string): Promise<CallView[]>;
  /** The PBX's calls still open in the database, each with the process that wrote it last (null: written before writers were recorded). */
  openCalls(pbxId: string): Promise<OpenCall[]> {
    const { text, values } = openCallsStatement(pbxId);
    return this.dataSource.query(text, values);
  }
  /** The recordings started in the timelines of the PBX's open calls, one per file. */
  openCallRecordings(pbxId: string): Promise<StoredRecording[]> {
    const { text, values } = openCallRecordingsStatement(pbxId);
    return this.dataSource.query(text, values);
  }
  /**
   * Folds each `from` call into its `into` call: its timeline steps (but its own end) and
   * recordings move there and its row goes, so history, exports and statistics never show it.
   * A merge whose `into` row does not exist leaves `from` as it is.
   */
  abstract merge(merges: CallMerge[]): Promise<void>;
  /** Which of `linkedids` the PBX has calls for (their rows' first Linkedids). */
  async knownLinkedids(pbxId: string, linkedids: string[]): Promise<Set<string>> {
    if (linkedids.length === 0) return new Set();
    const rows: Array<{ linkedid: string }> = await this.dataSource.query(`SELECT linkedid FROM call_keys WHERE pbx_id = $1 AND linkedid = ANY($2::text[])`, [pbxId, linkedids]);
    return new Set(rows.map((r) => r.linkedid));
  }
  /** The latest event time written for the PBX (ms), or null for none. */
  async lastEventAt(pbxId: string): Promise<number | null> {
    const [row] = await this.dataSource.query<Array<{ at: Date | null }>>(`SELECT max(last_event_at) AS at FROM calls WHERE pbx_id = $1 AND last_event_at > '-infinity'`, [pbxId]);
    return row?.at ? row.at.getTime() : null;
  }
  /** The PBX's calls whose end was not observed (at most `limit`), to complete from Asterisk's CDR. */
  async unobservedCalls(pbxId: string, limit: number): Promise<UnobservedCall[]> {
    const { text, values } = unobservedCallsStatement(pbxId, limit);
    const rows: Array<Omit<UnobservedCall, 'endedAt'> & { endedAt: Date }> = await this.dataSource.query(text, values);
    return rows.map((r) => ({ ...r, endedAt: r.endedAt.getTime() }));
  }
  /** Completes them from the CDR; returns them as stored after. */
  abstract completeFromCdr(items: CdrCompletion[]): Promise<CallView[]>;
}
