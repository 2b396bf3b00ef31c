import type { CallDirection, CallStatus, HangupBy } from '@app/ami/tracker/call-record';
import type { CallView } from '../call-view';

/** A call for lists and detail: the stored call plus the names a screen shows. */
export interface CallListItem extends CallView {
  /** Full name of the assigned user, else their username. */
  assignedUserName: string | null;
  callerCompanyName: string | null;
}

/** The columns of a `calls` row a view needs (pg types: integers as numbers, timestamptz as Date). */
export interface CallTableRow {
  id: number;
  pbx_id: string;
  linkedid: string;
  direction: CallDirection;
  status: CallStatus;
  caller_number: string;
  caller_name: string | null;
  receiver_number: string;
  did: string | null;
  external_number: string | null;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  ring_seconds: number;
  talk_seconds: number;
  hold_seconds: number;
  duration: number;
  hangup_cause: number | null;
  hangup_by: HangupBy | null;
  answered_by_extension: string | null;
  assigned_user_id: number | null;
  caller_company_id: number | null;
  recording_url: string | null;
  crm_call_id: string | null;
}

/** A `calls` row as selected by CALL_SELECT: the columns plus the names of the user and company. */
export interface CallDbRow extends CallTableRow {
  assigned_username: string | null;
  assigned_user_full_name: string | null;
  caller_company_name: string | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const idOrNull = (n: number | null) => (n === null ? null : String(n));

export function callViewFromDb(r: CallTableRow): CallView {
  return {
    id: String(r.id),
    pbxId: r.pbx_id,
    linkedid: r.linkedid,
    direction: r.direction,
    status: r.status,
    callerNumber: r.caller_number,
    callerName: r.caller_name,
    receiverNumber: r.receiver_number,
    did: r.did,
    externalNumber: r.external_number,
    startedAt: r.started_at.toISOString(),
    answeredAt: iso(r.answered_at),
    endedAt: iso(r.ended_at),
    ringSeconds: r.ring_seconds,
    talkSeconds: r.talk_seconds,
    holdSeconds: r.hold_seconds,
    duration: r.duration,
    hangupCause: r.hangup_cause,
    hangupBy: r.hangup_by,
    answeredByExtension: r.answered_by_extension,
    assignedUserId: idOrNull(r.assigned_user_id),
    callerCompanyId: idOrNull(r.caller_company_id),
    recordingUrl: r.recording_url,
    crmCallId: r.crm_call_id,
  };
}

export function callListItemFromDb(r: CallDbRow): CallListItem {
  return { ...callViewFromDb(r), assignedUserName: r.assigned_user_full_name ?? r.assigned_username, callerCompanyName: r.caller_company_name };
}
