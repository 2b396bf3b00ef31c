import type { CallEventMessage, CallView, EndStep } from '@app/contracts';
import { makeCallListItem } from '../calls/testing/call-list-item-factory';
import { callPushes } from './call-pushes';

const call = (overrides: Partial<CallView> = {}): CallView =>
  makeCallListItem({ id: '7', assignedUserId: '11', callerCompanyId: '3', participantUserIds: ['11', '12'], eventSeq: 2, ...overrides });
const cards = { company: { id: '3', name: 'Acme', phones: [] }, assignedUser: { id: '11', username: 'alice', fullName: null } };
const base = { at: '2026-12-05T00:51:07.084Z', dryRun: false };

describe('callPushes', () => {
  it('gives the ringing phone\'s user and the supervisors the popup, the other viewers an update', () => {
    const message: CallEventMessage = { name: 'call.ringing', payload: { ...base, call: call(), extension: '1002', channel: 'SIP/1002-00000002', userId: '12' } };
    const [incoming, updated] = callPushes(message, ['11', '12'], cards);
    expect(incoming).toEqual({
      target: { to: ['supervisors', 'user:12'] },
      event: 'call:incoming',
      payload: { call: call(), at: base.at, test: false, ringing: { extension: '1002', channel: 'SIP/1002-00000002', userId: '12' }, ...cards },
    });
    expect(updated).toMatchObject({
      target: { to: ['supervisors', 'user:11', 'user:12'], except: ['supervisors', 'user:12'] },
      event: 'call:updated',
      payload: { step: { type: 'ringing', extension: '1002', userId: '12' } },
    });
  });

  it('sends a phone nobody owns to the supervisors only, and every other step to all who may see the call', () => {
    const ring: CallEventMessage = { name: 'call.ringing', payload: { ...base, call: call(), extension: '1009', channel: 'SIP/1009-00000009', userId: null } };
    expect(callPushes(ring, ['11'], cards)[0].target).toEqual({ to: ['supervisors'] });
    const answered: CallEventMessage = { name: 'call.answered', payload: { ...base, call: call({ status: 'answered' }), extension: '1002', channel: 'SIP/1002-00000002', userId: '12' } };
    expect(callPushes(answered, ['11', '12'], cards)).toEqual([
      { target: { to: ['supervisors', 'user:11', 'user:12'] }, event: 'call:answered', payload: expect.objectContaining({ answeredBy: { extension: '1002', channel: 'SIP/1002-00000002', userId: '12' } }) },
    ]);
  });

  it('maps holds, transfers and recordings to call:updated steps and the end to call:ended, marking TEST_MODE calls', () => {
    const steps: Array<[CallEventMessage, object]> = [
      [{ name: 'call.held', payload: { ...base, call: call(), by: 'server' } }, { type: 'held', by: 'server' }],
      [{ name: 'call.unheld', payload: { ...base, call: call(), by: 'phone', seconds: 4 } }, { type: 'unheld', by: 'phone', seconds: 4 }],
      [
        { name: 'call.transferred', payload: { ...base, call: call(), kind: 'blind', from: '1001', to: '1002', fromUserId: '11', toUserId: '12' } },
        { type: 'transferred', kind: 'blind', from: '1001', to: '1002', fromUserId: '11', toUserId: '12' },
      ],
      [{ name: 'recording.started', payload: { ...base, call: call(), file: 'a.wav', path: null, source: 'monitor' } }, { type: 'recording_started', file: 'a.wav', path: null, source: 'monitor' }],
      [{ name: 'recording.stopped', payload: { ...base, call: call(), file: 'a.wav', path: null, source: 'monitor' } }, { type: 'recording_stopped', file: 'a.wav', path: null, source: 'monitor' }],
    ];
    for (const [message, step] of steps) expect(callPushes(message, [], cards)).toEqual([{ target: { to: ['supervisors'] }, event: 'call:updated', payload: { call: call(), at: base.at, test: false, step } }]);
    const end: EndStep = { status: 'missed', hangupBy: 'system', hangupCause: 16, ringSeconds: 20, talkSeconds: 0, holdSeconds: 0, agents: [] };
    const ended: CallEventMessage = { name: 'call.ended', payload: { ...base, dryRun: true, call: call({ status: 'missed' }), ...end, lost: true } };
    expect(callPushes(ended, ['11'], cards)).toEqual([
      { target: { to: ['supervisors', 'user:11'] }, event: 'call:ended', payload: { call: call({ status: 'missed' }), at: base.at, test: true, end: { ...end, lost: true } } },
    ]);
  });
});
