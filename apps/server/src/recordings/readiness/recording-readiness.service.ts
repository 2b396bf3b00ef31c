import { readdir } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { RecordingStatus } from '@app/contracts';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AudioProbe, type AudioFacts } from '../files/audio-probe';
import { recordingKey } from '../files/recording-key';
import { callRecordingUrl } from '../files/recording-url';
import { RecordingsMetrics } from '../jobs/recordings-metrics';
import { UnsafeRecordingPathError } from '../recordings.errors';
import { LocalRecordingFiles } from '../storage/local-recording-files';
import { FileArrivalWatcher } from './file-arrival-watcher';

/** A recording whose file is awaited: the call stopped recording it (or ended). */
export interface AwaitedRecording {
  id: number;
  callId: number;
  pbxId: string;
  fileName: string;
  path: string | null;
  /** When the recording stopped (or its call ended), epoch ms: the deadline counts from here. */
  stoppedAt: number;
}

/** A file of another format than WAV counts as written once unchanged for this long. */
const QUIET_MS = 1000;
/** How often the database is asked for recordings nobody here awaits (a previous run's, a lost call's). */
const SWEEP_MS = 60_000;
const SWEEP_BATCH = 1000;

interface Outcome {
  status: Extract<RecordingStatus, 'ready' | 'empty' | 'missing' | 'rejected'>;
  reason: string | null;
  key: string | null;
  size: number | null;
  facts: AudioFacts | null;
  modifiedAt: Date | null;
}

/**
 * Turns a stopped recording into a file: waits (with a deadline, RECORDINGS_READY_TIMEOUT) for
 * it to appear under RECORDINGS_PATH and be complete, then stores its size, duration and format
 * (`ready`, or `empty` for a header-only WAV), or marks it `missing` or `rejected` (unsafe name).
 * Monitor's `m` option mixes the legs into the final file only after hang-up, so that file
 * arrives seconds after the stop. Runs where the recordings are linked; a sweep at start and
 * every minute takes over recordings no process is waiting for.
 */
