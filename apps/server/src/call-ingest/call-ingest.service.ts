import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { CallRecord, CallTrackerEvent, StoredRecording } from '@app/ami';
import { CALL_EVENT_NAMES, type CallEventMessage } from '@app/contracts';
import { CallEventBus } from '../call-events';
import { toCallView } from '../calls';
import { AppConfig } from '../config/app-config';
import { CallDirectoryService } from './directory/call-directory.service';
import { lostEndMessage } from './lost-end-message';
import { collapseBatch, type CollapsedCall } from './store/call-batch-sql';
import { CallStore, type CallMerge, type OpenCall, type StoredCall } from './store/call-store';
import { callKey, type CallWrite } from './store/call-write';
import { buildCallRow, buildCallWrite } from './store/call-write-builder';
import type { CallIdentity } from './cdr/cdr-completion';
import { isTransientDbError, KeyedWriteQueue, type KeyedWriteQueueStats } from '../database';

/** One attempt to write a batch of call events. */
export interface WriteAttempt {
  seconds: number;
  events: number;
  ok: boolean;
}

/** Parallel write lanes: calls hash to a lane, so one call's steps stay in order. */
const WRITE_LANES = 1;
/** Most call events per statement (a backlog, after the database was away, goes in batches this large). */
const MAX_BATCH = 2000;

/**
 * The calls side of the pipeline: every tracker event becomes a write (call row and
 * timeline step) the moment it arrives; writes are batched per lane into single
 * idempotent statements; each step the database really stored is then published on
 * the call-event bus, carrying the call as stored.
 *
 * Rows are built synchronously on arrival, so they capture the call as it was at
 * that event even if the tracker goes on mutating its record.
 *
 * The queue is bounded (INGEST_MAX_QUEUED_EVENTS): when that many events wait (the database
 * is down or slower than the PBXs) the AMI ingest stops reading the PBXs' sockets until half
 * have been written; this is logged and shown by `stats`. On shutdown the queue gets
 * INGEST_SHUTDOWN_DRAIN to reach the database; what is left is logged, call by call, as not
 * written (the next ingest rebuilds the live ones from the PBX's listing).
 */
@Injectable()
export class CallIngestService implements OnApplicationShutdown {
  private readonly logger = new Logger(CallIngestService.name);
  private readonly queue: KeyedWriteQueue<CallWrite>;
  /** Next step index per live tracker call; the write guard orders steps by (time, index). */
  private readonly nextSeq = new Map<string, number>();
  private full = false;
  private readonly pressureListeners: Array<(full: boolean) => void> = [];
  private readonly writeListeners: Array<(write: WriteAttempt) => void> = [];
  /**
   * This process as `calls.writer`: a row another writer inserted is a call this process
   * rebuilt from the PBX's listing, merged into what is stored rather than replacing it.
   */
  readonly writerId = randomUUID();

  constructor(
    private readonly store: CallStore,
    private readonly directory: CallDirectoryService,
    private readonly bus: CallEventBus,
    private readonly config: AppConfig,
  ) {
    this.queue = new KeyedWriteQueue<CallWrite>({
      keyOf: (w) => w.key,
      lanes: WRITE_LANES,
      maxBatch: MAX_BATCH,
      gatherItems: config.INGEST_WRITE_GATHER_EVENTS,
      gatherMs: config.INGEST_WRITE_GATHER_MS,
      flush: (batch) => this.timedFlush(batch),
      isTransient: isTransientDbError,
      onFlushError: (error, size, transient) =>
        this.logger.warn(`writing ${size} call events failed${transient ? ', retrying' : ''}: ${(error as Error).message}`),
      highWater: config.INGEST_MAX_QUEUED_EVENTS,
      onPressure: (full) => this.pressure(full),
      onDropped: (writes, error) =>
        this.logger.error({
          msg: 'call events dropped: the database refused them',
          error: (error as Error).message,
          calls: [...new Set(writes.map((w) => `${w.row.pbx_id}/${w.row.linkedid}`))],
          events: writes.length,
        }),
    });
  }

