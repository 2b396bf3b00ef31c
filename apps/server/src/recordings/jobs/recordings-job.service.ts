import { rm } from 'node:fs/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RecordingStorageKind } from '@app/contracts';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AdvisoryLocks, pgClientConfig } from '../../database';
import { callRecordingUrl } from '../files/recording-url';
import { RecordingReadinessService } from '../readiness/recording-readiness.service';
import { contentTypeOf } from '../streaming/recording-media';
import { RecordingStores } from '../storage/recording-stores';
import { OpusCompressor } from './opus-compressor';
import { RecordingsMetrics } from './recordings-metrics';

/** Namespace of the advisory lock that elects the one process running the job. */
export const RECORDINGS_JOB_LOCK = 'crm-recordings-job';
const INTERVAL_MS = 60_000;
/** A run after a recording became ready, a little later so a burst of hang-ups makes one run. */
const WAKE_DELAY_MS = 1000;
const BATCH = 20;
const RETENTION_BATCH = 200;
/** Compression attempts per file before it is kept as it is (and uploaded uncompressed). */
export const MAX_COMPRESSION_FAILURES = 3;

interface JobRow {
  id: number;
  call_id: number;
  storage: RecordingStorageKind;
  storage_key: string;
  format: string | null;
  size_bytes: string | null;
  duration_seconds: string | null;
}

export interface RecordingsJobRun {
  deleted: number;
  compressed: number;
  uploaded: number;
  failed: number;
}

/**
 * The recordings' background work, in one elected process (advisory lock): retention deletes
 * files older than RECORDINGS_RETENTION_DAYS (rows stay, marked `deleted`; `keep` exempts),
 * compression turns finished WAVs into Opus (original removed only after the result is
 * verified), and with RECORDINGS_S3_BUCKET each finished file moves to object storage (removed
 * locally once the object's size is confirmed). Runs every minute and soon after a file is ready;
 * every step is logged and counted (RecordingsMetrics).
 */
