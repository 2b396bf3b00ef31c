import type { CallRecord } from '@app/ami';

/** Maps an extension to the id of the user who owns it (through `user_phones`), or null. */
export type UserOfExtension = (extension: string) => string | null;

export interface CallAssignment {
  userId: string | null;
  /** The extension the user was found through. */
  extension: string | null;
}

const NOBODY: CallAssignment = { userId: null, extension: null };

/**
 * Who a call belongs to (DESIGN.md section 3):
 * - someone talked: the last extension that talked and has a user, so a transfer
 *   credits the final agent and a ring-all or queue call only the member who answered;
 * - outbound and nobody talked: the caller's extension;
 * - otherwise the user whose extension rang, but only when exactly one user's
 *   extensions rang: a missed ring-all call is nobody's in particular.
 * The tracker never reports a `Local/` channel as an extension, so none is credited.
 */
export function assignCall(call: CallRecord, userOf: UserOfExtension): CallAssignment {
  const talked = call.agents.length > 0 ? call.agents : call.answeredBy ? [call.answeredBy] : [];
  for (let i = talked.length - 1; i >= 0; i--) {
    const userId = userOf(talked[i]);
    if (userId) return { userId, extension: talked[i] };
  }
  if (talked.length > 0 && call.direction !== 'outbound') return NOBODY;
  if (call.direction === 'outbound') {
    const userId = userOf(call.caller);
    return userId ? { userId, extension: call.caller } : NOBODY;
  }
  let found: CallAssignment = NOBODY;
  for (const extension of call.ringingExtensions) {
    const userId = userOf(extension);
    if (!userId || userId === found.userId) continue;
    if (found.userId) return NOBODY;
    found = { userId, extension };
  }
  return found;
}
