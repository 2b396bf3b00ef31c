import type { CallDirection, CallEndSource, CallListItem, CallStatus, CallView, HangupBy } from '@app/contracts';

/**
 * The columns of a `calls` row a view needs, as node-postgres returns them (integers as
 * numbers, timestamptz as Date). The ingest builds its rows in this same shape, so one mapper
 * serves the rows it writes and the rows the API reads.
 */
export interface CallTableRow {
  /** A database id; a TEST_MODE call, never stored, has a marked string instead. */
  id: number | string;
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
  participant_user_ids: number[];
  /** '-infinity' (read as a number) on a row no tracker event has written yet. */
  last_event_at: Date | number;
  event_seq: number;
  /** Null while live; `unobserved`: talk_seconds/duration hold only the talk seen before the end went unseen. */
  end_source: CallEndSource | null;
}

/** A `calls` row as selected by CALL_SELECT: the columns plus the names of the user and company. */
export interface CallDbRow extends CallTableRow {
  id: number;
  assigned_username: string | null;
  assigned_user_full_name: string | null;
  caller_company_name: string | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const idOrNull = (n: number | null) => (n === null ? null : String(n));

export function toCallView(r: CallTableRow): CallView {
  // The talk seen before an unobserved end is a lower bound, not the talk: shown as unknown.
  const unobserved = r.end_source === 'unobserved';
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
    talkSeconds: unobserved ? null : r.talk_seconds,
    holdSeconds: r.hold_seconds,
    duration: unobserved ? null : r.duration,
    endObserved: r.end_source === null ? null : !unobserved,
    endSource: r.end_source,
    hangupCause: r.hangup_cause,
    hangupBy: r.hangup_by,
    answeredByExtension: r.answered_by_extension,
    assignedUserId: idOrNull(r.assigned_user_id),
    callerCompanyId: idOrNull(r.caller_company_id),
    recordingUrl: r.recording_url,
    crmCallId: r.crm_call_id,
    participantUserIds: r.participant_user_ids.map(String),
    lastEventAt: r.last_event_at instanceof Date ? r.last_event_at.toISOString() : r.started_at.toISOString(),
    eventSeq: r.event_seq,
  };
}

export function toCallListItem(r: CallDbRow): CallListItem {
  return { ...toCallView(r), assignedUserName: r.assigned_user_full_name ?? r.assigned_username, callerCompanyName: r.caller_company_name };
}
