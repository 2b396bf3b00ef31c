import type { CallDto } from '../../apps/server/src/calls';

/**
 * The statistics of GET /api/stats recomputed in plain TypeScript from the calls the
 * history API returns, following the definitions documented on the endpoint, so the
 * test checks the SQL against an independent implementation.
 */
export function percentile90(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = 0.9 * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

const mean = (values: number[]) => (values.length === 0 ? null : sum(values) / values.length);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
/** Known talk times: a call whose end was not observed has none (it counts as a call, not as talk). */
const talkOf = (calls: CallDto[]) => calls.map((c) => c.talkSeconds).filter((t) => t !== null);
const UNANSWERED = new Set(['missed', 'abandoned', 'busy']);

export function expectedStats(period: CallDto[], everyCall: CallDto[]) {
  const calls = period.filter((c) => c.endedAt !== null);
  const answered = calls.filter((c) => c.status === 'answered');
  const count = <K extends string>(keys: readonly K[], of: (c: CallDto) => string) =>
    Object.fromEntries(keys.map((k) => [k, calls.filter((c) => of(c) === k).length])) as Record<K, number>;
  const users = [...new Set(calls.map((c) => c.assignedUserId).filter((u): u is string => u !== null))];
  const missed = calls.filter(
    (c) =>
      c.direction === 'inbound' &&
      UNANSWERED.has(c.status) &&
      c.externalNumber !== null &&
      !everyCall.some((later) => later.externalNumber === c.externalNumber && later.status === 'answered' && Date.parse(later.startedAt) > Date.parse(c.startedAt)),
  );
  return {
    totals: {
      calls: calls.length,
      answered: answered.length,
      answerRate: calls.length === 0 ? 0 : answered.length / calls.length,
      byStatus: count(['answered', 'missed', 'busy', 'abandoned', 'failed'] as const, (c) => c.status),
      byDirection: count(['inbound', 'outbound', 'internal'] as const, (c) => c.direction),
    },
    ringSeconds: { average: mean(calls.map((c) => c.ringSeconds)), p90: percentile90(calls.map((c) => c.ringSeconds)) },
    talkSeconds: {
      average: mean(talkOf(answered)),
      p90: percentile90(talkOf(answered)),
      total: sum(talkOf(answered)),
    },
    perUser: users
      .map((userId) => {
        const mine = calls.filter((c) => c.assignedUserId === userId);
        const talked = mine.filter((c) => c.status === 'answered');
        return {
          userId,
          calls: mine.length,
          answered: talked.length,
          unanswered: mine.filter((c) => UNANSWERED.has(c.status)).length,
          talkSeconds: sum(talkOf(talked)),
          averageTalkSeconds: mean(talkOf(talked)),
        };
      })
      .sort((a, b) => b.calls - a.calls || Number(a.userId) - Number(b.userId)),
    perHour: Array.from({ length: 24 }, (_, hour) => {
      const inHour = calls.filter((c) => new Date(c.startedAt).getUTCHours() === hour);
      return { hour, calls: inHour.length, answered: inHour.filter((c) => c.status === 'answered').length };
    }),
    perDay: [...new Set(calls.map((c) => c.startedAt.slice(0, 10)))].sort().map((day) => {
      const inDay = calls.filter((c) => c.startedAt.startsWith(day));
      return { day, calls: inDay.length, answered: inDay.filter((c) => c.status === 'answered').length };
    }),
    missedNotCalledBack: { count: missed.length, ids: missed.map((c) => c.id).sort() },
  };
}
