import type { CallListItem } from '@app/contracts';

/** A CallListItem (a CallView with names) for unit tests: an inbound call ringing, overridable field by field. */
export function makeCallListItem(overrides: Partial<CallListItem> = {}): CallListItem {
  return {
    id: '1',
    pbxId: 'pbx-1',
    linkedid: '1795696635.2',
    direction: 'inbound',
    status: 'ringing',
    callerNumber: '+74951234567',
    callerName: null,
    receiverNumber: '74959876543',
    did: '74959876543',
    externalNumber: '+74951234567',
    startedAt: '2026-11-26T12:37:15.262Z',
    answeredAt: null,
    endedAt: null,
    ringSeconds: 0,
    talkSeconds: 0,
    endObserved: null,
    endSource: null,
    holdSeconds: 0,
    duration: 0,
    hangupCause: null,
    hangupBy: null,
    answeredByExtension: null,
    assignedUserId: null,
    callerCompanyId: null,
    recordingUrl: null,
    crmCallId: null,
    participantUserIds: [],
    lastEventAt: '2026-11-26T12:37:15.262Z',
    eventSeq: 0,
    assignedUserName: 'Alice Agent',
    callerCompanyName: 'Acme, "Ltd"',
    ...overrides,
  };
}
