import type { CallRecord } from '@app/ami';

/** A CallRecord for unit tests: an inbound call ringing 1001, overridable field by field. */
export function makeCallRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  const linkedid = overrides.linkedid ?? '1795696635.2';
  return {
    pbx: 'pbx-1',
    callId: `pbx-1:${linkedid}`,
    linkedid,
    linkedids: [linkedid],
    direction: 'inbound',
    caller: '+74951234567',
    callerName: null,
    callee: '74959876543',
    trunk: 'provider',
    ringingExtensions: ['1001'],
    answeredBy: null,
    agents: [],
    status: 'ringing',
    ended: false,
    startedAt: Date.parse('2026-11-26T12:37:15.262Z'),
    answeredAt: null,
    endedAt: null,
    ringSeconds: 0,
    talkSeconds: 0,
    holdSeconds: 0,
    hangupBy: null,
    hangupCause: null,
    recordings: [],
    transfers: [],
    holds: [],
    crmCallId: null,
    ...overrides,
  };
}
