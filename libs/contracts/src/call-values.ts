/**
 * The values a call takes, defined once: the tracker (libs/ami), the database (the entity's
 * CHECK constraints; the migrations repeat them as history), the REST API, statistics and the
 * browser all read these lists.
 */

/** Live states, in the order a call passes through them. */
export const LIVE_CALL_STATUSES = ['ringing', 'answered', 'on_hold'] as const;
/** Final outcomes. `answered` is both: talking now, or completed after an answer. */
export const TERMINAL_CALL_STATUSES = ['answered', 'missed', 'busy', 'abandoned', 'failed'] as const;
export const CALL_STATUSES = ['ringing', 'answered', 'on_hold', 'missed', 'busy', 'abandoned', 'failed'] as const;
/** Outcomes of an inbound call nobody talked to: each is a missed chance to serve the caller. */
export const UNANSWERED_CALL_STATUSES = ['missed', 'abandoned', 'busy'] as const;

export type CallStatus = (typeof CALL_STATUSES)[number];
export type TerminalCallStatus = (typeof TERMINAL_CALL_STATUSES)[number];
export type LiveCallStatus = (typeof LIVE_CALL_STATUSES)[number];
export type UnansweredCallStatus = (typeof UNANSWERED_CALL_STATUSES)[number];

export const CALL_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

/** Who ended the call: the caller, the other party, or the PBX/CRM (an AMI Hangup, a timeout). */
export const HANGUP_PARTIES = ['caller', 'callee', 'system'] as const;
export type HangupBy = (typeof HANGUP_PARTIES)[number];

export const RECORDING_SOURCES = ['monitor', 'mixmonitor'] as const;
export type RecordingSource = (typeof RECORDING_SOURCES)[number];

/**
 * Where a recording's file stands. `pending`: the call is recording or its file has not appeared
 * yet; `ready`: the file is there and measured; `empty`: the file holds no audio (an unanswered
 * call's 44-byte WAV); `missing`: no file appeared before the deadline; `rejected`: the name the
 * PBX gave is unsafe (it would leave the recordings folder); `deleted`: removed by retention.
 */
export const RECORDING_STATUSES = ['pending', 'ready', 'empty', 'missing', 'rejected', 'deleted'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/** Where a recording's file is kept: the recordings folder, or S3-compatible object storage. */
export const RECORDING_STORAGES = ['local', 's3'] as const;
export type RecordingStorageKind = (typeof RECORDING_STORAGES)[number];

export const HOLD_KINDS = ['server', 'phone'] as const;
/** `server`: the CRM's hold (Redirect to music on hold); `phone`: the handset's own hold. */
export type HoldKind = (typeof HOLD_KINDS)[number];

/** How a call's end is known: seen on AMI, completed from Asterisk's CDR, or not observed at all. */
export const CALL_END_SOURCES = ['ami', 'cdr', 'unobserved'] as const;
export type CallEndSource = (typeof CALL_END_SOURCES)[number];

export const TRANSFER_KINDS = ['blind', 'attended'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/** `column IN ('a', 'b')` for an entity's CHECK constraint, from one of the lists above. */
export function sqlIn(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
}
