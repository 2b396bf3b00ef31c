import type {
  AgentPauseRequest,
  CallConsultationEvent,
  CallControlConfirmation,
  CallOriginatedEvent,
  HangupCallRequest,
  HoldCallRequest,
  OriginateCallRequest,
  RecordCallRequest,
  TransferCallRequest,
  TransferStepRequest,
} from './call-control';
import type { EndStep, HoldStep, PartyStep, RecordingStep, TransferStep } from './call-timeline';
import type { CallListItem, CallView } from './call-view';
import type { UserRole, UserStatus } from './user-values';

/**
 * The Socket.IO contract between the server's realtime gateway and the browser: what each side
 * emits, with its payload. Typed for both ends:
 *
 *   server: `Server<ClientToServerEvents, ServerToClientEvents>`
 *   browser: `io(url, { auth: { token } }) as Socket<ServerToClientEvents, ClientToServerEvents>`
 *
 * docs/realtime.md describes every event, who receives it and how a client keeps its state.
 */

/** What the client sends in the handshake (`io(url, { auth })`): the access token of POST /api/auth/login. */
export interface RealtimeAuth {
  token: string;
}

/** Why a handshake was refused: `connect_error`'s `data.code` (its `message` says it in words). */
export const REALTIME_CONNECT_ERROR_CODES = ['UNAUTHORIZED', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'TOKEN_REVOKED', 'USER_DEACTIVATED', 'UNAVAILABLE'] as const;
export type RealtimeConnectErrorCode = (typeof REALTIME_CONNECT_ERROR_CODES)[number];

/** `connect_error`'s `data`. */
export interface RealtimeConnectErrorData {
  code: RealtimeConnectErrorCode;
}

// ---- cards and states ---------------------------------------------------------------------

/** The caller's company, for the popup. */
export interface CompanyCard {
  id: string;
  name: string;
  /** Every number of the company, as entered and normalised. */
  phones: Array<{ phoneNumber: string; normalizedNumber: string }>;
}

/** A user, as a popup or a supervisor's board names them. */
export interface UserCard {
  id: string;
  username: string;
  /** First and last name, when known. */
  fullName: string | null;
}

/** Statuses a user chooses with `set-status`; `offline` only means "no connection". */
export const SELECTABLE_USER_STATUSES = ['online', 'away', 'busy'] as const;
export type SelectableUserStatus = (typeof SELECTABLE_USER_STATUSES)[number];

/**
 * A phone's state as the PBX reports it (`ExtensionStatus` of its hint, `DeviceStateChange` of
 * its device), independent of the user's presence: an operator may be online with the phone
 * unplugged (`unavailable`).
 */
