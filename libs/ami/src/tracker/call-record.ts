/**
 * What the call tracker knows about one call: the contract between libs/ami and
 * the server's calls, realtime and recordings modules. Times are ms since epoch
 * (arrival time of the AMI read, or the event's `Timestamp:` header when sent).
 */
import type { CallDirection, CallStatus, HangupBy, HoldKind, RecordingSource, TransferKind } from '@app/contracts';

export type { CallDirection, CallStatus, HangupBy, TerminalCallStatus } from '@app/contracts';

export interface CallTransfer {
  kind: TransferKind;
  /** Extension that handed the call over (null when not an extension). */
  from: string | null;
  /** Extension or number the call went to. */
  to: string;
  at: number;
}

export interface CallHold {
  /** `server`: CRM/AMI hold (Redirect to MOH); `phone`: the handset's own hold (Hold/Unhold events). */
  by: HoldKind;
  startedAt: number;
  endedAt: number | null;
  seconds: number;
}

export interface CallRecording {
  /**
   * The file's path under Asterisk's monitor directory, e.g. `20261126-123700-1001-1002.wav`,
   * or `2026/12/05/rg-600-…wav` where the dialplan files recordings in dated folders (FreePBX).
   */
  file: string;
  /** Absolute path when the PBX told it (MixMonitor), else null (Monitor spool + file). */
  path: string | null;
  source: RecordingSource;
  startedAt: number;
  stoppedAt: number | null;
}

/** A recording an ingest stored for a call still open: what a call rebuilt from a listing cannot learn again. */
export type StoredRecording = Pick<CallRecording, 'file' | 'path' | 'source'>;

/**
 * Who a live channel is in its call: `caller` the channel that started it; `agent` another
 * phone of ours (an extension); `callee` another trunk (the external party of an outbound
 * call); `local-half` one half of a `Local/…;1|;2` pair (it stands for the far end of its
 * chain); `other` anything else Asterisk makes (announcers, snoops).
 */
export type CallLegRole = 'caller' | 'callee' | 'agent' | 'local-half' | 'other';

/** `up`: answered (ChannelState 6); `held`: up and on hold (phone `Hold` or music on hold); `ringing`: not answered yet. */
export type CallLegState = 'ringing' | 'up' | 'held';

/** One live channel of a call: what call control needs to address it (Redirect, Hangup, MixMonitor, Bridge). */
export interface CallLeg {
  channel: string;
  uniqueid: string;
  role: CallLegRole;
  /** Extension number for a phone of ours, else null. */
  extension: string | null;
  /** The bridge it is in (`BridgeUniqueid`), else null. */
  bridgeId: string | null;
  state: CallLegState;
}

export interface CallRecord {
  pbx: string;
  /** The tracker's own id: stable even when Asterisk changes the Linkedid mid-call. */
  callId: string;
  /** Current Linkedid. */
  linkedid: string;
  /** Every Linkedid this call has had, first one first. */
  linkedids: string[];
  direction: CallDirection;
  /** Caller number as presented (external number or extension). */
  caller: string;
  callerName: string | null;
  /** Dialled number or extension (the DID for inbound calls). */
  callee: string;
  /** Trunk peer name for calls crossing a trunk (`provider`), else null. */
  trunk: string | null;
  /** Extensions that rang, in order of first ring. */
  ringingExtensions: string[];
  /** Extension that answered first (null if unanswered). */
  answeredBy: string | null;
  /** Every extension that talked, in order (after transfers the last one is the final agent). */
  agents: string[];
  status: CallStatus;
  ended: boolean;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  ringSeconds: number;
  talkSeconds: number;
  holdSeconds: number;
  hangupBy: HangupBy | null;
  hangupCause: number | null;
  recordings: CallRecording[];
  transfers: CallTransfer[];
  holds: CallHold[];
  /** `CRM_CALL_ID` channel variable of a CRM click-to-call, else null. */
  crmCallId: string | null;
  /**
   * Why the call is over (null while live): `hangup` (its last channel hung up), `lost`
   * (its channels were missing from the CoreShowChannels snapshot after a reconnect or
   * restart: times and status are what was known), `merged` (joined into another call,
   * see `mergedInto`), `originate_failed` (an Originate that never made a channel).
   * Optional so records built elsewhere stay valid; the tracker always sets it.
   */
  endReason?: CallEndReason | null;
  /** callId of the call this one was joined into (a transfer or pickup linking two Linkedids). */
  mergedInto?: string | null;
  /** ActionID of the `Originate` that started this call (from `OriginateResponse`), else null. */
  originateActionId?: string | null;
  /**
   * False for a call picked up from a channel listing after its caller's channel had gone (a
   * transferred call whose caller left while nobody listened): who called, the direction and
   * what happened before the listing are guesses from the channels left; Asterisk's CDR knows.
   * Optional so records built elsewhere stay valid; the tracker always sets it.
   */
  callerSeen?: boolean;
  /**
   * The call's live channels, in the order they appeared; a channel that hung up is gone
   * (an ended call has none). Optional so records built elsewhere stay valid; the tracker always sets it.
   */
  legs?: CallLeg[];
}

export type CallEndReason = 'hangup' | 'lost' | 'merged' | 'originate_failed';

export type CallTrackerEvent =
  | { type: 'ringing'; at: number; call: CallRecord; extension: string | null; channel: string }
  | { type: 'answered'; at: number; call: CallRecord; extension: string | null; channel: string }
  | { type: 'held'; at: number; call: CallRecord; by: HoldKind }
  | { type: 'unheld'; at: number; call: CallRecord; by: HoldKind; seconds: number }
  | { type: 'transferred'; at: number; call: CallRecord; transfer: CallTransfer }
  | { type: 'recording_started'; at: number; call: CallRecord; recording: CallRecording }
  | { type: 'recording_stopped'; at: number; call: CallRecord; recording: CallRecording }
  | { type: 'ended'; at: number; call: CallRecord };

export type CallTrackerEventType = CallTrackerEvent['type'];
