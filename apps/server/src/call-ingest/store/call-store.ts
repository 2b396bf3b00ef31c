import type { CallView } from '@app/contracts';
import type { CallTableRow } from '../../calls';
import type { CdrCompletion, UnobservedCall } from '../cdr/cdr-completion';
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
 * write changed nothing (a replay, a stale step) are absent from the result.
 */
export abstract class CallStore {
  /** True when nothing is really written (TEST_MODE). */
  abstract readonly dryRun: boolean;
  abstract write(calls: CollapsedCall[]): Promise<StoredCall[]>;

  /** The database's clock (ISO-8601), to mark "before this point" across processes and hosts. */
  abstract databaseTime(): Promise<string>;

  /**
   * Ends the PBX's calls that are still open in the database, were last written before
   * `before` (a {@link databaseTime}), and are not among `live` (first Linkedids of the calls
   * the PBX still has). Returns them as stored after closing.
   */
  abstract closeLost(pbxId: string, live: string[], before: string): Promise<CallView[]>;
  /** The PBX's calls still open in the database, each with the process that wrote it last (null: written before writers were recorded). */
  abstract openCalls(pbxId: string): Promise<OpenCall[]>;
  /**
   * Folds each `from` call into its `into` call: its timeline steps (but its own end) and
   * recordings move there and its row goes, so history, exports and statistics never show it.
   * A merge whose `into` row does not exist leaves `from` as it is.
   */
  abstract merge(merges: CallMerge[]): Promise<void>;
  /** The PBX's calls whose end was not observed (at most `limit`), to complete from Asterisk's CDR. */
  abstract unobservedCalls(pbxId: string, limit: number): Promise<UnobservedCall[]>;
  /** Completes them from the CDR; returns them as stored after. */
  abstract completeFromCdr(items: CdrCompletion[]): Promise<CallView[]>;
}
