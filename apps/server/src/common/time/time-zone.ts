/** IANA zone names as PostgreSQL and Node both spell them: `Europe/Moscow`, `UTC`, `Etc/GMT+3`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** True for a time zone Node knows (the name is checked before ICU sees it). */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || !ZONE_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetMinutes(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(at / 1000) * 1000) / 60_000);
}

/**
 * The instant the local day containing `at` begins in `zone`, and the next day's start:
 * "today" for statistics. Offsets are looked up at the candidate midnight itself, so a day
 * that starts or ends next to a daylight-saving change still gets its true bounds.
 */
export function dayIn(zone: string, at: Date): { from: Date; to: Date } {
  const local = new Date(at.getTime() + offsetMinutes(zone, at.getTime()) * 60_000);
  const midnight = (y: number, m: number, d: number) => {
    const wall = Date.UTC(y, m, d);
    let instant = wall - offsetMinutes(zone, wall) * 60_000;
    instant = wall - offsetMinutes(zone, instant) * 60_000;
    return new Date(instant);
  };
  const [y, m, d] = [local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()];
  return { from: midnight(y, m, d), to: midnight(y, m, d + 1) };
}
