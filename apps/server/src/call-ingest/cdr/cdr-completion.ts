import type { CallStatus } from '@app/contracts';
import type { CallRow } from '../store/call-write';
import type { CdrRecord } from './cdr-record';

/** A call whose end the ingest did not see, as stored. */
export interface UnobservedCall {
  id: string;
  linkedid: string;
  answered: boolean;
  status: CallStatus;
  /** The stored end (ms): a lower bound, or the end itself for a call whose caller only was not seen. */
  endedAt: number;
  /** Picked up after its caller had gone (`callerUnseen`): who called and where to come from the CDR too. */
  callerUnseen: boolean;
}

/** Who called whom, as a call's row says it: what the CDR gives a call picked up without its caller. */
export type CallIdentity = Pick<CallRow, 'direction' | 'caller_number' | 'caller_name' | 'receiver_number' | 'did' | 'external_number' | 'caller_company_id' | 'started_at'>;

/** What Asterisk's CDR says about such a call's end. */
export interface CdrCompletion {
  id: string;
  endedAt: number;
  /** The first answer in the CDR, or null. */
  answeredAt: number | null;
  status: CallStatus;
  talkSeconds: number;
  /** For a call picked up without its caller, who called and when it started, from the CDR; else null. */
  identity: CallIdentity | null;
}

const UNANSWERED_DISPOSITION: Record<string, CallStatus> = { BUSY: 'busy', FAILED: 'failed', CONGESTION: 'failed' };

/**
 * The call's end from its CDR records (those of its first Linkedid): the last record's end (never
 * before the stored end: a leg still hanging up may not have its record yet); an
 * answered record makes it answered, with the caller's record's billed seconds as talk (else
 * the longest billed); otherwise BUSY, FAILED or CONGESTION of the caller's record, or what the
 * stored status already said (missed, abandoned). Null when the CDR has no record of it yet.
 * Never downgrades: a call stored as answered stays answered.
 */
export function completionFromCdr(call: UnobservedCall, records: readonly CdrRecord[]): CdrCompletion | null {
  const mine = records.filter((r) => r.uniqueid === call.linkedid || r.linkedid === call.linkedid);
  if (mine.length === 0) return null;
  const caller = mine.find((r) => r.uniqueid === call.linkedid) ?? null;
  const answered = mine.filter((r) => r.disposition === 'ANSWERED');
  const endedAt = Math.max(call.endedAt, ...mine.map((r) => r.end));
  if (answered.length > 0 || call.answered) {
    const answers = answered.map((r) => r.answer).filter((a) => a !== null);
    const talk = caller?.disposition === 'ANSWERED' ? caller.billsec : Math.max(0, ...answered.map((r) => r.billsec));
    return { id: call.id, endedAt, answeredAt: answers.length ? Math.min(...answers) : null, status: 'answered', talkSeconds: talk, identity: null };
  }
  const status = (caller && UNANSWERED_DISPOSITION[caller.disposition]) ?? (call.status === 'abandoned' ? 'abandoned' : 'missed');
  return { id: call.id, endedAt, answeredAt: null, status, talkSeconds: 0, identity: null };
}
