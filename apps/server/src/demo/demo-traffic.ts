import type { PlaceCallRequest, TrafficProfile } from '../../../pbx-sim/src';

/**
 * The simulator's steady profile, a little livelier: a new call every 4 s on average, and
 * conversations of half a minute (at least 12 s), so a newcomer watching the page sees calls
 * start and end within the first minute and still has the time to hold, transfer or hang up
 * one. Unanswered outcomes end after their ring time (2-9 s).
 */
export const DEMO_TRAFFIC: Partial<TrafficProfile> = {
  cps: 0.25,
  talkMs: { median: 30_000, sigma: 0.5, min: 12_000, max: 120_000 },
};

/**
 * Placed as soon as the CRM's AMI login is up, so the first minute never depends on the
 * random arrivals: Romashka LLC calls Alice's DID (74959876543 -> 1001), she answers after
 * 3 s and the caller hangs up after 10 s of talk.
 */
export const FIRST_DEMO_CALL: PlaceCallRequest = {
  kind: 'inbound',
  from: '+74951234567',
  to: '74959876543',
  outcome: 'answered',
  ringMs: 3_000,
  talkMs: 10_000,
  hangupBy: 'caller',
};
