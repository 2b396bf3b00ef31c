/** `HH:MM:SS` (hours may exceed 24) of a `CoreShowChannel` row -> ms; 0 when unreadable. */
export function parseAmiDuration(value: string | undefined): number {
  if (!value) return 0;
  const m = /^(\d+):(\d{1,2}):(\d{1,2})$/.exec(value);
  return m ? ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 : 0;
}

/**
 * A CDR time (`2026-11-26 12:37:00`, the PBX's local time, no zone) -> ms since epoch,
 * given the PBX clock's offset from UTC in minutes; null when empty or malformed.
 */
export function parseCdrTime(value: string | undefined, utcOffsetMinutes: number): number | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(utc) ? null : utc - utcOffsetMinutes * 60_000;
}
