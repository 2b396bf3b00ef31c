import type { CallTrackerEvent } from '@app/ami';
import type { CallTimelineType, TimelineSteps } from '@app/contracts';
import type { CallTableRow } from '../../calls';

/**
 * The `calls` row as the ingest writes it: the whole state of the call after one tracker
 * event, in the table's own shape (so the stored-call view is built by the calls context's
 * one mapper), plus the columns only the ingest sets. `recording_url` is the recordings
 * context's: it fills it once a file is ready.
 */
export interface CallRow extends Omit<CallTableRow, 'id' | 'recording_url'> {
  /** The tracker's id of the call (kept from the first write). */
  call_uid: string;
  /** Time of the tracker event this state follows from; with `event_seq`, orders writes of one call. */
  last_event_at: Date;
  /** The ingest process writing it (see CallIngestService.writerId). */
  writer: string;
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

/** Everything one tracker event makes the ingest write. */
export interface CallWrite {
  /** `pbx` + NUL + first linkedid: the queue's ordering key. */
  key: string;
  row: CallRow;
  timeline: CallTimelineRow;
  event: CallTrackerEvent;
}

export function callKey(pbxId: string, linkedid: string): string {
  return `${pbxId}\u0000${linkedid}`;
}
