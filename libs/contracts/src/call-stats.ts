import type { CallDirection, TerminalCallStatus } from './call-values';
import type { CallListItem } from './call-view';

export interface SecondsSummary {
  /** Mean, null when no call counts. */
  average: number | null;
  /** 90th percentile, linearly interpolated (PostgreSQL percentile_cont(0.9)); null when no call counts. */
  p90: number | null;
}

export interface UserCallStats {
  userId: string;
  userName: string | null;
  calls: number;
  answered: number;
  /** Missed, abandoned or busy. */
  unanswered: number;
  talkSeconds: number;
  averageTalkSeconds: number | null;
}

export interface BucketStats {
  calls: number;
  answered: number;
}

/**
 * Statistics over the calls that started in [from, to) and have ended (live calls
 * are not counted). Ring time counts every such call; talk time only answered calls.
 */
export interface CallStats {
  from: string;
  to: string;
  timeZone: string;
  userId: string | null;
  totals: {
    calls: number;
    answered: number;
    /** answered / calls, 0 when there are no calls. */
    answerRate: number;
    byStatus: Record<TerminalCallStatus, number>;
    byDirection: Record<CallDirection, number>;
  };
  ringSeconds: SecondsSummary;
  talkSeconds: SecondsSummary & { total: number };
  perUser: UserCallStats[];
  /** 24 entries, hour 0-23 of the start time in `timeZone`. */
  perHour: Array<BucketStats & { hour: number }>;
  /** Days (in `timeZone`) with at least one call, oldest first. */
  perDay: Array<BucketStats & { day: string }>;
  /**
   * Inbound calls that were missed, abandoned or busy and that no later answered call
   * to or from the same (normalised) number followed, at any time up to now.
   */
  missedNotCalledBack: { count: number; calls: CallListItem[] };
}