  /** Takes one tracker event; never throws (a bad event is logged, the stream goes on). */
  handle(event: CallTrackerEvent): void {
    try {
      const tracked = `${event.call.pbx}\u0000${event.call.callId}`;
      const seq = this.nextSeq.get(tracked) ?? 0;
      if (event.type === 'ended') this.nextSeq.delete(tracked);
      else this.nextSeq.set(tracked, seq + 1);
      this.queue.push(buildCallWrite(event, seq, this.directory, { writer: this.writerId }));
    } catch (error) {
      this.logger.error({ msg: 'call event not ingested', error: (error as Error).message, type: event?.type, linkedid: event?.call?.linkedid });
    }
  }

  /**
   * Takes a call known only from Asterisk's CDR (it started and ended while no ingest listened)
   * like a tracker's ended call, its end marked `cdr`.
   */
  handleFromCdr(call: CallRecord): void {
    const write = buildCallWrite({ type: 'ended', at: call.endedAt ?? call.startedAt, call }, 0, this.directory, { writer: this.writerId });
    write.row.end_source = 'cdr';
    this.queue.push(write);
  }

  /** Who called whom in a call the CDR describes, as its row would say it (the directory names the company). */
  identityFromCdr(call: CallRecord): CallIdentity {
    const row = buildCallRow(call, call.endedAt ?? call.startedAt, 0, this.directory, { writer: this.writerId });
    const { direction, caller_number, caller_name, receiver_number, did, external_number, caller_company_id, started_at } = row;
    return { direction, caller_number, caller_name, receiver_number, did, external_number, caller_company_id, started_at };
  }

  /** The latest event time written for the PBX (ms), or null for none. */
  lastEventAt(pbxId: string): Promise<number | null> {
    return this.store.lastEventAt(pbxId);
  }

  /** Which of `linkedids` the PBX has calls for. */
  knownLinkedids(pbxId: string, linkedids: string[]): Promise<Set<string>> {
    return this.store.knownLinkedids(pbxId, linkedids);
  }

  /** Resolves once everything handled so far is written (or given up on). */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** Marks the moment a PBX's channel listing is asked for, on the database's clock. */
  lostCallsMark(): Promise<string> {
    return this.store.databaseTime();
  }

  /**
   * After a PBX's channel listing: ends the calls the database still has open for it that the
   * PBX no longer has (they ended while no ingest was listening, e.g. across a restart).
   * `live` are the first Linkedids of the calls the tracker holds; `mark` is the
   * {@link lostCallsMark} taken before the listing was asked for, so calls written since are
   * never touched. Runs after every write handled so far: a call's own end is never overtaken.
   */
  async closeLost(pbxId: string, live: string[], mark: string): Promise<number> {
    await this.queue.drain();
    const closed = await this.store.closeLost(pbxId, live, mark);
    for (const call of closed) this.publish(lostEndMessage(call, call.endedAt ?? mark, this.store.dryRun));
    if (closed.length > 0) this.logger.warn(`${pbxId}: ended ${closed.length} call(s) the PBX no longer has (they ended while nobody listened)`);
    return closed.length;
  }

  /** The PBX's calls still open in the database and who wrote them last. */
  openCalls(pbxId: string): Promise<OpenCall[]> {
    return this.store.openCalls(pbxId);
  }

  /** The recordings the timelines of the PBX's open calls have started: what a rebuilt call cannot learn again. */
  openCallRecordings(pbxId: string): Promise<StoredRecording[]> {
    return this.store.openCallRecordings(pbxId);
  }

  get stats(): KeyedWriteQueueStats {
    return this.queue.stats;
  }

  /** True while the write queue is at its bound: event sources should stop reading. */
  get isFull(): boolean {
    return this.full;
  }

