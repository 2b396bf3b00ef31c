import type { CallKind, CallOutcome } from '../engine/call-placer';
import type { Range } from '../engine/call-plans';

/**
 * A steady stream of calls: Poisson arrivals at `cps`, a mix of call kinds and
 * outcomes, ring and talk times, and the CRM operations some answered calls get.
 * The same profile and seed give the same calls, in the same order, every run.
 */
export interface TrafficProfile {
  /** Mean new calls per second. */
  cps: number;
  /** New calls are skipped (counted) while this many calls are up. */
  maxConcurrent: number;
  kinds: Record<CallKind, number>;
  outcomes: Record<CallOutcome, number>;
  ringMs: Range;
  /** Log-normal talk time: median and spread, clamped to min/max. */
  talkMs: { median: number; sigma: number; min: number; max: number };
  /** Probability that the caller (not the callee) ends an answered call. */
  callerHangsUp: number;
  /** Probability that an answered call gets each CRM operation. */
  operations: { blindTransfer: number; attendedTransfer: number; hold: number; record: number };
  /** External numbers inbound calls come from and outbound calls go to. */
  externalNumbers: string[];
}

export const STEADY_PROFILE: TrafficProfile = {
  cps: 0.2,
  maxConcurrent: 8,
  kinds: { inbound: 5, outbound: 3, internal: 1, queue: 1 },
  outcomes: { answered: 70, missed: 12, busy: 6, abandoned: 9, failed: 3 },
  ringMs: { min: 2000, max: 9000 },
  talkMs: { median: 25000, sigma: 0.6, min: 4000, max: 180000 },
  callerHangsUp: 0.5,
  operations: { blindTransfer: 0.05, attendedTransfer: 0.03, hold: 0.1, record: 0.05 },
  externalNumbers: ['+74951234567', '+74957654321', '+74951112233', '+78123334455', '+79161234567', '+74993332211'],
};

export class TrafficProfileError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** Checks a (partial) profile and fills in the rest from `base`; every problem is listed. */
export function resolveProfile(partial: Partial<TrafficProfile>, base: TrafficProfile = STEADY_PROFILE): TrafficProfile {
  const p: TrafficProfile = { ...base, ...partial };
  const problems: string[] = [];
  const positive = (v: number, name: string, allowZero = false): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) problems.push(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  };
  positive(p.cps, 'cps', true);
  positive(p.maxConcurrent, 'maxConcurrent');
  positive(p.ringMs.min, 'ringMs.min', true);
  positive(p.ringMs.max, 'ringMs.max', true);
  if (p.ringMs.max < p.ringMs.min) problems.push('ringMs.max must be >= ringMs.min');
  positive(p.talkMs.median, 'talkMs.median');
  if (Object.values(p.kinds).reduce((a, b) => a + b, 0) <= 0) problems.push('kinds weights must not all be zero');
  if (Object.values(p.outcomes).reduce((a, b) => a + b, 0) <= 0) problems.push('outcomes weights must not all be zero');
  if (p.externalNumbers.length === 0 || p.externalNumbers.some((n) => !/^\+?[0-9]{5,20}$/.test(n))) problems.push('externalNumbers must be a non-empty list of phone numbers');
  if (problems.length > 0) throw new TrafficProfileError(problems[0].split(' ')[0], problems.join('; '));
  return p;
}
