import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { MetricsRegistry } from '../../metrics';

/**
 * Counters of the recordings' background work, in a prom-client registry of their own that
 * `/metrics` serves with the rest (MetricsRegistry.include). The same events are logged.
 */
@Injectable()
export class RecordingsMetrics {
  readonly registry = new Registry();

  constructor(metrics: MetricsRegistry) {
    metrics.include(this.registry);
  }

  /** Files found (ready, empty) or given up on (missing, rejected). */
  readonly settled = new Counter({ name: 'crm_recordings_settled_total', help: 'Recordings whose file was found or given up on, by outcome', labelNames: ['status'], registers: [this.registry] });
  readonly awaiting = new Gauge({ name: 'crm_recordings_awaiting_files', help: 'Recording files this process is waiting for', registers: [this.registry] });
  readonly compressed = new Counter({ name: 'crm_recordings_compressed_total', help: 'Recordings compressed and verified', registers: [this.registry] });
  readonly compressedBytesSaved = new Counter({ name: 'crm_recordings_compression_saved_bytes_total', help: 'Bytes saved by compression', registers: [this.registry] });
  readonly uploaded = new Counter({ name: 'crm_recordings_uploaded_total', help: 'Recordings moved to object storage', registers: [this.registry] });
  readonly deleted = new Counter({ name: 'crm_recordings_retention_deleted_total', help: 'Recording files deleted by retention', registers: [this.registry] });
  readonly failures = new Counter({ name: 'crm_recordings_job_failures_total', help: 'Failed compressions, uploads and deletions', labelNames: ['step'], registers: [this.registry] });
  readonly streamed = new Counter({ name: 'crm_recordings_streamed_total', help: 'Recording responses sent, by kind', labelNames: ['kind'], registers: [this.registry] });
}
