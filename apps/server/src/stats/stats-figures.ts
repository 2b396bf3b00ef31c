import type { CallDirection, TerminalCallStatus } from '@app/contracts';
import type { CallDbRow } from '../calls';

/** What both ways of reading a period (the rollups or the calls themselves) give the service. */
export interface StatsFigures {
  outcomes: Array<{ status: TerminalCallStatus; direction: CallDirection; calls: number }>;
  ring: { average: number | null; p90: number | null };
  talk: { average: number | null; p90: number | null; total: number };
  perUser: Array<{
    user_id: number;
    user_name: string | null;
    calls: number;
    answered: number;
    unanswered: number;
    talk: number;
    talk_avg: number | null;
  }>;
  perHour: Array<{ hour: number; calls: number; answered: number }>;
  perDay: Array<{ day: string; calls: number; answered: number }>;
  missed: Array<CallDbRow & { total: number }>;
}

export interface StatsScope {
  from: Date;
  to: Date;
  userId?: number;
  timeZone: string;
}

/** Missed calls listed with their count; the count covers them all. */
export const MISSED_LISTED = 100;

/**
 * percentile_cont(p) over a histogram (value, how many), values ascending: PostgreSQL's
 * interpolation, operation for operation, so the result is the same double.
 */
export function percentileCont(histogram: Array<{ seconds: number; calls: number }>, p: number): number | null {
  const n = histogram.reduce((sum, h) => sum + h.calls, 0);
  if (n === 0) return null;
  const position = p * (n - 1);
  const first = Math.floor(position);
  const second = Math.ceil(position);
  const at = (rank: number) => {
    let seen = 0;
    for (const h of histogram) {
      seen += h.calls;
      if (rank < seen) return h.seconds;
    }
    throw new Error('rank beyond the histogram');
  };
  const lo = at(first);
  const hi = second === first ? lo : at(second);
  return lo + (position - first) * (hi - lo);
}
