import type { HoldKind, RecordingSource } from './call-values';

/**
 * Call control: the commands an operator or supervisor gives a call in progress (Socket.IO
 * commands and their REST twins) and what the PBX confirmed. A command is answered once the
 * PBX's own events show its effect (AMI `Response: Success` only means "queued"), or with
 * `NOT_CONFIRMED` when they do not within the deadline. docs/call-control.md has the details.
 */

/** `blind`: the call goes to the target at once; `attended`: the operator talks to the target first, then completes or cancels. */
export const TRANSFER_MODES = ['blind', 'attended'] as const;
export type TransferMode = (typeof TRANSFER_MODES)[number];

/** Why a command was refused or failed: `error.code` of a refused ack and of a REST error. */
export const CALL_CONTROL_ERROR_CODES = [
  /** The request is malformed (a field missing, CR/LF in a number, ...): nothing was sent. */
  'VALIDATION_FAILED',
  /** No such call, or not one this user may see. */
  'CALL_NOT_FOUND',
  /** The call is over (in the database or on the PBX). */
  'CALL_ENDED',
  /** An operator acts only on calls their phone is on now. */
  'NOT_A_PARTY',
  /** The user has no extension to act from (click-to-call, pause, an operator's command). */
  'NO_EXTENSION',
  /** The transfer target does not exist: no such user, user without extension, unknown extension. */
  'TARGET_NOT_FOUND',
  /** The target is the operator's own extension, or the party being transferred. */
  'TARGET_IS_SOURCE',
  /** The call is not in a state the command applies to (not answered, not connected, already on hold...). */
  'INVALID_STATE',
  /** The call reaches the phone through Local channels (a ring group, a queue): hold it on the phone. */
  'NOT_SUPPORTED',
  /** No process controls that PBX now (the ingest is down, on standby, or not logged in): nothing was sent. */
  'PBX_UNAVAILABLE',
  /** Asterisk refused the action (`Response: Error`): its message is quoted. */
  'PBX_REFUSED',
  /** Asterisk accepted the action but its events did not confirm the effect within the deadline. */
  'NOT_CONFIRMED',
  /** The command started but its originate attempt failed (`OriginateResponse: Failure`). */
  'ORIGINATE_FAILED',
  /** Agent pause: the user's phone is a member of no queue (of the one named). */
  'NOT_A_QUEUE_MEMBER',
] as const;
export type CallControlErrorCode = (typeof CALL_CONTROL_ERROR_CODES)[number];

// ---- requests -----------------------------------------------------------------------------

/**
 * The specification's `transfer-call`. The target is exactly one of a user (their extension),
 * an extension or an external number.
 */
export interface TransferCallRequest {
  /** The CRM call id (`CallView.id`). */
  callId: string;
  targetUserId?: string;
  extension?: string;
  number?: string;
  /** Kept in the audit log; no CR, LF or NUL, at most 200 characters. */
  transferReason?: string;
  /** Default `blind`. */
  mode?: TransferMode;
}

/** Completes or cancels the attended transfer in progress on the call. */
export interface TransferStepRequest {
  callId: string;
}

/** The specification's `hold-call`: `isHold` true holds, false takes the call off hold. */
export interface HoldCallRequest {
  callId: string;
  isHold: boolean;
}

export interface HangupCallRequest {
  callId: string;
}

export interface RecordCallRequest {
  callId: string;
  on: boolean;
}

/** Click-to-call: the user's own phone rings first, then `number` is dialled. */
export interface OriginateCallRequest {
  number: string;
  /** The CRM record the call belongs to (set as `CRM_CALL_ID`); one is made up when left out. */
  crmCallId?: string;
  /** Which PBX to call through; required only when several are configured. */
  pbxId?: string;
}

/** Pauses (or resumes) the user as a queue member: not a hold, callers are not affected. */
export interface AgentPauseRequest {
  paused: boolean;
  /** One queue; every queue the user is a member of when left out. */
  queue?: string;
  reason?: string;
}

// ---- what the PBX confirmed ---------------------------------------------------------------

export type CallControlConfirmed =
  /** Music on hold reaches the other party. */
  | { kind: 'held'; by: HoldKind }
  /** Both parties are talking again; `seconds` of hold. */
  | { kind: 'unheld'; seconds: number }
  /** The call went to `to` (blind) or joined the consulted target (attended completed). */
  | { kind: 'transferred'; mode: TransferMode; from: string | null; to: string }
  /** Attended transfer started: the other party hears music, `to` is being dialled. */
  | { kind: 'consulting'; to: string }
  /** The consultation ended; the operator talks to the party again. */
  | { kind: 'consultation_cancelled'; to: string }
  /** The channels hung up; `callEnded` when that ended the call. */
  | { kind: 'hung_up'; channels: string[]; callEnded: boolean }
  | { kind: 'recording_started'; file: string; source: RecordingSource }
  | { kind: 'recording_stopped'; file: string; source: RecordingSource }
  /** The user's phone rings; `call:originated` follows when it answers or fails. */
  | { kind: 'originating'; crmCallId: string; channelId: string; extension: string; number: string }
  /** The queues in which the member is now paused (or unpaused). */
  | { kind: 'paused'; paused: boolean; queues: string[]; interfaces: string[] };

/** A command's answer once confirmed: `{ ok: true, ...this }` on the socket, the body of a REST 200. */
export interface CallControlConfirmation {
  /** The CRM call id; null for click-to-call (the row appears with the PBX's first events) and agent pause. */
  callId: string | null;
  pbxId: string;
  confirmed: CallControlConfirmed;
  /** When the confirming event arrived (ISO-8601). */
  at: string;
}

/**
 * Pushed to the user who placed a click-to-call when the PBX reports its outcome
 * (`OriginateResponse`): `answered` (their phone answered; the number is being dialled) or
 * `failed` with Asterisk's reason (`0` no such phone / failure, `1` hung up, `3` no answer,
 * `5` busy, `8` congestion).
 */
export interface CallOriginatedEvent {
  crmCallId: string;
  pbxId: string;
  channelId: string;
  outcome: 'answered' | 'failed';
  reason: string | null;
  at: string;
}

/**
 * Pushed to the user who started an attended transfer: `answered` when the consulted target
 * answers (`complete-transfer` works from then on), `ended` when the consultation ends without
 * the transfer (the target did not answer or hung up: the operator is back with the party).
 */
export interface CallConsultationEvent {
  /** The CRM call id. */
  callId: string;
  pbxId: string;
  /** The target consulted. */
  to: string;
  state: 'answered' | 'ended';
  at: string;
}
