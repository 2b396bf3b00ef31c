import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-error';
import { PhoneNormalizer } from '../../common/phone/phone-normalizer';
import type { TimelineSteps } from '../store/call-write';
import {
  CALL_FROM,
  CALL_SELECT,
  buildHistoryQuery,
  encodeCursor,
  type CallHistoryFilter,
  type CallHistoryPage,
} from './call-history-query';
import { callListItemFromDb, type CallDbRow, type CallListItem } from './call-row-view';

export interface CallHistoryPageResult {
  items: CallListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface CallTimelineEntry {
  id: string;
  type: keyof TimelineSteps;
  occurredAt: string;
  data: TimelineSteps[keyof TimelineSteps];
}

export interface CallRecordingEntry {
  id: string;
  fileName: string;
  source: 'monitor' | 'mixmonitor';
  sizeBytes: number | null;
  durationSeconds: number | null;
  format: string | null;
  startedAt: string;
  stoppedAt: string | null;
}

export interface CallDetail {
  call: CallListItem;
  timeline: CallTimelineEntry[];
  recordings: CallRecordingEntry[];
}

/** What a list request asks, before the number is turned into search terms. */
export interface CallHistoryRequest extends Omit<CallHistoryFilter, 'numberDigits' | 'normalizedNumber'> {
  number?: string;
}

const EXPORT_PAGE = 1000;
/** Live calls shown at once; a PBX with more in progress is beyond what one screen can list. */
const ACTIVE_LIMIT = 500;

/** Read side of the calls: history pages, CSV export rows, live calls, one call with its timeline. */
@Injectable()
export class CallsHistoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly phones: PhoneNormalizer,
  ) {}

  async page(request: CallHistoryRequest, page: CallHistoryPage): Promise<CallHistoryPageResult> {
    const rows = await this.query(this.filter(request), page);
    const more = rows.length > page.limit;
    const items = more ? rows.slice(0, page.limit) : rows;
    const last = items[items.length - 1];
    return {
      items: items.map(callListItemFromDb),
      nextCursor: more && last ? encodeCursor(page, last.cursor_value, last.id) : null,
    };
  }

  /** Every matching call in the requested order, fetched page by page (bounded memory). */
  async *all(request: CallHistoryRequest, page: Omit<CallHistoryPage, 'limit' | 'cursor'>): AsyncGenerator<CallListItem> {
    const filter = this.filter(request);
    let cursor: string | undefined;
    do {
      const rows = await this.query(filter, { ...page, limit: EXPORT_PAGE, cursor });
      const items = rows.slice(0, EXPORT_PAGE);
      for (const row of items) yield callListItemFromDb(row);
      const last = items[items.length - 1];
      cursor = rows.length > EXPORT_PAGE && last ? encodeCursor(page, last.cursor_value, last.id) : undefined;
    } while (cursor);
  }

  async active(ownerId?: number): Promise<CallListItem[]> {
    const values: unknown[] = [ACTIVE_LIMIT];
    const owner = ownerId === undefined ? '' : `AND c.assigned_user_id = $2`;
    if (ownerId !== undefined) values.push(ownerId);
    const rows = await this.dataSource.query<CallDbRow[]>(
      `SELECT ${CALL_SELECT} ${CALL_FROM} WHERE c.ended_at IS NULL ${owner} ORDER BY c.started_at DESC, c.id DESC LIMIT $1`,
      values,
    );
    return rows.map(callListItemFromDb);
  }

  /** The stored call of a PBX's Linkedid (its first one), if any. */
  async byKey(pbxId: string, linkedid: string): Promise<CallListItem | null> {
    const [row] = await this.dataSource.query<CallDbRow[]>(`SELECT ${CALL_SELECT} ${CALL_FROM} WHERE c.pbx_id = $1 AND c.linkedid = $2`, [pbxId, linkedid]);
    return row ? callListItemFromDb(row) : null;
  }

  /** One call with its timeline and recordings; someone else's call is "not found" for an operator. */
  async detail(id: number, ownerId?: number): Promise<CallDetail> {
    const values: unknown[] = [id];
    const owner = ownerId === undefined ? '' : `AND c.assigned_user_id = $2`;
    if (ownerId !== undefined) values.push(ownerId);
    const [row] = await this.dataSource.query<CallDbRow[]>(`SELECT ${CALL_SELECT} ${CALL_FROM} WHERE c.id = $1 ${owner}`, values);
    if (!row) throw new NotFoundError('call', id);
    const [timeline, recordings] = await Promise.all([
      this.dataSource.query<Array<{ id: string; type: keyof TimelineSteps; occurred_at: Date; data: TimelineSteps[keyof TimelineSteps] }>>(
        `SELECT id, type, occurred_at, data FROM call_events WHERE call_id = $1 ORDER BY occurred_at, id`,
        [id],
      ),
      this.dataSource.query<
        Array<{
          id: number;
          file_name: string;
          source: 'monitor' | 'mixmonitor';
          size_bytes: string | null;
          duration_seconds: number | null;
          format: string | null;
          started_at: Date;
          stopped_at: Date | null;
        }>
      >(
        `SELECT id, file_name, source, size_bytes, duration_seconds, format, started_at, stopped_at
         FROM recordings WHERE call_id = $1 ORDER BY started_at, id`,
        [id],
      ),
    ]);
    return {
      call: callListItemFromDb(row),
      timeline: timeline.map((e) => ({ id: String(e.id), type: e.type, occurredAt: e.occurred_at.toISOString(), data: e.data })),
      recordings: recordings.map((r) => ({
        id: String(r.id),
        fileName: r.file_name,
        source: r.source,
        sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
        durationSeconds: r.duration_seconds,
        format: r.format,
        startedAt: r.started_at.toISOString(),
        stoppedAt: r.stopped_at ? r.stopped_at.toISOString() : null,
      })),
    };
  }

  private filter(request: CallHistoryRequest): CallHistoryFilter {
    const { number, ...rest } = request;
    if (number === undefined) return rest;
    const normalized = this.phones.normalize(number);
    return { ...rest, numberDigits: number.replace(/\D/g, ''), normalizedNumber: normalized?.startsWith('+') ? normalized : null };
  }

  private query(filter: CallHistoryFilter, page: CallHistoryPage): Promise<Array<CallDbRow & { cursor_value: string | number }>> {
    const { text, values } = buildHistoryQuery(filter, page);
    return this.dataSource.query(text, values);
  }
}
