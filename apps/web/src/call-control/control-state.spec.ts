import { describe, expect, it } from '@jest/globals';
import type { CallControlAck, CallUpdatedEvent } from '@app/contracts';
import { makeCallListItem } from '../../../server/src/calls/testing/call-list-item-factory';
import { ControlState } from './control-state';

const ok = (confirmed: Extract<CallControlAck, { ok: true }>['confirmed']): CallControlAck => ({ ok: true, callId: '42', pbxId: 'main', confirmed, at: '2026-12-05T05:00:00.000Z' });
const at = '2026-12-05T05:00:01.000Z';
const recordingStep = (type: 'recording_started' | 'recording_stopped', file: string): CallUpdatedEvent => {
  const { assignedUserName: _a, callerCompanyName: _c, ...call } = makeCallListItem({ id: '42' });
  return { call, at, test: false, step: { type, file, path: null, source: 'mixmonitor' } };
};

describe('ControlState', () => {
  it('keeps a command pending until its ack, then the PBX`s confirmation or the refusal as the call`s note', () => {
    const state = new ControlState();
    state.sent('42', 'hold-call');
    expect(state.view().pending.get('42')).toBe('hold-call');
    state.answered('42', 'hold-call', ok({ kind: 'held', by: 'server' }));
    expect(state.view().pending.has('42')).toBe(false);
    expect(state.view().notes.get('42')).toEqual({ kind: 'confirmed', command: 'hold-call', confirmed: { kind: 'held', by: 'server' } });
    state.sent('42', 'hold-call');
    state.answered('42', 'hold-call', { ok: false, error: { code: 'INVALID_STATE', message: 'The call is already on hold' } });
    expect(state.view().notes.get('42')).toMatchObject({ kind: 'refused', error: { code: 'INVALID_STATE' } });
    // A transferred or hung-up call leaves the user's list: the page-wide notice carries its note.
    expect(state.view().own.note).toBeNull();
    state.answered('42', 'hangup-call', ok({ kind: 'hung_up', channels: ['SIP/provider-1'], callEnded: true }));
    expect(state.view().own.note).toMatchObject({ kind: 'confirmed', confirmed: { kind: 'hung_up' } });
  });

  it('follows an attended transfer: consulting, the target answered (complete offered), then completed, cancelled or ended by the target', () => {
    const state = new ControlState();
    state.answered('42', 'transfer-call', ok({ kind: 'consulting', to: '1002' }));
    expect(state.view().consultations.get('42')).toEqual({ to: '1002', answered: false });
    state.consultation({ callId: '42', pbxId: 'main', to: '1002', state: 'answered', at });
    expect(state.view().consultations.get('42')).toEqual({ to: '1002', answered: true });
    state.answered('42', 'complete-transfer', ok({ kind: 'transferred', mode: 'attended', from: '1001', to: '1002' }));
    expect(state.view().consultations.has('42')).toBe(false);

    state.answered('42', 'transfer-call', ok({ kind: 'consulting', to: '1003' }));
    state.consultation({ callId: '42', pbxId: 'main', to: '1003', state: 'ended', at });
    expect(state.view().consultations.has('42')).toBe(false);
    expect(state.view().notes.get('42')).toEqual({ kind: 'consultation', state: 'ended', to: '1003' });
  });

  it('knows the CRM`s own recordings (crm-ami-… files) from anyone`s pushes, not the dialplan`s', () => {
    const state = new ControlState();
    state.updated(recordingStep('recording_started', '2026/12/05/in-74959876543-1733374800.42.wav'));
    expect(state.view().recording.has('42')).toBe(false);
    state.updated(recordingStep('recording_started', 'crm-ami-1733374800.43-1733374805123.wav'));
    expect(state.view().recording.has('42')).toBe(true);
    state.updated(recordingStep('recording_stopped', 'crm-ami-1733374800.43-1733374805123.wav'));
    expect(state.view().recording.has('42')).toBe(false);
  });

  it('words a click-to-call`s outcome with the number the user dialled, and ignores pushes of other originates', () => {
    const state = new ControlState();
    state.ownSent('originate-call');
    expect(state.view().own.pending).toBe('originate-call');
    state.ownAnswered('originate-call', ok({ kind: 'originating', crmCallId: 'c2c-1', channelId: 'crm-1', extension: '1001', number: '+74951234567' }), '+7 (495) 123-45-67');
    state.originated({ crmCallId: 'other', pbxId: 'main', channelId: 'crm-2', outcome: 'failed', reason: '5', at });
    expect(state.view().own.note).toMatchObject({ kind: 'confirmed' });
    state.originated({ crmCallId: 'c2c-1', pbxId: 'main', channelId: 'crm-1', outcome: 'failed', reason: '5', at });
    expect(state.view().own.note).toEqual({ kind: 'originated', outcome: 'failed', reason: '5', number: '+7 (495) 123-45-67' });
    state.ownAnswered('agent-pause', ok({ kind: 'paused', paused: true, queues: ['support'], interfaces: ['SIP/1001'] }));
    expect(state.view().paused).toBe(true);
    state.reset();
    expect(state.view()).toMatchObject({ paused: null, own: { note: null, pending: null } });
  });
});
