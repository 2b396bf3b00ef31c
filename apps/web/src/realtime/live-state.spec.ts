import { describe, expect, it, jest } from '@jest/globals';
import type { CallView, PartyStep, RealtimeSnapshot, UserPresence } from '@app/contracts';
import { makeCallListItem } from '../../../server/src/calls/testing/call-list-item-factory';
import { currentAgent, LiveState } from './live-state';

const ME: UserPresence = { id: '7', username: 'alice', fullName: 'Alice Agent', role: 'operator', status: 'online' };
const BOB: UserPresence = { id: '8', username: 'bob', fullName: null, role: 'operator', status: 'away' };
const ACME = { id: '3', name: 'Acme', phones: [{ phoneNumber: '+7 495 123-45-67', normalizedNumber: '+74951234567' }] };
const myPhone: PartyStep = { extension: '1001', channel: 'SIP/1001-00000001', userId: ME.id };
const bobPhone: PartyStep = { extension: '1002', channel: 'SIP/1002-00000002', userId: BOB.id };

/** The call's state `seq` steps after the start (one second apart). */
function version(seq: number, fields: Partial<CallView> = {}): CallView {
  const { assignedUserName: _a, callerCompanyName: _c, ...call } = makeCallListItem({ id: '42', callerCompanyId: ACME.id, ...fields });
  return { ...call, eventSeq: seq, lastEventAt: new Date(Date.parse(call.startedAt) + seq * 1000).toISOString() };
}

function snapshot(fields: Partial<RealtimeSnapshot> = {}): RealtimeSnapshot {
  return { at: '2026-11-26T12:37:20.000Z', me: ME, calls: [], users: [ME, BOB], phones: [], test: false, ...fields };
}

const at = '2026-11-26T12:37:16.000Z';
const ringing = (seq: number, phone: PartyStep, fields: Partial<CallView> = {}) => ({ call: version(seq, fields), at, test: false, ringing: phone, company: ACME, assignedUser: ME });

