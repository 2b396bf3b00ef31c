import { ChannelClassifier, type CallRecord } from '@app/ami';
import type { CallDirection } from '@app/contracts';
import { completionFromCdr } from './cdr-completion';
import type { CdrRecord } from './cdr-record';

const classifier = new ChannelClassifier();
/** Numbers this long are outside numbers (as the tracker counts a dialled number). */
const EXTERNAL_NUMBER_LENGTH = 7;

/**
 * The CDR records of calls no ingest saw at all (they started and ended while it was away),
 * one group per call: by Linkedid where the backend keeps it, else by the Uniqueid of each
 * record, leaving out the records of channels another record of the set dialled (a callee
 * that got a record of its own is a leg of that call, not a call).
 */
export function callsInCdr(records: readonly CdrRecord[]): Map<string, CdrRecord[]> {
  const dialled = new Set(records.map((r) => r.dstchannel).filter((c) => c !== ''));
  const calls = new Map<string, CdrRecord[]>();
  for (const r of records) {
    const key = r.linkedid ?? r.uniqueid;
    if (r.linkedid === null && dialled.has(r.channel)) continue;
    const group = calls.get(key);
    if (group) group.push(r);
    else calls.set(key, [r]);
  }
  return calls;
}

/**
 * A call known only from its CDR records, as a tracker record would describe it: caller and
 * dialled number of its first record, direction from its channel (a trunk: inbound) and the
 * number dialled, the phone it was answered by, and its end as the CDR completion reads it.
 */
export function callFromCdr(pbxId: string, linkedid: string, records: readonly CdrRecord[]): CallRecord {
  const sorted = [...records].sort((a, b) => a.start - b.start);
  const first = sorted.find((r) => r.uniqueid === linkedid) ?? sorted[0];
  const origin = classifier.classify(first.channel);
  const answeredRecord = sorted.find((r) => r.disposition === 'ANSWERED');
  const callee = answeredRecord ? classifier.classify(answeredRecord.dstchannel) : classifier.classify(first.dstchannel);
  const direction: CallDirection =
    origin.kind === 'trunk' ? 'inbound' : callee.kind === 'trunk' || first.dst.length >= EXTERNAL_NUMBER_LENGTH ? 'outbound' : 'internal';
  const end = completionFromCdr({ id: linkedid, linkedid, answered: false, status: 'missed', endedAt: 0, callerUnseen: false }, records.map((r) => ({ ...r, linkedid: r.linkedid ?? linkedid })))!;
  const answeredBy = end.answeredAt !== null && callee.kind === 'extension' ? callee.peer : null;
  return {
    pbx: pbxId,
    callId: `${pbxId}:${linkedid}`,
    linkedid,
    linkedids: [linkedid],
    direction,
    caller: first.src,
    callerName: callerName(first.clid),
    callee: first.dst,
    trunk: origin.kind === 'trunk' ? origin.peer : callee.kind === 'trunk' ? callee.peer : null,
    ringingExtensions: callee.kind === 'extension' && callee.peer ? [callee.peer] : [],
    answeredBy,
    agents: answeredBy ? [answeredBy] : [],
    status: end.status,
    ended: true,
    startedAt: first.start,
    answeredAt: end.answeredAt,
    endedAt: end.endedAt,
    ringSeconds: Math.round(((end.answeredAt ?? end.endedAt) - first.start) / 1000),
    talkSeconds: end.talkSeconds,
    holdSeconds: 0,
    hangupBy: null,
    hangupCause: null,
    recordings: [],
    transfers: [],
    holds: [],
    crmCallId: null,
    endReason: 'hangup',
    mergedInto: null,
    originateActionId: null,
  };
}

/** `"Alice" <1001>` -> `Alice`; null without a name. */
function callerName(clid: string): string | null {
  const m = /^"?([^"<]*)"?\s*</.exec(clid);
  const name = m?.[1].trim() ?? '';
  return name === '' ? null : name;
}
