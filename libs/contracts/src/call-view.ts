import type { CallDirection, CallStatus, HangupBy, RecordingSource } from './call-values';
import type { CallTimelineType, TimelineSteps } from './call-timeline';

/**
 * A call as stored in `calls`, in the shape the REST API returns, the call events carry and
 * the browser shows. Times are ISO-8601 strings; ids are strings (bigint-safe).
 */
export interface CallView {
  id: string;
  pbxId: string;
  linkedid: string;
  direction: CallDirection;
  status: CallStatus;
  callerNumber: string;
  callerName: string | null;
  receiverNumber: string;
  did: string | null;
  externalNumber: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  ringSeconds: number;
  talkSeconds: number;
  holdSeconds: number;
  /** The specification's column: talk seconds. */
  duration: number;
  hangupCause: number | null;
  hangupBy: HangupBy | null;
  answeredByExtension: string | null;
  assignedUserId: string | null;
  callerCompanyId: string | null;
  recordingUrl: string | null;
  crmCallId: string | null;
  /** Users whose phones took part (rang, answered, transferred): who may see the call. */
  participantUserIds: string[];
  /** Grows with every stored step of the call: a client keeps the view with the highest. */
  eventSeq: number;
}

/** A call for lists and detail: the stored call plus the names a screen shows. */
export interface CallListItem extends CallView {
  /** Full name of the assigned user, else their username. */
  assignedUserName: string | null;
  callerCompanyName: string | null;
}

export interface CallTimelineEntry<T extends CallTimelineType = CallTimelineType> {
  id: string;
  type: T;
  occurredAt: string;
  data: TimelineSteps[T];
}

export interface CallRecordingEntry {
  id: string;
  fileName: string;
  source: RecordingSource;
  sizeBytes: number | null;
  durationSeconds: number | null;
  format: string | null;
  startedAt: string;
  stoppedAt: string | null;
}

export interface CallDetail {
  call: CallListItem;
  timeline: CallTimelineEntry[];
  recordings: CallRecordingEntry[];
}