export const DEVICE_STATES = ['idle', 'in_use', 'busy', 'unavailable', 'ringing', 'ringing_in_use', 'on_hold', 'unknown'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** One phone's latest state. */
export interface PhoneState {
  pbxId: string;
  /** The extension (hint) or device peer name, e.g. `1001`. */
  extension: string;
  /** The user owning that extension, when one does. */
  userId: string | null;
  state: DeviceState;
  /** When the PBX reported it (ISO-8601). */
  at: string;
  /** Reported by an ingest in TEST_MODE. */
  test: boolean;
}

/** One user's presence. */
export interface UserPresence extends UserCard {
  role: UserRole;
  status: UserStatus;
}

// ---- call events --------------------------------------------------------------------------

/**
 * What every call event carries. A client keeps, per `call.id`, the view with the highest
 * version (see {@link compareCallVersions}) and ignores events that are not newer.
 */
export interface RealtimeCallEvent {
  /** The call as stored after this step (`eventSeq`, `lastEventAt`: its version). */
  call: CallView;
  /** When the step happened (ISO-8601). */
  at: string;
  /** Tracked by an ingest in TEST_MODE: nothing was stored and `call.id` is not a database id. */
  test: boolean;
}

/** A phone rings: the popup. Sent to that phone's user and to supervisors, once per ringing phone. */
export interface CallIncomingEvent extends RealtimeCallEvent {
  /** The phone that rings now (a ring group or queue rings several: one event each). */
  ringing: PartyStep;
  /** The caller's company, when the number is known. */
  company: CompanyCard | null;
  /** The user the call is attributed to so far (the DID's or ringing phone's owner). */
  assignedUser: UserCard | null;
}

/** Someone answered: every other ringing user's popup closes. */
export interface CallAnsweredEvent extends RealtimeCallEvent {
  answeredBy: PartyStep;
}

/** A step that changes a live call without ringing, answering or ending it. */
export type CallUpdateStep =
  | ({ type: 'ringing' } & PartyStep)
  | ({ type: 'held' } & HoldStep)
  | ({ type: 'unheld' } & HoldStep)
  | ({ type: 'transferred' } & TransferStep)
  | ({ type: 'recording_started' } & RecordingStep)
  | ({ type: 'recording_stopped' } & RecordingStep);

/**
 * Hold, transfer, recording; and, for those who see the call but are not rung, another phone
 * ringing.
 */
export interface CallUpdatedEvent extends RealtimeCallEvent {
  step: CallUpdateStep;
}

export interface CallEndedEvent extends RealtimeCallEvent {
  end: EndStep;
}

// ---- presence -----------------------------------------------------------------------------

/** A user's presence changed, or one of their phones changed state. */
export type UserStatusEvent =
  | { kind: 'presence'; userId: string; status: UserStatus; at: string }
  | ({ kind: 'device' } & PhoneState);

// ---- connection ---------------------------------------------------------------------------

/** A call in progress as the snapshot lists it. */
export interface SnapshotCall {
  call: CallListItem;
  company: CompanyCard | null;
  /** While the call rings: the phones ringing (a popup for each of their users). */
  ringing: PartyStep[];
}

/**
 * Sent on every connection (a reconnect is a new connection): the state a client rebuilds its
 * screen from. Live events sent after it are newer or equal; a client replaces its state with
 * the snapshot and applies events from there.
 */
export interface RealtimeSnapshot {
  at: string;
  me: UserPresence;
  /** Calls in progress the user may see, newest first. */
  calls: SnapshotCall[];
  /** Supervisors and admins: every user; operators: only themselves. */
  users: UserPresence[];
  /** Supervisors and admins: every phone known; operators: their own. */
  phones: PhoneState[];
  /** This server process runs with TEST_MODE (an ingest in another process may not: each event says so itself). */
  test: boolean;
}

export const SESSION_END_REASONS = ['token_expired', 'user_deleted', 'user_deactivated', 'role_changed', 'sessions_revoked'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** Sent just before the server closes the connection for good: log in again (or stop, when deleted). */
export interface SessionEndedEvent {
  reason: SessionEndReason;
  message: string;
}

// ---- commands -----------------------------------------------------------------------------

/** Why a command failed: a stable code and a sentence for people (and, for some codes, what is known). */
export interface RealtimeError {
  code: string;
  message: string;
  /** Call control: the fields a VALIDATION_FAILED names, what NOT_CONFIRMED knows (the PBX's answer). */
  details?: unknown;
}

/** Every command's acknowledgement: `{ ok: true, ... }` or `{ ok: false, error }`. */
export type RealtimeAck<T extends object = object> = ({ ok: true } & T) | { ok: false; error: RealtimeError };

export interface SetStatusRequest {
  status: SelectableUserStatus;
}

// ---- the maps -----------------------------------------------------------------------------

export interface ServerToClientEvents {
  snapshot: (snapshot: RealtimeSnapshot) => void;
  'call:incoming': (event: CallIncomingEvent) => void;
  'call:answered': (event: CallAnsweredEvent) => void;
  'call:updated': (event: CallUpdatedEvent) => void;
  'call:ended': (event: CallEndedEvent) => void;
  'user:status': (event: UserStatusEvent) => void;
  'session:ended': (event: SessionEndedEvent) => void;
  /** The outcome of the user's own click-to-call (`originate-call`). */
  'call:originated': (event: CallOriginatedEvent) => void;
  /** The target of the user's own attended transfer answered, or the consultation ended without it. */
  'call:consultation': (event: CallConsultationEvent) => void;
}

/** A call-control command's acknowledgement: what the PBX confirmed, or why not. */
export type CallControlAck = RealtimeAck<CallControlConfirmation>;

/**
 * Commands, each answered through the Socket.IO acknowledgement with a {@link RealtimeAck}.
 * Call control (docs/call-control.md) answers once the PBX's events confirmed the effect.
 */
export interface ClientToServerEvents {
  'set-status': (request: SetStatusRequest, ack: (result: RealtimeAck<{ status: SelectableUserStatus }>) => void) => void;
  'transfer-call': (request: TransferCallRequest, ack: (result: CallControlAck) => void) => void;
  'complete-transfer': (request: TransferStepRequest, ack: (result: CallControlAck) => void) => void;
  'cancel-transfer': (request: TransferStepRequest, ack: (result: CallControlAck) => void) => void;
  'hold-call': (request: HoldCallRequest, ack: (result: CallControlAck) => void) => void;
  'hangup-call': (request: HangupCallRequest, ack: (result: CallControlAck) => void) => void;
  'record-call': (request: RecordCallRequest, ack: (result: CallControlAck) => void) => void;
  'originate-call': (request: OriginateCallRequest, ack: (result: CallControlAck) => void) => void;
  'agent-pause': (request: AgentPauseRequest, ack: (result: CallControlAck) => void) => void;
}

export type ServerToClientEventName = keyof ServerToClientEvents;
export type ClientToServerEventName = keyof ClientToServerEvents;

/**
 * Orders two states of one call: negative when `a` is older than `b`. The version is
 * (`lastEventAt`, `eventSeq`): the step's time first, because `eventSeq` restarts when an
 * ingest process restarts, then the sequence among steps of the same instant.
 */
export function compareCallVersions(a: Pick<CallView, 'lastEventAt' | 'eventSeq'>, b: Pick<CallView, 'lastEventAt' | 'eventSeq'>): number {
  const byTime = Date.parse(a.lastEventAt) - Date.parse(b.lastEventAt);
  return byTime !== 0 ? byTime : a.eventSeq - b.eventSeq;
}
