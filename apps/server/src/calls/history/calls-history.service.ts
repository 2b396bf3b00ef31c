import { Injectable } from '@nestjs/common';
import type { CallDetail, CallListItem, CallTimelineType, PartyStep, TimelineSteps } from '@app/contracts';
import { DataSource } from 'typeorm';
import type { CallListScope } from '../../access';
import { NotFoundError } from '../../common/errors/domain-error';
import { PhoneNormalizer } from '../../common/phone/phone-normalizer';
import { RecordingsService } from '../../recordings';
import { toCallListItem, type CallDbRow } from '../call-view-mapper';
import {
  CALL_FROM,
  CALL_SELECT,
  buildHistoryQuery,
  encodeCursor,
  filterConditions,
  type CallHistoryFilter,
  type CallHistoryPage,
} from './call-history-query';

export interface CallHistoryPageResult {
  items: CallListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
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
    private readonly recordings: RecordingsService,
  ) {}

  async page(request: CallHistoryRequest, page: CallHistoryPage): Promise<CallHistoryPageResult> {
    const rows = await this.query(this.filter(request), page);
    const more = rows.length > page.limit;
    const items = more ? rows.slice(0, page.limit) : rows;
    const last = items[items.length - 1];
    return {
      items: items.map(toCallListItem),
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
      for (const row of items) yield toCallListItem(row);
      const last = items[items.length - 1];
      cursor = rows.length > EXPORT_PAGE && last ? encodeCursor(page, last.cursor_value, last.id) : undefined;
    } while (cursor);
  }

  async active(scope: CallListScope): Promise<CallListItem[]> {
    const values: unknown[] = [ACTIVE_LIMIT];
    const where = [`c.ended_at IS NULL`, ...filterConditions(scope, values)];
    const rows = await this.dataSource.query<CallDbRow[]>(
      `SELECT ${CALL_SELECT} ${CALL_FROM} WHERE ${where.join(' AND ')} ORDER BY c.started_at DESC, c.id DESC LIMIT $1`,
      values,
    );
    return rows.map(toCallListItem);
  }

  /**
   * The phones that rang on each of these calls (each phone once, in ring order): for calls
   * still ringing, whose popups a reloaded screen shows again.
   */
  async ringingPhones(callIds: string[]): Promise<Map<string, PartyStep[]>> {
    const byCall = new Map<string, PartyStep[]>();
    if (callIds.length === 0) return byCall;
    const rows = await this.dataSource.query<Array<{ call_id: string; data: PartyStep }>>(
      `SELECT call_id::text, data FROM call_events WHERE call_id = ANY($1::int[]) AND type = 'ringing' ORDER BY call_id, occurred_at, id`,
      [callIds],
    );
    for (const { call_id, data } of rows) {
      const phones = byCall.get(call_id) ?? [];
      if (!phones.some((p) => p.channel === data.channel)) phones.push(data);
      byCall.set(call_id, phones);
    }
    return byCall;
  }

  /** The stored call of a PBX's Linkedid (its first one), if any. */
  async byKey(pbxId: string, linkedid: string): Promise<CallListItem | null> {
    const [row] = await this.dataSource.query<CallDbRow[]>(
      `SELECT ${CALL_SELECT} ${CALL_FROM} JOIN call_keys k ON k.id = c.id AND k.started_at = c.started_at WHERE k.pbx_id = $1 AND k.linkedid = $2`,
      [pbxId, linkedid],
    );
    return row ? toCallListItem(row) : null;
  }

  /** One stored call and the tracker's id for it (`call_uid`), whatever the user may see: call control checks that itself. */
  async withTrackerId(id: number): Promise<{ call: CallListItem; trackerId: string } | null> {
    const [row] = await this.dataSource.query<Array<CallDbRow & { call_uid: string }>>(`SELECT ${CALL_SELECT}, c.call_uid ${CALL_FROM} WHERE c.id = $1`, [id]);
    return row ? { call: toCallListItem(row), trackerId: row.call_uid } : null;
  }

  /** One call with its timeline and recordings; a call outside the scope is "not found". */
  async detail(id: number, scope: CallListScope): Promise<CallDetail> {
    const values: unknown[] = [id];
    // The key's start names the one partition to read (the id alone would probe every month).
    const where = [`c.id = $1`, `c.started_at = (SELECT k.started_at FROM call_keys k WHERE k.id = $1)`, ...filterConditions(scope, values)];
    const [row] = await this.dataSource.query<CallDbRow[]>(`SELECT ${CALL_SELECT} ${CALL_FROM} WHERE ${where.join(' AND ')}`, values);
    if (!row) throw new NotFoundError('call', id);
    const [timeline, recordings] = await Promise.all([
      this.dataSource.query<Array<{ id: string; type: CallTimelineType; occurred_at: Date; data: TimelineSteps[CallTimelineType] }>>(
        `SELECT id, type, occurred_at, data FROM call_events WHERE call_id = $1 ORDER BY occurred_at, id`,
        [id],
      ),
      this.recordings.forCall(id),
    ]);
    return {
      call: toCallListItem(row),
      timeline: timeline.map((e) => ({ id: String(e.id), type: e.type, occurredAt: e.occurred_at.toISOString(), data: e.data })),
      recordings,
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
