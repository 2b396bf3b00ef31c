import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CALL_EVENT_NAMES, type CallEventMessage } from '@app/contracts';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { CallEventBus, type Unsubscribe } from '../call-events';
import { isTransientDbError, KeyedWriteQueue, queryPrepared, type KeyedWriteQueueStats } from '../database';
import { RecordingReadinessService } from './readiness/recording-readiness.service';
import { linkMissingRecordingsStatement, upsertRecordingLinksStatement, type RecordingLink, type StoppedRecordingRow } from './recording-link-sql';

/** How far back the start-up catch-up looks for recordings left unlinked by a stop. */
const CATCH_UP_HOURS = 48;

/**
 * Links every recording the PBX reports to its call: a `recordings` row per file, written from
 * the stored `recording.started`/`recording.stopped` steps of calls. Runs where the ingest runs
 * (it listens to this process's own publications, so Redis being down loses nothing) and
 * catches up at start with what a previous process committed but did not link. Each stopped
 * recording is handed to readiness, which waits for its file.
 */
@Injectable()
export class RecordingLinkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Recordings');
  private readonly queue: KeyedWriteQueue<RecordingLink>;
  private unsubscribe: Unsubscribe | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: CallEventBus,
    private readonly readiness: RecordingReadinessService,
    private readonly config: AppConfig,
  ) {
    this.queue = new KeyedWriteQueue<RecordingLink>({
      keyOf: (link) => `${link.callId}\u0000${link.fileName}`,
      // Gathered, and longer than the calls' writes whose steps they follow: a statement per
      // event-loop turn cost the database more than the links themselves.
      gatherMs: config.RECORDING_LINK_GATHER_MS,
      flush: async (links) => {
        const { text, values } = upsertRecordingLinksStatement(links);
        const stopped = await queryPrepared<StoppedRecordingRow>(this.dataSource, 'crm-recording-links', { text, values });
        this.readiness.track(
          stopped.map((r) => ({ id: r.id, callId: r.call_id, pbxId: r.pbx_id, fileName: r.file_name, path: r.path, stoppedAt: r.stopped_at.getTime() })),
        );
      },
      isTransient: isTransientDbError,
      onFlushError: (error, size, transient) => this.logger.warn(`linking ${size} recording(s) failed${transient ? ', retrying' : ''}: ${(error as Error).message}`),
      onDropped: (links, error) => this.logger.error({ msg: 'recording links dropped', error: (error as Error).message, files: links.map((l) => l.fileName) }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.bus.subscribeLocal((message) => this.take(message));
    const { text, values } = linkMissingRecordingsStatement(CATCH_UP_HOURS);
    const linked = await this.dataSource.query(text, values).then(
      (result: unknown) => (Array.isArray(result) ? Number(result[1] ?? 0) : 0),
      (error: Error) => {
        this.logger.warn(`could not link recordings left over by a previous run: ${error.message}`);
        return 0;
      },
    );
    if (linked > 0) this.logger.log(`linked ${linked} recording(s) a previous run had not linked`);
    this.readiness.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    // Bounded like the ingest's own drain: with the database already gone, retrying for ever kept
    // the process from exiting. What is left is linked by the next start's catch-up, from the
    // stored recording steps.
    const left = await this.queue.close(this.config.ingestShutdownDrainMs);
    if (left.length > 0) {
      this.logger.warn({
        msg: `shutdown: ${left.length} recording link(s) could not be written within INGEST_SHUTDOWN_DRAIN; the next start links them from the stored steps`,
        files: left.map((l) => l.fileName),
      });
    }
  }

  /** The link queue's counters (statements written: `batches`). */
  get stats(): KeyedWriteQueueStats {
    return this.queue.stats;
  }

  /** Resolves once every link taken so far is written. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  private take(message: CallEventMessage): void {
    if (message.name !== CALL_EVENT_NAMES.recording_started && message.name !== CALL_EVENT_NAMES.recording_stopped) return;
    const { payload } = message;
    const started = message.name === CALL_EVENT_NAMES.recording_started;
    const link = { fileName: payload.file, path: payload.path, source: payload.source, startedAt: payload.at, stoppedAt: started ? null : payload.at };
    if (payload.dryRun) {
      // TEST_MODE: the call has no row to link to, and nothing may be written.
      this.logger.log({ msg: 'TEST_MODE: write skipped', testMode: true, table: 'recordings', op: 'upsert', pbxId: payload.call.pbxId, linkedid: payload.call.linkedid, values: link });
      return;
    }
    this.queue.push({ callId: Number(payload.call.id), ...link });
  }
}
