import { Injectable } from '@nestjs/common';
import type { CallRecordingEntry, RecordingSource } from '@app/contracts';
import { DataSource } from 'typeorm';

interface RecordingDbRow {
  id: number;
  file_name: string;
  source: RecordingSource;
  size_bytes: string | null;
  duration_seconds: number | null;
  format: string | null;
  started_at: Date;
  stopped_at: Date | null;
}

/** Read side of the recordings: what other contexts show about a call's files. */
@Injectable()
export class RecordingsService {
  constructor(private readonly dataSource: DataSource) {}

  async forCall(callId: number): Promise<CallRecordingEntry[]> {
    const rows = await this.dataSource.query<RecordingDbRow[]>(
      `SELECT id, file_name, source, size_bytes, duration_seconds, format, started_at, stopped_at
       FROM recordings WHERE call_id = $1 ORDER BY started_at, id`,
      [callId],
    );
    return rows.map((r) => ({
      id: String(r.id),
      fileName: r.file_name,
      source: r.source,
      sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
      durationSeconds: r.duration_seconds,
      format: r.format,
      startedAt: r.started_at.toISOString(),
      stoppedAt: r.stopped_at ? r.stopped_at.toISOString() : null,
    }));
  }
}
