/** One record of Asterisk's CDR, as the ingest needs it (times in ms since epoch). */
export interface CdrRecord {
  /** Uniqueid of the record's channel; the caller's channel's is the call's first Linkedid. */
  uniqueid: string;
  /** Linkedid, where the backend stores it (cdr_pgsql with a `linkedid` column); null in Master.csv. */
  linkedid: string | null;
  start: number;
  answer: number | null;
  end: number;
  billsec: number;
  /** ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION. */
  disposition: string;
  userfield: string;
  /** Caller number, dialled number, caller ID text, the record's channel and the channel it dialled. */
  src: string;
  dst: string;
  clid: string;
  channel: string;
  dstchannel: string;
}

/** Where one PBX's CDR records can be read. */
export interface CdrSource {
  /** `cdr_pgsql <table>` or `Master.csv <path>`, for logs. */
  readonly description: string;
  /** The records of the calls whose first Linkedid is one of `linkedids` (by uniqueid or linkedid). */
  recordsOf(linkedids: string[]): Promise<CdrRecord[]>;
  /** The records whose call started within [from, to] (ms since epoch). */
  recordsStartedBetween(from: number, to: number): Promise<CdrRecord[]>;
  close(): Promise<void>;
}

/**
 * A wall-clock time of the PBX (`YYYY-MM-DD HH:MM:SS`, as cdr_csv writes it and cdr_pgsql's
 * `timestamp` columns hold it) in `timeZone`, as ms since epoch; null when empty or unreadable.
 */
export function cdrWallTime(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0);
  // The zone's offset at that moment (twice: the first guess may sit across a DST change).
  let at = asUtc - zoneOffsetMs(asUtc, timeZone);
  at = asUtc - zoneOffsetMs(at, timeZone);
  return at;
}

function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}
