import type { CallStatus, HangupBy, HoldKind, RecordingSource, TransferKind } from './call-values';

/** The kinds of step a call's timeline holds (one per tracker event type). */
export const CALL_TIMELINE_TYPES = ['ringing', 'answered', 'held', 'unheld', 'transferred', 'recording_started', 'recording_stopped', 'ended'] as const;
export type CallTimelineType = (typeof CALL_TIMELINE_TYPES)[number];

/** A phone rang or answered. */
export interface PartyStep {
  extension: string | null;
  channel: string;
  /** The user owning that extension. */
  userId: string | null;
}

export interface HoldStep {
  by: HoldKind;
  /** Length of the hold that just ended (unheld only). */
  seconds?: number;
}

/** The call went from one party to another: with the users, the chain reads from the timeline. */
export interface TransferStep {
  kind: TransferKind;
  from: string | null;
  to: string;
  fromUserId: string | null;
  toUserId: string | null;
}

export interface RecordingStep {
  file: string;
  path: string | null;
  source: RecordingSource;
}

export interface EndStep {
  status: CallStatus;
  hangupBy: HangupBy | null;
  hangupCause: number | null;
  ringSeconds: number;
  /** Null when the end was not observed (`lost`) or the caller was not (`callerUnseen`): unknown. */
  talkSeconds: number | null;
  holdSeconds: number;
  /** Every extension that talked, in order. */
  agents: string[];
  /**
   * Set when the call ended while no ingest was listening (found open in the database but
   * gone from the PBX's channel list, or gone after a cut link): the status is the last one
   * known, the end only bounded by the last event seen, the talk unknown.
   */
  lost?: true;
  /**
   * Set when the call was picked up from the PBX's channel listing after its caller had gone (a
   * transferred call whose caller left while nobody listened): the end was seen, but who called
   * and what happened before were not; the CDR completes it (then `endSource: 'cdr'`).
   */
  callerUnseen?: true;
}

/** What each kind of step records in `call_events.data` (and carries in its call event). */
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
