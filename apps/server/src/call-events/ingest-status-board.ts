/** One PBX as an ingest process sees it (the shape of AmiIngestService.status()). */
export interface IngestPbxStatus {
  pbxId: string;
  /** `ingesting` (this process holds the PBX's lock), `standby` (another does) or `stopped`. */
  state: string;
  /** The AMI connection's state (`ready` = logged in); null when this process has no connection (standby). */
  amiState: string | null;
  /** The write queue is full: the PBX's socket is not read meanwhile. */
  readingPaused: boolean;
  /** Calls in progress on the PBX, as the ingest follows them. */
  activeCalls: number;
}

/** What an ingest process reports about itself, every {@link INGEST_STATUS_INTERVAL_MS}. */
export interface IngestProcessStatus {
  /** The process (its `calls.writer` id). */
  process: string;
  /** When it was reported (ISO time). */
  at: string;
  pbxs: IngestPbxStatus[];
  writeQueue: { pending: number; capacity: number; full: boolean };
}

/** How often an ingest process reports its status. */
export const INGEST_STATUS_INTERVAL_MS = 1000;
/** A report this old is gone: its process stopped or cannot reach the board. */
export const INGEST_STATUS_TTL_MS = 5000;

/**
 * The ingest processes' heartbeat, read by processes that run no ingest (APP_ROLE=server) so that
 * their readiness can say whether anyone follows the PBXs. Each ingest process reports its status
 * every second; a report lives {@link INGEST_STATUS_TTL_MS}, so a process that died or lost the
 * board drops out by itself. Redis keys with a TTL when REDIS_URL is set, else a map in-process.
 */
export abstract class IngestStatusBoard {
  /** Records this process's status (replacing its previous one); never throws. */
  abstract report(status: IngestProcessStatus): void;

  /** Removes a process's status at once (its orderly shutdown). */
  abstract withdraw(process: string): Promise<void>;

  /** The status of every ingest process that reported within the TTL. */
  abstract current(): Promise<IngestProcessStatus[]>;
}

/** A report read back from the board, or null when it is not one. */
export function asIngestProcessStatus(value: unknown): IngestProcessStatus | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Partial<Record<keyof IngestProcessStatus, unknown>>;
  const queue = v.writeQueue as Partial<IngestProcessStatus['writeQueue']> | undefined;
  const ok =
    typeof v.process === 'string' &&
    typeof v.at === 'string' &&
    Array.isArray(v.pbxs) &&
    v.pbxs.every(isPbxStatus) &&
    typeof queue === 'object' &&
    queue !== null &&
    typeof queue.pending === 'number' &&
    typeof queue.capacity === 'number' &&
    typeof queue.full === 'boolean';
  return ok ? (value as IngestProcessStatus) : null;
}

function isPbxStatus(value: unknown): value is IngestPbxStatus {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof IngestPbxStatus, unknown>>;
  return typeof v.pbxId === 'string' && typeof v.state === 'string' && (v.amiState === null || typeof v.amiState === 'string') && typeof v.readingPaused === 'boolean' && typeof v.activeCalls === 'number';
}
