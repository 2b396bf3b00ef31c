import type { CallTrackerEventType } from '@app/ami/tracker/call-record';
import type { CallView } from './call-view';
import type { CallTimelineRow, TimelineSteps } from './store/call-write';

export type { EndStep, HoldStep, PartyStep, RecordingStep, TransferStep } from './store/call-write';

/**
 * Nest events the calls module emits (through @nestjs/event-emitter) once a step
 * of a call is stored: realtime pushes them to browsers, recordings links files.
 * Each step is announced once: a replayed or duplicate step is not announced again.
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
} as const satisfies Record<CallTrackerEventType, string>;

type EventNames = typeof CALL_EVENT_NAMES;
export type CallEventName = EventNames[CallTrackerEventType];

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
  [T in CallTrackerEventType as EventNames[T]]: CallEventBase & TimelineSteps[T];
};

export type CallRingingPayload = CallEventPayloads['call.ringing'];
export type CallAnsweredPayload = CallEventPayloads['call.answered'];
export type CallHeldPayload = CallEventPayloads['call.held'];
export type CallUnheldPayload = CallEventPayloads['call.unheld'];
export type CallTransferredPayload = CallEventPayloads['call.transferred'];
export type CallEndedPayload = CallEventPayloads['call.ended'];
export type RecordingStartedPayload = CallEventPayloads['recording.started'];
export type RecordingStoppedPayload = CallEventPayloads['recording.stopped'];

export interface CallEventMessage {
  name: CallEventName;
  payload: CallEventPayloads[CallEventName];
}

export function toCallEvent(step: CallTimelineRow, call: CallView, dryRun: boolean): CallEventMessage {
  return {
    name: CALL_EVENT_NAMES[step.type],
    payload: { call, at: new Date(step.occurredAt).toISOString(), dryRun, ...step.data } as CallEventPayloads[CallEventName],
  };
}