describe('LiveState', () => {
  it('opens the popup when this user`s phone rings, with the company card and the assigned user', () => {
    const live = new LiveState();
    live.snapshot(snapshot());
    live.incoming(ringing(1, myPhone));
    const [call] = live.view().popups;
    expect(call).toMatchObject({ call: { id: '42', eventSeq: 1 }, company: ACME, companyName: 'Acme', assignedUserName: 'Alice Agent', ringing: [myPhone], popup: true });
    expect(live.view().calls).toEqual([call]);
  });

  it('shows a colleague`s ringing call without a popup, and closes the popup when the call is answered elsewhere', () => {
    const live = new LiveState();
    live.snapshot(snapshot());
    live.incoming(ringing(1, bobPhone));
    expect(live.view().popups).toEqual([]);
    live.incoming(ringing(2, myPhone));
    expect(live.view().popups.map((c) => c.ringing)).toEqual([[bobPhone, myPhone]]);
    live.answered({ call: version(3, { status: 'answered', assignedUserId: BOB.id }), at, test: false, answeredBy: bobPhone });
    expect(live.view().popups).toEqual([]);
    // The assigned user changed: the name comes from the user list.
    expect(live.view().calls[0]).toMatchObject({ call: { status: 'answered' }, ringing: [], assignedUserName: 'bob' });
  });

  it('ignores events that are not newer than the state held (duplicates after a reconnect, late pushes)', () => {
    const live = new LiveState();
    live.snapshot(snapshot({ calls: [{ call: makeCallListItem({ ...version(2, { status: 'answered' }), assignedUserName: 'Alice Agent', callerCompanyName: 'Acme' }), company: ACME, ringing: [] }] }));
    live.incoming(ringing(1, myPhone));
    live.incoming(ringing(2, myPhone));
    expect(live.view().calls[0]).toMatchObject({ call: { status: 'answered', eventSeq: 2 }, popup: false });

    live.ended({ call: version(5, { status: 'answered', endedAt: at }), at, test: false, end: { status: 'answered', hangupBy: 'caller', hangupCause: 16, ringSeconds: 1, talkSeconds: 3, holdSeconds: 0, agents: ['1001'] } });
    live.updated({ call: version(4, { status: 'on_hold' }), at, test: false, step: { type: 'held', by: 'server' } });
    expect(live.view().calls).toEqual([]);
    expect(live.view().recentlyEnded.map((c) => c.call.eventSeq)).toEqual([5]);
  });

  it('orders by time before sequence: a restarted ingest`s lower eventSeq at a later time is newer', () => {
    const live = new LiveState();
    live.snapshot(snapshot());
    live.incoming(ringing(9, myPhone));
    const later = { ...version(0, { status: 'answered' }), lastEventAt: new Date(Date.parse(version(9).lastEventAt) + 1).toISOString() };
    live.answered({ call: later, at, test: false, answeredBy: myPhone });
    expect(live.view().calls[0].call.status).toBe('answered');
  });

  it('a snapshot replaces everything: calls it does not list have ended, its ringing phones reopen popups', () => {
    const live = new LiveState();
    live.snapshot(snapshot());
    live.incoming(ringing(1, myPhone));
    live.incoming({ ...ringing(1, myPhone, { id: '43' }) });
    const reconnect = snapshot({ calls: [{ call: makeCallListItem({ ...version(3, { id: '43' }), assignedUserName: 'Alice Agent', callerCompanyName: 'Acme' }), company: ACME, ringing: [myPhone] }] });
    live.snapshot(reconnect);
    expect(live.view().calls.map((c) => [c.call.id, c.popup, c.companyName])).toEqual([['43', true, 'Acme']]);
  });

  it('keeps a dismissed popup closed, also across a reconnect`s snapshot', () => {
    const live = new LiveState();
    live.snapshot(snapshot());
    live.incoming(ringing(1, myPhone));
    live.dismiss('42');
    expect(live.view().popups).toEqual([]);
    live.snapshot(snapshot({ calls: [{ call: makeCallListItem({ ...version(1) }), company: ACME, ringing: [myPhone] }] }));
    expect(live.view().popups).toEqual([]);
    expect(live.view().calls).toHaveLength(1);
  });

  it('follows presence and phone states, and tells subscribers of every change with a new view', () => {
    const live = new LiveState();
    const listener = jest.fn();
    live.subscribe(listener);
    live.snapshot(snapshot());
    const first = live.view();
    expect(live.view()).toBe(first);
    live.userStatus({ kind: 'presence', userId: ME.id, status: 'away', at });
    live.userStatus({ kind: 'device', pbxId: 'main', extension: '1002', userId: BOB.id, state: 'in_use', at, test: false });
    live.userStatus({ kind: 'presence', userId: 'unknown', status: 'online', at });
    expect(listener).toHaveBeenCalledTimes(3);
    const view = live.view();
    expect(view).not.toBe(first);
    expect(view.me?.status).toBe('away');
    expect(view.users.map((u) => [u.username, u.status])).toEqual([
      ['alice', 'away'],
      ['bob', 'away'],
    ]);
    expect(view.phones).toEqual([{ pbxId: 'main', extension: '1002', userId: BOB.id, state: 'in_use', at, test: false }]);
    live.reset();
    expect(live.view()).toMatchObject({ me: null, calls: [], users: [], phones: [] });
  });

  it('follows who has the call now: the answer, then the transfer`s target, before the stored assignment moves at the end', () => {
    const live = new LiveState();
    live.snapshot(snapshot());
    live.incoming(ringing(1, myPhone));
    live.answered({ call: version(2, { status: 'answered', assignedUserId: ME.id }), at, test: false, answeredBy: myPhone });
    expect(currentAgent(live.view().calls[0])).toBe(ME.id);
    const transfer = { kind: 'blind', from: '1001', to: '1002', fromUserId: ME.id, toUserId: BOB.id } as const;
    live.updated({ call: version(3, { status: 'answered', assignedUserId: ME.id }), at, test: false, step: { type: 'transferred', ...transfer } });
    expect(currentAgent(live.view().calls[0])).toBe(BOB.id);
    expect(live.view().calls[0].agentName).toBe('bob');
    // A later step that says nothing of the agent keeps it.
    live.updated({ call: version(4, { status: 'on_hold', assignedUserId: ME.id }), at, test: false, step: { type: 'held', by: 'server' } });
    expect(currentAgent(live.view().calls[0])).toBe(BOB.id);
    // Out to a number: nobody's in the CRM; a snapshot knows no pushes, the assigned user stands in.
    live.updated({ call: version(5, { status: 'answered', assignedUserId: ME.id }), at, test: false, step: { type: 'transferred', ...transfer, to: '84951112233', toUserId: null } });
    expect(currentAgent(live.view().calls[0])).toBeNull();
    live.snapshot(snapshot({ calls: [{ call: { ...version(6, { status: 'answered', assignedUserId: ME.id }), assignedUserName: null, callerCompanyName: null }, company: null, ringing: [] }] }));
    expect(currentAgent(live.view().calls[0])).toBe(ME.id);
  });
});