@Injectable()
export class RecordingReadinessService implements OnApplicationShutdown {
  private readonly logger = new Logger('Recordings');
  private readonly watcher = new FileArrivalWatcher((error, path) => this.logger.warn(`checking recording ${path} failed: ${error.message}`));
  private readonly awaited = new Set<number>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly settledListeners: Array<(id: number, status: RecordingStatus) => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly files: LocalRecordingFiles,
    private readonly probe: AudioProbe,
    private readonly metrics: RecordingsMetrics,
  ) {}

  /** Sweeps now and every minute (after the linker's start-up catch-up); TEST_MODE writes nothing, so never. */
  start(): void {
    if (this.config.TEST_MODE || this.sweepTimer) return;
    void this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.watcher.close();
    this.awaited.clear();
  }

  /** Called with each recording settled here (ready, empty, missing, rejected). */
  onSettled(listener: (id: number, status: RecordingStatus) => void): void {
    this.settledListeners.push(listener);
  }

  /** Number of files awaited now. */
  get awaiting(): number {
    return this.awaited.size;
  }

  /** Starts waiting for the files of these stopped recordings (each once per process). */
  track(recordings: AwaitedRecording[]): void {
    if (this.stopped) return;
    for (const recording of recordings) {
      if (this.awaited.has(recording.id)) continue;
      const place = { monitorDir: this.config.monitorDirOf(recording.pbxId), folder: this.config.recordingsFolderOf(recording.pbxId) };
      const key = recordingKey(recording.fileName, recording.path, place);
      if ('refused' in key) {
        void this.settle(recording, { status: 'rejected', reason: key.refused, key: null, size: null, facts: null, modifiedAt: null });
        continue;
      }
      this.awaited.add(recording.id);
      this.metrics.awaiting.set(this.awaited.size);
      let previous: { size: number; mtime: number } | null = null;
      this.watcher.await(
        this.files.pathOf(key.key),
        recording.stoppedAt + this.config.recordingsReadyTimeoutMs,
        async () => {
          const outcome = await this.inspect(key.key, false, previous);
          if ('wait' in outcome) {
            previous = outcome.wait;
            return 'wait';
          }
          await this.settle(recording, outcome);
          return 'done';
        },
        async () => {
          const outcome = await this.inspect(key.key, true, previous);
          await this.settle(recording, 'wait' in outcome ? await this.missing(key.key) : outcome);
        },
      );
    }
  }

  /** Awaits every pending recording that stopped (or whose call ended) and nobody here awaits yet. */
  async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      const rows = await this.dataSource.query<Array<{ id: number; call_id: number; pbx_id: string; file_name: string; path: string | null; stopped_at: Date }>>(
        `SELECT r.id, r.call_id, c.pbx_id, r.file_name, r.path, COALESCE(r.stopped_at, c.ended_at) AS stopped_at
         FROM recordings r JOIN calls c ON c.id = r.call_id
         WHERE r.status = 'pending' AND (r.stopped_at IS NOT NULL OR c.ended_at IS NOT NULL) AND NOT r.id = ANY($1::integer[])
         ORDER BY r.id LIMIT ${SWEEP_BATCH}`,
        [[...this.awaited]],
      );
      this.track(rows.map((r) => ({ id: r.id, callId: r.call_id, pbxId: r.pbx_id, fileName: r.file_name, path: r.path, stoppedAt: r.stopped_at.getTime() })));
    } catch (error) {
      this.logger.warn(`could not look for recordings awaiting their files: ${(error as Error).message}`);
    }
  }

  /** What the file at `key` is now: settled, or still to wait for (with what was seen). */
  private async inspect(key: string, final: boolean, previous: { size: number; mtime: number } | null): Promise<Outcome | { wait: { size: number; mtime: number } | null }> {
    let file;
    try {
      file = await this.files.locate(key);
    } catch (error) {
      if (error instanceof UnsafeRecordingPathError) return { status: 'rejected', reason: error.message, key: null, size: null, facts: null, modifiedAt: null };
      throw error;
    }
    if (!file) return { wait: null };
    const seen = { size: file.stats.size, mtime: file.stats.mtimeMs };
    const facts = await this.probe.read(file.path, file.stats.size);
    if (!final) {
      if (facts.complete === false) return { wait: seen };
      // No header tells when other formats are done: unchanged since the last look, and quiet for a while.
      const quiet = previous !== null && previous.size === seen.size && previous.mtime === seen.mtime && Date.now() - seen.mtime >= QUIET_MS;
      if (facts.complete === null && !quiet) return { wait: seen };
    }
    return {
      status: facts.empty ? 'empty' : 'ready',
      reason: facts.complete === false ? 'the WAV header was never finished: measured from the file size' : null,
      key,
      size: file.stats.size,
      facts,
      modifiedAt: file.stats.mtime,
    };
  }

  /** Missing, saying what was found instead when Monitor left its two legs unmixed. */
  private async missing(key: string): Promise<Outcome> {
    const path = this.files.pathOf(key);
    const base = basename(path, extname(path));
    const names = await readdir(dirname(path)).catch(() => [] as string[]);
    const legs = names.filter((n) => n.startsWith(`${base}-in.`) || n.startsWith(`${base}-out.`));
    const reason = legs.length
      ? `only the unmixed legs ${legs.sort().join(', ')} exist (Monitor without the m option, or its mixing failed)`
      : `no file appeared at ${key} within ${this.config.RECORDINGS_READY_TIMEOUT} of the recording's stop`;
    return { status: 'missing', reason, key, size: null, facts: null, modifiedAt: null };
  }

  /** Stores the outcome; a failure is logged and the row stays pending for the next sweep. */
  private async settle(recording: AwaitedRecording, outcome: Outcome): Promise<void> {
    this.awaited.delete(recording.id);
    this.metrics.awaiting.set(this.awaited.size);
    try {
      await this.store(recording, outcome);
    } catch (error) {
      this.logger.warn(`could not store recording ${recording.id} as ${outcome.status}: ${(error as Error).message}`);
    }
  }

  private async store(recording: AwaitedRecording, outcome: Outcome): Promise<void> {
    const url = outcome.status === 'ready' && outcome.key ? callRecordingUrl(this.config.RECORDINGS_URL_BASE, recording.id, outcome.key) : null;
    const [changed] = await this.dataSource.query<Array<{ id: number }>>(
      `WITH r AS (
         UPDATE recordings SET status = $2::text, status_reason = $3, storage_key = $4, size_bytes = $5, duration_seconds = $6, format = $7,
           file_modified_at = $8, ready_at = CASE WHEN $2::text IN ('ready', 'empty') THEN now() END, updated_at = now()
         WHERE id = $1 AND status = 'pending'
         RETURNING id, call_id
       ), c AS (
         UPDATE calls SET recording_url = $9::text FROM r WHERE calls.id = r.call_id AND $9::text IS NOT NULL AND calls.recording_url IS NULL
       )
       SELECT id FROM r`,
      [
        recording.id,
        outcome.status,
        outcome.reason?.slice(0, 255) ?? null,
        outcome.key,
        outcome.size,
        outcome.facts?.durationSeconds ?? null,
        outcome.facts?.format ?? null,
        outcome.modifiedAt,
        url,
      ],
    );
    if (!changed) return;
    this.metrics.settled.inc({ status: outcome.status });
    const message = { msg: `recording ${outcome.status}`, recordingId: recording.id, callId: recording.callId, file: recording.fileName, reason: outcome.reason ?? undefined };
    if (outcome.status === 'ready' || outcome.status === 'empty') this.logger.log({ ...message, bytes: outcome.size, seconds: outcome.facts?.durationSeconds, format: outcome.facts?.format });
    else this.logger.warn(message);
    for (const listener of this.settledListeners) listener(recording.id, outcome.status);
  }
}