  /** Told when the queue reaches its bound (true) and when it has room again (false). */
  onPressure(listener: (full: boolean) => void): void {
    this.pressureListeners.push(listener);
  }

  /** Told about every attempt to write a batch (failed ones included: they are retried or split). */
  onWrite(listener: (write: WriteAttempt) => void): void {
    this.writeListeners.push(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    const left = await this.queue.close(this.config.ingestShutdownDrainMs);
    await this.store.close();
    if (left.length === 0) return;
    const calls = collapseBatch(left).map((c) => ({ pbxId: c.row.pbx_id, linkedid: c.row.linkedid, status: c.row.status, events: c.writes.length }));
    this.logger.error({
      msg: `shutdown: ${left.length} call events of ${calls.length} calls could not be written within INGEST_SHUTDOWN_DRAIN (the database is unreachable)`,
      calls,
    });
  }

  private pressure(full: boolean): void {
    this.full = full;
    if (full) this.logger.warn(`${this.queue.pending} call events wait to be written (INGEST_MAX_QUEUED_EVENTS): the database is down or slower than the PBXs; the PBXs are not read until half are written`);
    else this.logger.log(`call event backlog down to ${this.queue.pending}: reading the PBXs again`);
    for (const listener of this.pressureListeners) listener(full);
  }

  private async timedFlush(batch: CallWrite[]): Promise<void> {
    const started = performance.now();
    let ok = false;
    try {
      await this.flush(batch);
      ok = true;
    } finally {
      const write = { seconds: (performance.now() - started) / 1000, events: batch.length, ok };
      for (const listener of this.writeListeners) listener(write);
    }
  }

  private async flush(batch: CallWrite[]): Promise<void> {
    const calls = collapseBatch(batch);
    const stored = new Map((await this.store.write(calls)).map((s) => [s.key, s]));
    const merges = calls.map(mergeOf).filter((m) => m !== null);
    await this.store.merge(merges);
    const mergedAway = new Set(merges.map((m) => callKey(m.pbxId, m.from)));
    for (const call of calls) {
      const result = stored.get(call.key);
      if (!result) continue;
      for (const write of call.writes) {
        if (!result.storedStepKeys.has(write.timeline.dedupeKey)) continue;
        // Its recordings now belong to the call it joined (which announces them itself).
        if (mergedAway.has(call.key) && write.timeline.type.startsWith('recording_')) continue;
        this.publish(storedStepMessage(write, result, this.store.dryRun));
      }
    }
  }

  private publish(message: CallEventMessage): void {
    try {
      this.bus.publish(message);
    } catch (error) {
      this.logger.error(`publishing ${message.name} failed: ${(error as Error).message}`);
    }
  }
}

/** The merge a batch's last write of a call asks for: the tracker joined it into another call. */
function mergeOf(call: CollapsedCall): CallMerge | null {
  const { event, row } = call.writes[call.writes.length - 1];
  const into = event.type === 'ended' && event.call.endReason === 'merged' ? event.call.mergedInto : null;
  if (!into) return null;
  // A callId is `<pbx>:<first Linkedid>`, and a row is keyed by that first Linkedid.
  return { pbxId: row.pbx_id, from: row.linkedid, into: into.slice(event.call.pbx.length + 1) };
}

/**
 * The bus message of a stored step: its call as it stood after the step (as merged, for a call
 * another process inserted), its `eventSeq` going on from the stored one, and the step's details.
 */
function storedStepMessage(write: CallWrite, stored: StoredCall, dryRun: boolean): CallEventMessage {
  const step = write.timeline;
  const call = toCallView({ ...(stored.merged ?? { ...write.row, recording_url: stored.recordingUrl }), id: stored.id, event_seq: write.row.event_seq + stored.seqBase });
  return { name: CALL_EVENT_NAMES[step.type], payload: { call, at: new Date(step.occurredAt).toISOString(), dryRun, ...step.data } } as CallEventMessage;
}
