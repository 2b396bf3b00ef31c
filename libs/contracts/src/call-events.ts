import type { CallTimelineType, TimelineSteps } from './call-timeline';
import type { CallView } from './call-view';

/**
 * The events the call ingest publishes once a step of a call is stored (after its write
 * commits), through the call-event bus: in-process in role `all`, over Redis between
 * processes and instances. Realtime pushes them to browsers, recordings links files.
 * Each step is published once; per call they are ordered by `call.eventSeq`.
 */
export const CALL_EVENT_NAMES = {
  ringing: 'call.ringing',
  answered: 'call.answered',
  held: 'call.held',
  unheld: 'call.unheld',
  transferred: 'call.transferred',
  ended: 'call.ended',
  recording_started: 'recording.started',
  recording_stopped: 'recording.stopped',
} as const satisfies Record<CallTimelineType, string>;

type EventNames = typeof CALL_EVENT_NAMES;
export type CallEventName = EventNames[CallTimelineType];

export interface CallEventBase {
  /** The call as stored after this step. */
  call: CallView;
  /** When the step happened (ISO-8601). */
  at: string;
  /** TEST_MODE: nothing was written and `call.id` is not a database id. */
  dryRun: boolean;
}

/** Payload of each event: the stored call plus the step's details (the same as its timeline row's data). */
export type CallEventPayloads = {
  [T in CallTimelineType as EventNames[T]]: CallEventBase & TimelineSteps[T];
};

/** One published event: its name and payload, matched. */
export type CallEventMessage = { [N in CallEventName]: { name: N; payload: CallEventPayloads[N] } }[CallEventName];

export type CallRingingPayload = CallEventPayloads['call.ringing'];
export type CallAnsweredPayload = CallEventPayloads['call.answered'];
export type CallHeldPayload = CallEventPayloads['call.held'];
export type CallUnheldPayload = CallEventPayloads['call.unheld'];
export type CallTransferredPayload = CallEventPayloads['call.transferred'];
export type CallEndedPayload = CallEventPayloads['call.ended'];
export type RecordingStartedPayload = CallEventPayloads['recording.started'];
export type RecordingStoppedPayload = CallEventPayloads['recording.stopped'];
