/**
 * How a period [from, to) is read from the rollups (docs/database.md "Statistics rollups"):
 * whole UTC months, days and hours from their rollup rows, the partial hours at the edges from
 * `calls`. The value histograms have hour, day and month rows for all calls but month rows only
 * per user, so a user's raw edges are wider.
 */
export type Grain = 'h' | 'd' | 'm';

export interface Range {
  lo: Date;
  hi: Date;
}

export interface GrainRange extends Range {
  grain: Grain;
}

export interface PeriodPlan {
  /** The whole hours [lo, hi) the rollup and the quarter-hour rollup cover. */
  hours: Range;
  /** Rollup rows by the coarsest grain that fits, together covering `hours`. */
  rollup: GrainRange[];
  /** The parts of the period read from `calls` for everything but the histograms. */
  raw: Range[];
  /** Histogram rows and the raw remainder, for all calls or for one user. */
  seconds: { rows: GrainRange[]; raw: Range[] };
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
  return entries.filter(([, lo, hi]) => lo < hi).map(([grain, lo, hi]) => ({ grain, lo, hi }));
}

/**
 * [lo, hi) as months, days and hours: the months inside it, then the days inside what is left,
 * then the hours. `finest` is the finest grain rows exist for; what it cannot cover is `rest`.
 */
function cover(lo: Date, hi: Date, finest: Grain): { rows: GrainRange[]; rest: Range[] } {
  const h1 = finest === 'h' ? ceilHour(lo) : finest === 'd' ? ceilDay(lo) : ceilMonth(lo);
  const h2 = finest === 'h' ? floorHour(hi) : finest === 'd' ? floorDay(hi) : floorMonth(hi);
  if (h1 >= h2) return { rows: [], rest: ranges([lo, hi]) };
  const rest = ranges([lo, h1], [h2, hi]);
  if (finest === 'm') return { rows: graded(['m', h1, h2]), rest };
  const d1 = ceilDay(h1);
  const d2 = floorDay(h2);
  if (d1 >= d2) return { rows: graded([finest, h1, h2]), rest };
  const m1 = ceilMonth(d1);
  const m2 = floorMonth(d2);
  const days: Array<[Grain, Date, Date]> = m1 >= m2 ? [['d', d1, d2]] : [['d', d1, m1], ['m', m1, m2], ['d', m2, d2]];
  const rows = graded([finest, h1, d1], ...days, [finest, d2, h2]);
  return { rows, rest };
}

export function planPeriod(from: Date, to: Date, perUser: boolean): PeriodPlan | null {
  const sums = cover(from, to, 'h');
  if (sums.rows.length === 0) return null;
  const seconds = perUser ? cover(from, to, 'm') : sums;
  return {
    hours: { lo: ceilHour(from), hi: floorHour(to) },
    rollup: sums.rows,
    raw: sums.rest,
    seconds: { rows: seconds.rows, raw: seconds.rest },
  };
}
