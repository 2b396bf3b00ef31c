import type { CallDirection, CallStatus } from '@app/contracts';
import type { SqlStatement } from '../../database';
import { parseRecordId } from '../../common/input/record-id';
import { isPgTimestamptz } from '../../common/time/strict-timestamp';
import { InvalidCursorError } from '../calls-errors';

export const CALL_SORT_KEYS = ['startedAt', 'duration'] as const;
export type CallSortKey = (typeof CALL_SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';

export interface CallHistoryFilter {
  /** Started at or after. */
  from?: Date;
  /** Started before. */
  to?: Date;
  directions?: CallDirection[];
  statuses?: CallStatus[];
  userId?: number;
  companyId?: number;
  /** Digits the caller or receiver number contains (at least 3). */
  numberDigits?: string;
  /** A searched whole external number, normalised (E.164): matched exactly instead of as digits. */
  normalizedNumber?: string | null;
  /** Operators see only the calls they took part in: set to their id (see CallAccess). */
  participantId?: number;
}

export interface CallHistoryPage {
  sort: CallSortKey;
  order: SortOrder;
  limit: number;
  cursor?: string;
}

/** Where the next page starts: the sort value and id of the last row (opaque to clients). */
interface CursorPosition {
  s: string;
  v: string | number;
  id: number;
}

const SORT_COLUMN: Record<CallSortKey, { column: string; type: string; cursorValue: string }> = {
  startedAt: { column: 'c.started_at', type: 'timestamptz', cursorValue: 'c.started_at::text' },
  duration: { column: 'c.talk_seconds', type: 'integer', cursorValue: 'c.talk_seconds' },
};

/** What every call read selects: the row, the assigned user's and company's names, the cursor value. */
export const CALL_SELECT = `
  c.id, c.pbx_id, c.linkedid, c.direction, c.status, c.caller_number, c.caller_name, c.receiver_number, c.did,
  c.external_number, c.started_at, c.answered_at, c.ended_at, c.ring_seconds, c.talk_seconds, c.hold_seconds,
  c.duration, c.hangup_cause, c.hangup_by, c.answered_by_extension, c.assigned_user_id, c.caller_company_id,
  c.recording_url, c.crm_call_id, c.participant_user_ids, c.last_event_at, c.event_seq, c.end_source,
  u.username AS assigned_username,
  NULLIF(concat_ws(' ', u.first_name, u.last_name), '') AS assigned_user_full_name,
  co.name AS caller_company_name`;

export const CALL_FROM = `
  FROM calls c
  LEFT JOIN users u ON u.id = c.assigned_user_id
  LEFT JOIN companies co ON co.id = c.caller_company_id`;

export function encodeCursor(page: Pick<CallHistoryPage, 'sort' | 'order'>, value: string | number, id: number): string {
  const position: CursorPosition = { s: `${page.sort}:${page.order}`, v: value, id };
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor(cursor: string, page: CallHistoryPage): CursorPosition {
  let position: CursorPosition;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
  } catch {
    throw new InvalidCursorError();
  }
  const valueOk = page.sort === 'duration' ? Number.isInteger(position?.v) : isPgTimestamptz(position?.v);
  if (position?.s !== `${page.sort}:${page.order}` || !valueOk || parseRecordId(position.id) === null) throw new InvalidCursorError();
  return position;
}

/** The WHERE clause of a filter, with its parameters appended to `values`. */
export function filterConditions(filter: CallHistoryFilter, values: unknown[]): string[] {
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (filter.participantId !== undefined) where.push(`c.participant_user_ids @> ARRAY[${param(filter.participantId)}::integer]`);
  if (filter.from) where.push(`c.started_at >= ${param(filter.from.toISOString())}`);
  if (filter.to) where.push(`c.started_at < ${param(filter.to.toISOString())}`);
  if (filter.directions?.length) where.push(`c.direction = ANY(${param(filter.directions)}::text[])`);
  if (filter.statuses?.length) where.push(`c.status = ANY(${param(filter.statuses)}::text[])`);
  if (filter.userId !== undefined) where.push(`c.assigned_user_id = ${param(filter.userId)}`);
  if (filter.companyId !== undefined) where.push(`c.caller_company_id = ${param(filter.companyId)}`);
  if (filter.normalizedNumber) {
    // A whole number in any spelling is one external party: an exact, indexed match.
    where.push(`c.external_number = ${param(filter.normalizedNumber)}`);
  } else if (filter.numberDigits) {
    const pattern = param(`%${filter.numberDigits}%`);
    where.push(`(c.caller_number LIKE ${pattern} OR c.receiver_number LIKE ${pattern})`);
  }
  return where;
}

/**
 * One keyset page: rows strictly after the cursor in (sort value, id) order, plus
 * one extra row that tells whether a next page exists. New calls land at the
 * start of the newest-first order and never shift the pages behind a cursor.
 * The plain `<=`/`>=` on the sort column next to the row comparison lets any
 * (filter column, started_at) index bound the scan.
 */
export function buildHistoryQuery(filter: CallHistoryFilter, page: CallHistoryPage): SqlStatement {
  const values: unknown[] = [];
  const where = filterConditions(filter, values);
  const sort = SORT_COLUMN[page.sort];
  const dir = page.order === 'desc' ? 'DESC' : 'ASC';
  if (page.cursor) {
    const position = decodeCursor(page.cursor, page);
    values.push(position.v, position.id);
    const v = `$${values.length - 1}::${sort.type}`;
    const id = `$${values.length}::integer`;
    const [loose, strict] = page.order === 'desc' ? ['<=', '<'] : ['>=', '>'];
    where.push(`${sort.column} ${loose} ${v} AND (${sort.column}, c.id) ${strict} (${v}, ${id})`);
  }
  values.push(page.limit + 1);
  const text = `SELECT ${CALL_SELECT}, ${sort.cursorValue} AS cursor_value ${CALL_FROM}
  ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
  ORDER BY ${sort.column} ${dir}, c.id ${dir}
  LIMIT $${values.length}`;
  return { text, values };
}
