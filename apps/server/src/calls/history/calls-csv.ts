import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { CallListItem } from '@app/contracts';

const COLUMNS: Array<{ header: string; value: (c: CallListItem) => string | number | null }> = [
  { header: 'id', value: (c) => c.id },
  { header: 'started_at', value: (c) => c.startedAt },
  { header: 'answered_at', value: (c) => c.answeredAt },
  { header: 'ended_at', value: (c) => c.endedAt },
  { header: 'direction', value: (c) => c.direction },
  { header: 'status', value: (c) => c.status },
  { header: 'caller_number', value: (c) => c.callerNumber },
  { header: 'caller_name', value: (c) => c.callerName },
  { header: 'receiver_number', value: (c) => c.receiverNumber },
  { header: 'assigned_user', value: (c) => c.assignedUserName },
  { header: 'caller_company', value: (c) => c.callerCompanyName },
  { header: 'ring_seconds', value: (c) => c.ringSeconds },
  { header: 'talk_seconds', value: (c) => c.talkSeconds },
  { header: 'hold_seconds', value: (c) => c.holdSeconds },
  { header: 'hangup_by', value: (c) => c.hangupBy },
  { header: 'recording_url', value: (c) => c.recordingUrl },
  { header: 'pbx_id', value: (c) => c.pbxId },
  { header: 'linkedid', value: (c) => c.linkedid },
  // Appended, so readers by column position keep working; empty while live.
  { header: 'end_observed', value: (c) => (c.endObserved === null ? null : String(c.endObserved)) },
  { header: 'end_source', value: (c) => c.endSource },
];

/**
 * A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula; caller
 * names come from outside callers, so such text cells get a leading apostrophe.
 * Phone numbers like `+74951234567` are left alone (a sign then digits is no formula).
 */
export function csvSafe(value: string | number | null): string | number | null {
  if (typeof value !== 'string') return value;
  return /^[=@\t\r]|^[+-](?![\d\s().-]*$)/.test(value) ? `'${value}` : value;
}

/** Streams calls as CSV (header row first), pulling rows only as fast as the client reads. */
export function callsCsvStream(calls: AsyncIterable<CallListItem>): Readable {
  const rows = Readable.from(
    (async function* () {
      for await (const call of calls) yield COLUMNS.map((c) => csvSafe(c.value(call)));
    })(),
  );
  const csv = stringify({ header: true, columns: COLUMNS.map((c) => c.header), bom: false });
  rows.on('error', (error) => csv.destroy(error));
  return rows.pipe(csv);
}

/**
 * Runs the first query before the response starts: an error then (a bad filter, the database
 * away) still gets its status and JSON body, which a stream that already sent headers cannot.
 */
export async function primed<T>(items: AsyncIterator<T>): Promise<AsyncIterable<T>> {
  const first = await items.next();
  return {
    async *[Symbol.asyncIterator]() {
      if (first.done) return;
      yield first.value;
      for (let next = await items.next(); !next.done; next = await items.next()) yield next.value;
    },
  };
}
