/**
 * PostgreSQL's ISO output of a timestamptz (`2026-11-26 12:37:15.262+00`, `…+05:30`), the
 * cursor value of the call list. Date.parse accepts far more (`1`, `2026-02-30`, RFC 2822)
 * than PostgreSQL reads back, so a cursor is checked against this form and the calendar.
 */
const PG_TIMESTAMPTZ = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::(\d{2}))?(?::\d{2})?$/;

/** `toISOString()` output: the recordings cursor. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isPgTimestamptz(text: unknown): text is string {
  const match = typeof text === 'string' ? PG_TIMESTAMPTZ.exec(text) : null;
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours] = match.slice(1, 8).map(Number);
  return isCalendarDate(year, month, day) && hour < 24 && minute < 60 && second < 60 && offsetHours <= 15;
}

export function isIsoInstant(text: unknown): text is string {
  return typeof text === 'string' && ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text)) && new Date(text).toISOString() === text;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
