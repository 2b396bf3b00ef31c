import { Injectable } from '@nestjs/common';
import type { CallDirection, CallRecordingEntry, CallStatus, RecordingListItem, RecordingSource, RecordingStatus, RecordingStorageKind } from '@app/contracts';
import { DataSource } from 'typeorm';
import type { CallAccessSubject, CallListScope } from '../access';
import { NotFoundError } from '../common/errors/domain-error';
import { streamPath } from './files/recording-url';
import { InvalidRecordingCursorError } from './recordings.errors';
import { parseRecordId } from '../common/input/record-id';
import { isIsoInstant } from '../common/time/strict-timestamp';

interface RecordingDbRow {
  id: number;
  call_id: number;
  file_name: string;
  source: RecordingSource;
  status: RecordingStatus;
  status_reason: string | null;
  size_bytes: string | null;
  duration_seconds: string | null;
  format: string | null;
  storage: RecordingStorageKind;
  storage_key: string | null;
  keep: boolean;
  file_modified_at: Date | null;
  started_at: Date;
  stopped_at: Date | null;
}

interface ListDbRow extends RecordingDbRow {
  pbx_id: string;
  direction: CallDirection;
  call_status: CallStatus;
  caller_number: string;
  receiver_number: string;
  call_started_at: Date;
  assigned_user_id: number | null;
}

/** A recording with what streaming needs: where its file is, and who may hear it. */
export interface RecordingForStream {
  entry: CallRecordingEntry;
  storageKey: string | null;
  fileModifiedAt: Date | null;
  access: CallAccessSubject;
  call: { startedAt: Date; direction: CallDirection; callerNumber: string; receiverNumber: string };
}

export interface RecordingListFilter extends CallListScope {
  callId?: number;
  userId?: number;
  from?: Date;
  to?: Date;
  statuses?: RecordingStatus[];
}

const COLUMNS = `r.id, r.call_id, r.file_name, r.source, r.status, r.status_reason, r.size_bytes, r.duration_seconds, r.format,
  r.storage, r.storage_key, r.keep, r.file_modified_at, r.started_at, r.stopped_at`;

/** Read side of the recordings: a call's files, the filtered list, one recording for streaming. */
@Injectable()
export class RecordingsService {
  constructor(private readonly dataSource: DataSource) {}

  async forCall(callId: number): Promise<CallRecordingEntry[]> {
    const rows = await this.dataSource.query<RecordingDbRow[]>(`SELECT ${COLUMNS} FROM recordings r WHERE r.call_id = $1 ORDER BY r.started_at, r.id`, [callId]);
    return rows.map(toEntry);
  }

  /** Newest first, keyset pages; operators get only the recordings of calls they took part in. */
  async list(filter: RecordingListFilter, limit: number, cursor?: string): Promise<{ items: RecordingListItem[]; nextCursor: string | null }> {
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    const where: string[] = [];
    if (filter.participantId !== undefined) where.push(`c.participant_user_ids @> ARRAY[${param(filter.participantId)}::integer]`);
    if (filter.callId !== undefined) where.push(`r.call_id = ${param(filter.callId)}`);
    if (filter.userId !== undefined) where.push(`c.assigned_user_id = ${param(filter.userId)}`);
    if (filter.from) where.push(`r.started_at >= ${param(filter.from.toISOString())}`);
    if (filter.to) where.push(`r.started_at < ${param(filter.to.toISOString())}`);
    if (filter.statuses?.length) where.push(`r.status = ANY(${param(filter.statuses)}::text[])`);
    if (cursor) {
      const position = decodeCursor(cursor);
      const at = param(position.at);
      where.push(`r.started_at <= ${at}::timestamptz AND (r.started_at, r.id) < (${at}::timestamptz, ${param(position.id)}::integer)`);
    }
    const rows = await this.dataSource.query<ListDbRow[]>(
      `SELECT ${COLUMNS}, c.pbx_id, c.direction, c.status AS call_status, c.caller_number, c.receiver_number, c.started_at AS call_started_at, c.assigned_user_id
       FROM recordings r JOIN calls c ON c.id = r.call_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY r.started_at DESC, r.id DESC LIMIT ${param(limit + 1)}`,
      values,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        ...toEntry(r),
        call: {
          pbxId: r.pbx_id,
          direction: r.direction,
          status: r.call_status,
          callerNumber: r.caller_number,
          receiverNumber: r.receiver_number,
          startedAt: r.call_started_at.toISOString(),
          assignedUserId: r.assigned_user_id === null ? null : String(r.assigned_user_id),
        },
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.started_at, last.id) : null,
    };
  }

  /** One recording with its call's access facts; not found when it does not exist. */
  async forStream(id: number): Promise<RecordingForStream> {
    const [row] = await this.dataSource.query<Array<RecordingDbRow & { participant_user_ids: number[]; assigned_user_id: number | null; ended_at: Date | null; call_started_at: Date; direction: CallDirection; caller_number: string; receiver_number: string }>>(
      `SELECT ${COLUMNS}, c.participant_user_ids, c.assigned_user_id, c.ended_at, c.started_at AS call_started_at, c.direction, c.caller_number, c.receiver_number
       FROM recordings r JOIN calls c ON c.id = r.call_id WHERE r.id = $1`,
      [id],
    );
    if (!row) throw new NotFoundError('recording', id);
    return {
      entry: toEntry(row),
      storageKey: row.storage_key,
      fileModifiedAt: row.file_modified_at,
      access: {
        participantUserIds: row.participant_user_ids.map(String),
        assignedUserId: row.assigned_user_id === null ? null : String(row.assigned_user_id),
        endedAt: row.ended_at ? row.ended_at.toISOString() : null,
      },
      call: { startedAt: row.call_started_at, direction: row.direction, callerNumber: row.caller_number, receiverNumber: row.receiver_number },
    };
  }

  /** Sets the retention exemption; returns the updated entry. */
  async setKeep(id: number, keep: boolean): Promise<CallRecordingEntry> {
    const [rows] = await this.dataSource.query<[RecordingDbRow[], number]>(`UPDATE recordings r SET keep = $2, updated_at = now() WHERE r.id = $1 RETURNING ${COLUMNS}`, [id, keep]);
    if (!rows[0]) throw new NotFoundError('recording', id);
    return toEntry(rows[0]);
  }
}

function toEntry(r: RecordingDbRow): CallRecordingEntry {
  return {
    id: String(r.id),
    callId: String(r.call_id),
    fileName: r.file_name,
    source: r.source,
    status: r.status,
    statusReason: r.status_reason,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    durationSeconds: r.duration_seconds === null ? null : Number(r.duration_seconds),
    format: r.format,
    storage: r.storage,
    keep: r.keep,
    startedAt: r.started_at.toISOString(),
    stoppedAt: r.stopped_at ? r.stopped_at.toISOString() : null,
    streamUrl: streamPath(r.id),
  };
}

function encodeCursor(at: Date, id: number): string {
  return Buffer.from(JSON.stringify({ at: at.toISOString(), id })).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: number } {
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at: unknown; id: unknown };
    if (isIsoInstant(position.at) && parseRecordId(position.id) !== null) return { at: position.at, id: position.id as number };
  } catch {
    // fall through: not a cursor of ours
  }
  throw new InvalidRecordingCursorError();
}
