/**
 * Values stored in `calls`; they mirror the tracker contract in libs/ami (CallRecord) and the
 * migration's CHECK constraints. Live: ringing, answered, on_hold. Terminal: answered, missed,
 * busy, abandoned, failed.
 */
export const CALL_STATUSES = ['ringing', 'answered', 'on_hold', 'missed', 'busy', 'abandoned', 'failed'] as const;
export type CallStatusValue = (typeof CALL_STATUSES)[number];

export const CALL_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export type CallDirectionValue = (typeof CALL_DIRECTIONS)[number];

export const HANGUP_PARTIES = ['caller', 'callee', 'system'] as const;
export type HangupParty = (typeof HANGUP_PARTIES)[number];
