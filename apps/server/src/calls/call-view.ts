import type { CallDirection, CallStatus, HangupBy } from '@app/ami/tracker/call-record';
import type { CallRow } from './store/call-write';

/**
 * A call as stored in `calls`, in the shape the REST API returns and the `call.*`
 * Nest events carry. Times are ISO-8601 strings.
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
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The view of what the ingest stored for one step (the row id comes from the database). */
export function callViewFromRow(id: string, row: CallRow): CallView {
  return {
    id,
    pbxId: row.pbxId,
    linkedid: row.linkedid,
    direction: row.direction,
    status: row.status,
    callerNumber: row.callerNumber,
    callerName: row.callerName,
    receiverNumber: row.receiverNumber,
    did: row.did,
    externalNumber: row.externalNumber,
    startedAt: new Date(row.startedAt).toISOString(),
    answeredAt: iso(row.answeredAt),
    endedAt: iso(row.endedAt),
    ringSeconds: row.ringSeconds,
    talkSeconds: row.talkSeconds,
    holdSeconds: row.holdSeconds,
    duration: row.talkSeconds,
    hangupCause: row.hangupCause,
    hangupBy: row.hangupBy,
    answeredByExtension: row.answeredByExtension,
    assignedUserId: row.assignedUserId,
    callerCompanyId: row.callerCompanyId,
    recordingUrl: row.recordingUrl,
    crmCallId: row.crmCallId,
  };
}
