/**
 * How a period [from, to) is read from the rollups (docs/database.md "Statistics rollups"):
 * whole UTC months, days and hours from their rollup rows, the partial hours at the edges from
 * `calls`. The value histograms have hour, day and month rows for all calls but month rows only
 * per user, so a user's edges are read from `calls` (or subtracted from their months' rows).
 */
export type Grain = 'h' | 'd' | 'm';

export interface Range {
  lo: Date;
  hi: Date;
}

/** A range of calls read from `calls`, added (1) or subtracted (-1: the rest of a month whose row is read). */
export interface SignedRange extends Range {
  sign: 1 | -1;
}

export interface GrainRange extends Range {
  grain: Grain;
  /** -1: rows subtracted (the part of a whole month outside the period). */
  sign: 1 | -1;
}

export interface PeriodPlan {
  /** The whole hours [lo, hi) the rollup and the quarter-hour rollup cover. */
  hours: Range;
  /** Rollup rows by the coarsest grain that fits, together covering `hours`. */
  rollup: GrainRange[];
  /** The parts of the period read from `calls` for everything but the histograms. */
  raw: Range[];
  /** Histogram rows and the raw remainder, for all calls or for one user. */
  seconds: { rows: GrainRange[]; raw: SignedRange[] };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const floorHour = (t: Date) => new Date(Math.floor(t.getTime() / HOUR) * HOUR);
const ceilHour = (t: Date) => new Date(Math.ceil(t.getTime() / HOUR) * HOUR);
const floorDay = (t: Date) => new Date(Math.floor(t.getTime() / DAY) * DAY);
const ceilDay = (t: Date) => new Date(Math.ceil(t.getTime() / DAY) * DAY);
const floorMonth = (t: Date) => new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
const ceilMonth = (t: Date) => {
  const floor = floorMonth(t);
  return floor.getTime() === t.getTime() ? floor : new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
};

/** Non-empty ranges only. */
function ranges(...pairs: Array<[Date, Date]>): Range[] {
  return pairs.filter(([lo, hi]) => lo < hi).map(([lo, hi]) => ({ lo, hi }));
}

function graded(...entries: Array<[Grain, Date, Date]>): GrainRange[] {
  return entries.filter(([, lo, hi]) => lo < hi).map(([grain, lo, hi]) => ({ grain, lo, hi, sign: 1 }));
}

function negated(ranges: GrainRange[]): GrainRange[] {
  return ranges.map((r) => ({ ...r, sign: -1 }));
}

const nextMonth = (t: Date) => new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));

/** Buckets a set of ranges reads, weighed by rows: an hour holds about a third of a day's rows (bench:stats). */
function weight(ranges: GrainRange[]): number {
  return ranges.reduce((sum, r) => sum + (r.grain === 'h' ? (r.hi.getTime() - r.lo.getTime()) / HOUR / 3 : r.grain === 'd' ? (r.hi.getTime() - r.lo.getTime()) / DAY : 1), 0);
}

/** The cheaper of two exact ways to sum a piece: its own rows, or its whole month's less the rest of the month. */
function cheaper(inside: GrainRange[], complement: GrainRange[]): GrainRange[] {
  return weight(complement) < weight(inside) ? complement : inside;
}

/**
 * [lo, hi) as months, days and hours: the months inside it, then the days inside what is left,
 * then the whole hours; the partial hours at the edges are `rest`.
 */
function cover(lo: Date, hi: Date): { rows: GrainRange[]; rest: Range[] } {
  const h1 = ceilHour(lo);
  const h2 = floorHour(hi);
  if (h1 >= h2) return { rows: [], rest: ranges([lo, hi]) };
  const rest = ranges([lo, h1], [h2, hi]);
  const d1 = ceilDay(h1);
  const d2 = floorDay(h2);
  if (d1 >= d2) return { rows: graded(['h', h1, h2]), rest };
  const m1 = ceilMonth(d1);
  const m2 = floorMonth(d2);
  if (m1 > m2) return { rows: graded(['h', h1, d1], ['d', d1, d2], ['h', d2, h2]), rest };
  // The partial months at both ends: their days and hours, or (fewer rows for most of a month)
  // the whole month less the days and hours of it outside [h1, h2). Sums and counts subtract exactly.
  const m0 = floorMonth(h1);
  const left =
    m0 < h1 && m0 < m1
      ? cheaper(graded(['h', h1, d1], ['d', d1, m1]), [...graded(['m', m0, m1]), ...negated(graded(['d', m0, floorDay(h1)], ['h', floorDay(h1), h1]))])
      : graded(['h', h1, d1], ['d', d1, m1]);
  const m3 = nextMonth(m2);
  const right =
    h2 < m3 && m2 < h2
      ? cheaper(graded(['d', m2, d2], ['h', d2, h2]), [...graded(['m', m2, m3]), ...negated(graded(['h', h2, ceilDay(h2)], ['d', ceilDay(h2), m3]))])
      : graded(['d', m2, d2], ['h', d2, h2]);
  return { rows: [...left, ...graded(['m', m1, m2]), ...right], rest };
}

/**
 * [lo, hi) for the per-user histograms, which have month rows only: the whole months from their
 * rows; each partial month at an edge from `calls`, either its part inside [lo, hi) or, when the
 * rest of the month is the shorter time, the whole month's row less the calls of that rest (the
 * last days of a local year or month are most of a UTC month: a year in Moscow read 29.9 days of
 * the user's calls, now 3 hours; bench:stats showed no change in time within its noise).
 */
function coverMonths(lo: Date, hi: Date): { rows: GrainRange[]; raw: SignedRange[] } {
  const rows: GrainRange[] = [];
  const raw: SignedRange[] = [];
  const span = (r: Range) => r.hi.getTime() - r.lo.getTime();
  /** [a, b), a part of the month [m0, m3). */
  const piece = (m0: Date, m3: Date, a: Date, b: Date) => {
    const rest = ranges([m0, a], [b, m3]);
    if (rest.reduce((total, r) => total + span(r), 0) < b.getTime() - a.getTime()) {
      rows.push(...graded(['m', m0, m3]));
      raw.push(...rest.map((r) => ({ ...r, sign: -1 as const })));
    } else {
      raw.push({ lo: a, hi: b, sign: 1 });
    }
  };
  const m1 = ceilMonth(lo);
  const m2 = floorMonth(hi);
  if (m1 > m2) {
    piece(floorMonth(lo), m1, lo, hi);
    return { rows, raw };
  }
  if (lo < m1) piece(floorMonth(lo), m1, lo, m1);
  rows.push(...graded(['m', m1, m2]));
  if (m2 < hi) piece(m2, nextMonth(m2), m2, hi);
  return { rows, raw };
}

export function planPeriod(from: Date, to: Date, perUser: boolean): PeriodPlan | null {
  const sums = cover(from, to);
  if (sums.rows.length === 0) return null;
  const seconds = perUser ? coverMonths(from, to) : { rows: sums.rows, raw: sums.rest.map((r) => ({ ...r, sign: 1 as const })) };
  return {
    hours: { lo: ceilHour(from), hi: floorHour(to) },
    rollup: sums.rows,
    raw: sums.rest,
    seconds,
  };
}
