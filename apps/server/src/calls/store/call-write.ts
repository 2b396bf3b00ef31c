import type { CallDirection, CallStatus, CallTrackerEvent, HangupBy } from '@app/ami/tracker/call-record';

/** The `calls` row as the ingest writes it: the whole state of the call after one tracker event. */
export interface CallRow {
  pbxId: string;
  /** The call's first Linkedid: the stable key even when Asterisk changes the Linkedid mid-call. */
  linkedid: string;
  callUid: string;
  direction: CallDirection;
  status: CallStatus;
  callerNumber: string;
  callerName: string | null;
  receiverNumber: string;
  did: string | null;
  /** The external party's number, normalised (E.164 when it parses), for company lookup and call-backs. */
  externalNumber: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  ringSeconds: number;
  talkSeconds: number;
  holdSeconds: number;
  hangupCause: number | null;
  hangupBy: HangupBy | null;
  answeredByExtension: string | null;
  assignedUserId: string | null;
  callerCompanyId: string | null;
  recordingUrl: string | null;
  crmCallId: string | null;
  /** Time of the tracker event this state follows from; with `eventSeq`, orders writes of one call. */
  lastEventAt: number;
  /** Index of that event among the call's events in this process. */
  eventSeq: number;
}

export type CallTimelineType = CallTrackerEvent['type'];

/** A phone rang or answered. */
export interface PartyStep {
  extension: string | null;
  channel: string;
  /** The user owning that extension. */
  userId: string | null;
}

export interface HoldStep {
  by: 'server' | 'phone';
  /** Length of the hold that just ended (unheld only). */
  seconds?: number;
}

/** The call went from one party to another: with the users, the chain reads from the timeline. */
export interface TransferStep {
  kind: 'blind' | 'attended';
  from: string | null;
  to: string;
  fromUserId: string | null;
  toUserId: string | null;
}

export interface RecordingStep {
  file: string;
  path: string | null;
  source: 'monitor' | 'mixmonitor';
}

export interface EndStep {
  status: CallStatus;
  hangupBy: HangupBy | null;
  hangupCause: number | null;
  ringSeconds: number;
  talkSeconds: number;
  holdSeconds: number;
  /** Every extension that talked, in order. */
  agents: string[];
  /**
   * Set when the call ended while no ingest was listening (found open in the database but
   * gone from the PBX's channel list): status and seconds are the last ones known.
   */
  lost?: true;
}

/** What each kind of step records in `call_events.data`. */
export interface TimelineSteps {
  ringing: PartyStep;
  answered: PartyStep;
  held: HoldStep;
  unheld: HoldStep;
  transferred: TransferStep;
  recording_started: RecordingStep;
  recording_stopped: RecordingStep;
  ended: EndStep;
}

/** One `call_events` row: a step of the call for the supervisor's timeline. */
export interface CallTimelineRow {
  type: CallTimelineType;
  occurredAt: number;
  seq: number;
  data: TimelineSteps[CallTimelineType];
  /** Unique per call: the same step delivered twice is stored once. */
  dedupeKey: string;
}

export interface CallRecordingRow {
  fileName: string;
  path: string | null;
  source: 'monitor' | 'mixmonitor';
  startedAt: number;
  stoppedAt: number | null;
}

/** Everything one tracker event makes the ingest write. */
export interface CallWrite {
  /** `pbx` + NUL + first linkedid: the queue's ordering key. */
  key: string;
  row: CallRow;
  timeline: CallTimelineRow;
  /** Recordings to upsert with this write (set on recording and end events). */
  recordings: CallRecordingRow[] | null;
  event: CallTrackerEvent;
}

export function callKey(pbxId: string, linkedid: string): string {
  return `${pbxId}\u0000${linkedid}`;
}
