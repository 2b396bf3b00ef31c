import type { CallRecord } from '../tracker/call-record';

/** One call as `ami:replay` prints it: the record with ISO times and the lists reduced to what a reader scans for. */
export interface ReplayLine {
  pbx: string;
  linkedid: string;
  direction: CallRecord['direction'];
  caller: string;
  callerName: string | null;
  callee: string;
  trunk: string | null;
  answeredBy: string | null;
  agents: string[];
  status: CallRecord['status'];
  ended: boolean;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  ringSeconds: number;
  talkSeconds: number;
  holdSeconds: number;
  hangupBy: CallRecord['hangupBy'];
  recordings: string[];
  transfers: { kind: 'blind' | 'attended'; from: string | null; to: string }[];
  holds: { seconds: number }[];
  crmCallId: string | null;
  endReason: CallRecord['endReason'] | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toReplayLine(call: CallRecord): ReplayLine {
  return {
    pbx: call.pbx,
    linkedid: call.linkedid,
    direction: call.direction,
    caller: call.caller,
    callerName: call.callerName,
    callee: call.callee,
    trunk: call.trunk,
    answeredBy: call.answeredBy,
    agents: call.agents,
    status: call.status,
    ended: call.ended,
    startedAt: new Date(call.startedAt).toISOString(),
    answeredAt: iso(call.answeredAt),
    endedAt: iso(call.endedAt),
    ringSeconds: call.ringSeconds,
    talkSeconds: call.talkSeconds,
    holdSeconds: call.holdSeconds,
    hangupBy: call.hangupBy,
    recordings: call.recordings.map((r) => r.file),
    transfers: call.transfers.map(({ kind, from, to }) => ({ kind, from, to })),
    holds: call.holds.map(({ seconds }) => ({ seconds })),
    crmCallId: call.crmCallId,
    endReason: call.endReason ?? null,
  };
}
