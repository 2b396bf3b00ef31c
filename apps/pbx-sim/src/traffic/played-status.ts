import type { PlaceCallRequest } from '../engine/call-placer';

/**
 * The final status a generated call's script must end in: its outcome, except that a queue call
 * nobody answers ends with the caller giving up (CallPlacer sets abandonAfterRingMs): abandoned.
 */
export function playedStatus(req: PlaceCallRequest): string {
  const outcome = req.outcome ?? 'answered';
  return req.kind === 'queue' && outcome !== 'answered' ? 'abandoned' : outcome;
}