@Injectable()
export class RecordingsJobService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RecordingsJob');
  private readonly lock: AdvisoryLocks;
  private timer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private running: Promise<RecordingsJobRun> | null = null;
  private leader = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly stores: RecordingStores,
    private readonly compressor: OpusCompressor,
    private readonly metrics: RecordingsMetrics,
    readiness: RecordingReadinessService,
  ) {
    readiness.onSettled(() => this.wake());
    this.lock = new AdvisoryLocks(pgClientConfig(dataSource, RECORDINGS_JOB_LOCK), RECORDINGS_JOB_LOCK);
    this.lock.onLost(() => {
      if (this.leader) this.logger.warn('lost the recordings job lock; another process may take over');
      this.leader = false;
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // TEST_MODE writes nothing; its recordings are not even linked.
    if (this.config.TEST_MODE) return;
    if (this.config.RECORDINGS_COMPRESSION !== 'off' && !(await this.compressor.isAvailable())) {
      this.logger.warn('RECORDINGS_COMPRESSION is on but ffmpeg/ffprobe are not installed (apt-get install ffmpeg): recordings stay uncompressed');
    }
    this.timer = setInterval(() => void this.tick(), INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await this.running?.catch(() => undefined);
    await this.lock.close();
  }

  /** A file became ready: run soon (only the elected process does). */
  wake(): void {
    if (this.stopped || this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      void this.tick();
    }, WAKE_DELAY_MS);
    this.wakeTimer.unref();
  }

  /** One pass over every step, when this process is (or becomes) the elected one. */
  async tick(): Promise<RecordingsJobRun | null> {
    if (this.stopped) return null;
    try {
      this.leader = await this.lock.tryAcquire('maintenance');
    } catch (error) {
      this.logger.warn(`cannot take the recordings job lock: ${(error as Error).message}`);
      this.leader = false;
    }
    return this.leader ? this.runOnce() : null;
  }

  /** One pass (runs never overlap). Public for tests and the benchmark. */
  runOnce(): Promise<RecordingsJobRun> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<RecordingsJobRun> {
    const run: RecordingsJobRun = { deleted: 0, compressed: 0, uploaded: 0, failed: 0 };
    try {
      await this.retention(run);
      await this.compression(run);
      await this.upload(run);
    } catch (error) {
      this.logger.warn(`recordings job stopped early: ${(error as Error).message}`);
    }
    if (run.deleted + run.compressed + run.uploaded + run.failed > 0) this.logger.log({ msg: 'recordings job', ...run });
    return run;
  }

  private async retention(run: RecordingsJobRun): Promise<void> {
    const days = this.config.RECORDINGS_RETENTION_DAYS;
    if (days <= 0) return;
    const rows = await this.dataSource.query<JobRow[]>(
      `SELECT id, call_id, storage, storage_key, format, size_bytes, duration_seconds FROM recordings
       WHERE status IN ('ready', 'empty') AND NOT keep AND storage_key IS NOT NULL AND started_at < now() - make_interval(days => $1)
       ORDER BY started_at LIMIT ${RETENTION_BATCH}`,
      [days],
    );
    for (const row of rows) {
      try {
        await this.stores.of(row.storage)?.remove(row.storage_key);
        await this.dataSource.query(`UPDATE recordings SET status = 'deleted', deleted_at = now(), updated_at = now() WHERE id = $1 AND NOT keep`, [row.id]);
        run.deleted += 1;
        this.metrics.deleted.inc();
        this.logger.log({ msg: 'recording deleted by retention', recordingId: row.id, callId: row.call_id, days });
      } catch (error) {
        this.fail(run, 'retention', row, error);
      }
    }
  }

  private async compression(run: RecordingsJobRun): Promise<void> {
    if (this.config.RECORDINGS_COMPRESSION === 'off' || !(await this.compressor.isAvailable())) return;
    const rows = await this.dataSource.query<JobRow[]>(
      `SELECT id, call_id, storage, storage_key, format, size_bytes, duration_seconds FROM recordings
       WHERE status = 'ready' AND storage = 'local' AND format = 'wav' AND compressed_at IS NULL AND job_failures < ${MAX_COMPRESSION_FAILURES}
         AND ready_at <= now() - make_interval(secs => $1)
       ORDER BY ready_at LIMIT ${BATCH}`,
      [this.config.recordingsCompressAfterMs / 1000],
    );
    for (const row of rows) {
      if (this.stopped) return;
      try {
        await this.compress(row);
        run.compressed += 1;
      } catch (error) {
        await this.dataSource.query(
          `UPDATE recordings SET job_failures = job_failures + 1, status_reason = left($2, 255), updated_at = now() WHERE id = $1`,
          [row.id, `compression failed: ${(error as Error).message}`],
        );
        this.fail(run, 'compress', row, error);
      }
    }
  }

  private async compress(row: JobRow): Promise<void> {
    const local = this.stores.local;
    const file = await local.locate(row.storage_key);
    if (!file) throw new Error(`the file ${row.storage_key} is gone`);
    const key = `${row.storage_key.replace(/\.[^./]*$/, '')}.${this.compressor.format}`;
    const originalSeconds = Number(row.duration_seconds ?? 0);
    const result = await this.compressor.compress(file.path, local.pathOf(key), originalSeconds);
    const [changed] = await this.dataSource.query<Array<{ id: number }>>(
      `WITH r AS (
         UPDATE recordings SET storage_key = $2, format = $3, size_bytes = $4, file_modified_at = $5, original_format = format,
           original_size_bytes = size_bytes, compressed_at = now(), status_reason = NULL, updated_at = now()
         WHERE id = $1 AND storage_key = $6 AND status = 'ready' RETURNING id, call_id
       ), c AS (
         UPDATE calls SET recording_url = $7 FROM r WHERE calls.id = r.call_id AND calls.recording_url = $8
       )
       SELECT id FROM r`,
      [row.id, key, this.compressor.format, result.size, result.modifiedAt, row.storage_key, callRecordingUrl(this.config.RECORDINGS_URL_BASE, row.id, key), callRecordingUrl(this.config.RECORDINGS_URL_BASE, row.id, row.storage_key)],
    );
    // The row moved on meanwhile (retention, another key): the new file is nobody's.
    if (!changed) return void (await local.remove(key));
    await rm(file.path, { force: true });
    const before = Number(row.size_bytes ?? file.stats.size);
    this.metrics.compressed.inc();
    this.metrics.compressedBytesSaved.inc(Math.max(0, before - result.size));
    this.logger.log({ msg: 'recording compressed', recordingId: row.id, from: row.storage_key, to: key, bytesBefore: before, bytesAfter: result.size, seconds: originalSeconds });
  }

  private async upload(run: RecordingsJobRun): Promise<void> {
    const s3 = this.stores.s3;
    if (!s3) return;
    const compressing = this.config.RECORDINGS_COMPRESSION !== 'off' && (await this.compressor.isAvailable());
    const rows = await this.dataSource.query<JobRow[]>(
      `SELECT id, call_id, storage, storage_key, format, size_bytes, duration_seconds FROM recordings
       WHERE status IN ('ready', 'empty') AND storage = 'local' AND storage_key IS NOT NULL
         AND (NOT $1 OR status = 'empty' OR format IS DISTINCT FROM 'wav' OR compressed_at IS NOT NULL OR job_failures >= ${MAX_COMPRESSION_FAILURES})
       ORDER BY ready_at LIMIT ${BATCH}`,
      [compressing],
    );
    for (const row of rows) {
      if (this.stopped) return;
      try {
        const file = await this.stores.local.locate(row.storage_key);
        if (!file) throw new Error(`the file ${row.storage_key} is gone`);
        await s3.upload(row.storage_key, file.path, file.stats.size, contentTypeOf(row.format));
        const stored = await s3.stat(row.storage_key);
        if (stored?.size !== file.stats.size) throw new Error(`the object holds ${stored?.size ?? 'no'} bytes, the file ${file.stats.size}`);
        const [moved] = await this.dataSource.query<Array<{ id: number }>>(
          `UPDATE recordings SET storage = 's3', file_modified_at = $3, updated_at = now() WHERE id = $1 AND storage = 'local' AND storage_key = $2 RETURNING id`,
          [row.id, row.storage_key, stored.modifiedAt],
        );
        if (moved) await rm(file.path, { force: true });
        run.uploaded += 1;
        this.metrics.uploaded.inc();
        this.logger.log({ msg: 'recording moved to object storage', recordingId: row.id, key: row.storage_key, bytes: file.stats.size, location: s3.location });
      } catch (error) {
        this.fail(run, 'upload', row, error);
      }
    }
  }

  private fail(run: RecordingsJobRun, step: string, row: JobRow, error: unknown): void {
    run.failed += 1;
    this.metrics.failures.inc({ step });
    this.logger.warn({ msg: `recording ${step} failed`, recordingId: row.id, key: row.storage_key, error: (error as Error).message });
  }
}
