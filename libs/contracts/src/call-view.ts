import type { CallDirection, CallEndSource, CallStatus, HangupBy, RecordingSource, RecordingStatus, RecordingStorageKind } from './call-values';
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
  /** Null when the end was not observed (`endObserved: false`): unknown, not 0. */
  talkSeconds: number | null;
  holdSeconds: number;
  /** The specification's column: talk seconds (null like them). */
  duration: number | null;
  /**
   * Whether the end was seen: false when the call was gone by the time the ingest looked again
   * (a restart, a cut link) and its end is bounded by its last known event; null while live.
   */
  endObserved: boolean | null;
  /** How the end is known: `ami` (seen live), `cdr` (Asterisk's own CDR, after the fact), `unobserved`; null while live. */
  endSource: CallEndSource | null;
  hangupCause: number | null;
  hangupBy: HangupBy | null;
  answeredByExtension: string | null;
  assignedUserId: string | null;
  callerCompanyId: string | null;
  recordingUrl: string | null;
  crmCallId: string | null;
  /** Users whose phones took part (rang, answered, transferred): who may see the call. */
  participantUserIds: string[];
  /** When the step this state follows from happened (ISO-8601): with `eventSeq`, the state's version. */
  lastEventAt: string;
  /**
   * Order of that step among the call's steps of the same instant. A client keeps the view with
   * the highest (`lastEventAt`, `eventSeq`): see compareCallVersions.
   */
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

/** A recording of a call: its file's state and what was read from the file. */
export interface CallRecordingEntry {
  id: string;
  callId: string;
  /** The file's path under the PBX's monitor directory, as the PBX named it. */
  fileName: string;
  source: RecordingSource;
  status: RecordingStatus;
  /** Why the file is missing, rejected or could not be compressed; null otherwise. */
  statusReason: string | null;
  sizeBytes: number | null;
  /** Seconds of audio (milliseconds precision). */
  durationSeconds: number | null;
  /** Container/codec as read from the file: `wav`, `opus`, `mp3`, … */
  format: string | null;
  storage: RecordingStorageKind;
  /** Exempt from retention. */
  keep: boolean;
  startedAt: string;
  stoppedAt: string | null;
  /** This server's stream route (Authorization header); an `<audio>` element asks `…/url` for a signed one. */
  streamUrl: string;
}

/** A recording in the recordings list: the entry plus what a list shows of its call. */
export interface RecordingListItem extends CallRecordingEntry {
  call: Pick<CallView, 'direction' | 'status' | 'callerNumber' | 'receiverNumber' | 'startedAt' | 'assignedUserId' | 'pbxId'>;
}

export interface CallDetail {
  call: CallListItem;
  timeline: CallTimelineEntry[];
  recordings: CallRecordingEntry[];
}
