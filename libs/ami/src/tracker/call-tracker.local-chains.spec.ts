import { AmiEventScript, type ScriptChannel, snapshot } from './testing/ami-event-script';
import { endedCalls, eventTypes, inboundCaller, runScript } from './testing/script-run';

/**
 * FreePBX-style dialplans (test/fixtures/ami-fpbx/README.md): ring groups, hunt and follow-me
 * stages and queues reach the phones through Local `;1`/`;2` pairs. These sequences are the
 * variations the captures do not show, written the way Asterisk 20 reports them there.
 */
describe('CallTracker through Local channel chains', () => {
  let phones = 0;

  /** `dialer` dials a Local pair to `dest` (`1001@from-ringgroup`); returns its `;1` and `;2` halves. */
  function dialLocal(s: AmiEventScript, dialer: ScriptChannel, dest: string): [ScriptChannel, ScriptChannel] {
    const pair = s.localPair(dest, dialer.linkedid);
    s.newchannel(pair[0]).newchannel(pair[1]).dialBegin(dialer, pair[0], `${dest}/n`);
    return pair;
  }

  /** `dialer` (a `;2` half) dials the phone of `extension`, which starts ringing. */
  function dialPhone(s: AmiEventScript, dialer: ScriptChannel, extension: string): ScriptChannel {
    const phone = s.channel(`SIP/${extension}-${(phones++).toString(16).padStart(8, '0')}`, { linkedid: dialer.linkedid });
    s.newchannel(phone).dialBegin(dialer, phone, extension);
    return phone;
  }

  /** A ring-group or queue member: a Local pair whose `;2` half rings the phone. */
  function ringMember(s: AmiEventScript, caller: ScriptChannel, extension: string, context = 'from-ringgroup') {
    const [l1, l2] = dialLocal(s, caller, `${extension}@${context}`);
    return { l1, l2, phone: dialPhone(s, l2, extension) };
  }

  /** Asterisk cancelling a member that lost or timed out: its `;2` half is hung up, then its phone. */
  function dropMember(s: AmiEventScript, member: { l1: ScriptChannel; l2: ScriptChannel; phone: ScriptChannel }, cause = 0): void {
    s.event('HangupRequest', { ...snapshot(member.l2), Cause: String(cause) }).hangup(member.l1, cause);
    s.dialEnd(member.l2, member.phone, 'CANCEL').hangup(member.phone, cause === 26 ? 26 : 16);
    s.hangupRequest(member.l2, true).hangup(member.l2, cause);
  }

  it('follows talk through three nested Local pairs to the phone at the far end', () => {
    const s = new AmiEventScript();
    const caller = inboundCaller(s);
    s.newchannel(caller);
    const [a1, a2] = dialLocal(s, caller, 'FMGL-1003@ext-findmefollow');
    const [b1, b2] = dialLocal(s, a2, 'GRP-1003@ext-group');
    const [c1, c2] = dialLocal(s, b2, '1003@from-ringgroup');
    const phone = dialPhone(s, c2, '1003');
    // Answered: the DialEnds and bridges come inside-out, the caller's last.
    s.wait(2000).connect(c2, phone, 'b-phone').connect(b2, c1, 'b-inner').connect(a2, b1, 'b-middle').connect(caller, a1, 'b-caller');
    s.wait(6000).hangupRequest(phone).bridgeLeave(phone, 'b-phone').hangup(phone);
    for (const [half, bridge] of [[c2, 'b-phone'], [c1, 'b-inner'], [b2, 'b-inner'], [b1, 'b-middle'], [a2, 'b-middle'], [a1, 'b-caller']] as const) {
      s.hangupRequest(half, true).bridgeLeave(half, bridge).hangup(half);
    }
    s.hangupRequest(caller, true).bridgeLeave(caller, 'b-caller').hangup(caller);
    const { events, tracker } = runScript(s);
    expect(eventTypes(events)).toEqual(['ringing', 'answered', 'ended']);
    expect(events[0]).toMatchObject({ extension: '1003', channel: phone.name });
    expect(events[1]).toMatchObject({ extension: '1003', channel: phone.name });
    expect(endedCalls(events)[0]).toMatchObject({
      status: 'answered',
      answeredBy: '1003',
      agents: ['1003'],
      ringingExtensions: ['1003'],
      ringSeconds: 2,
      talkSeconds: 6,
      hangupBy: 'callee',
      transfers: [],
    });
    expect(tracker.stats()).toMatchObject({ calls: 0, channels: 0, bridges: 0, localChannels: 0 });
  });

  it('keeps talking when an optimised Local pair (no /n) swaps the phone into the caller`s bridge', () => {
    const s = new AmiEventScript();
    const caller = inboundCaller(s);
    s.newchannel(caller);
    const { l1, l2, phone } = ringMember(s, caller, '1001', 'from-internal');
    s.wait(1000).connect(l2, phone, 'b-inner').connect(caller, l1, 'b-caller').wait(2000);
    s.event('LocalOptimizationBegin', { ...snapshot(l1, 'LocalOne'), ...snapshot(l2, 'LocalTwo'), ...snapshot(phone, 'Source'), DestUniqueId: caller.uniqueid, Id: '0' });
    s.bridgeLeave(phone, 'b-inner').bridgeEnter(phone, 'b-caller').bridgeLeave(l1, 'b-caller');
    s.event('LocalOptimizationEnd', { ...snapshot(l1, 'LocalOne'), ...snapshot(l2, 'LocalTwo'), Success: 'Yes', Id: '0' });
    s.bridgeLeave(l2, 'b-inner').hangup(l1).hangup(l2);
    s.wait(5000).hangupRequest(caller).bridgeLeave(caller, 'b-caller').hangup(caller).bridgeLeave(phone, 'b-caller').hangup(phone);
    const { events } = runScript(s);
    expect(eventTypes(events)).toEqual(['ringing', 'answered', 'ended']);
    expect(endedCalls(events)[0]).toMatchObject({ answeredBy: '1001', agents: ['1001'], ringSeconds: 1, talkSeconds: 7, hangupBy: 'caller' });
  });

  describe('ring-all through Local members: only the caller`s own DialEnds and hangup decide the outcome', () => {
    function ringAll(callerHangsUpFirst: boolean) {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      s.newchannel(caller);
      const members = [ringMember(s, caller, '1001'), ringMember(s, caller, '1002')];
      s.wait(callerHangsUpFirst ? 7000 : 20_000);
      if (callerHangsUpFirst) s.hangupRequest(caller);
      // Either way the phones' legs say CANCEL: Asterisk cancels them when their Local half goes.
      for (const m of members) s.dialEnd(caller, m.l1, callerHangsUpFirst ? 'CANCEL' : 'NOANSWER');
      for (const m of members) dropMember(s, m);
      if (!callerHangsUpFirst) s.hangupRequest(caller, true);
      s.hangup(caller);
      return endedCalls(runScript(s).events)[0];
    }

    it('is abandoned when the caller hangs up first', () => {
      expect(ringAll(true)).toMatchObject({ status: 'abandoned', hangupBy: 'caller', ringSeconds: 7, ringingExtensions: ['1001', '1002'], answeredBy: null, agents: [] });
    });

    it('is missed when the group times out', () => {
      expect(ringAll(false)).toMatchObject({ status: 'missed', hangupBy: 'system', ringSeconds: 20, ringingExtensions: ['1001', '1002'], answeredBy: null, agents: [] });
    });
  });

  it('takes hunt stages for ringing, not transfers: each ringing event names the phone ringing now', () => {
    const s = new AmiEventScript();
    const caller = inboundCaller(s);
    s.newchannel(caller);
    const first = ringMember(s, caller, '1001');
    s.wait(6000).dialEnd(caller, first.l1, 'NOANSWER');
    dropMember(s, first);
    const second = ringMember(s, caller, '1002');
    s.wait(15_000).dialEnd(caller, second.l1, 'NOANSWER');
    dropMember(s, second);
    s.hangupRequest(caller, true).hangup(caller);
    const { events } = runScript(s);
    expect(eventTypes(events)).toEqual(['ringing', 'ringing', 'ended']);
    expect(events.map((e) => (e.type === 'ringing' ? e.extension : null))).toEqual(['1001', '1002', null]);
    expect(endedCalls(events)[0]).toMatchObject({ status: 'missed', transfers: [], ringingExtensions: ['1001', '1002'], ringSeconds: 21, answeredBy: null });
  });

  it('calls a queue whose Local member is busy inside (NOANSWER at the queue) missed, with no hold and nobody answering', () => {
    const s = new AmiEventScript();
    const caller = inboundCaller(s);
    const queued = { ...snapshot(caller), Queue: '700', Position: '1', Count: '1' };
    s.newchannel(caller).event('QueueCallerJoin', queued).on('MusicOnHoldStart', caller);
    for (let attempt = 0; attempt < 2; attempt++) {
      // The ;2 half's Dial gets BUSY at once (no ringing); the queue sees its ;1 hang up: NOANSWER.
      const [l1, l2] = s.localPair('1001@from-queue', caller.uniqueid);
      s.newchannel(l1).newchannel(l2).dialBegin(caller, l1, 'Local/1001@from-queue/n', { ringing: false });
      const phone = s.channel(`SIP/1001-0000ff0${attempt}`, { linkedid: caller.uniqueid });
      s.newchannel(phone).dialBegin(l2, phone, '1001', { ringing: false }).wait(300).dialEnd(l2, phone, 'BUSY').hangup(phone, 17);
      s.hangupRequest(l2, true).hangup(l2, 17).dialEnd(caller, l1, 'NOANSWER').hangup(l1, 17);
      s.wait(2000);
    }
    s.wait(10_000).event('QueueCallerLeave', queued).on('MusicOnHoldStop', caller).hangupRequest(caller, true).hangup(caller);
    const { events } = runScript(s);
    // The phone never rang: no ringing event (a popup for a call that never reached it).
    expect(eventTypes(events)).toEqual(['ended']);
    expect(endedCalls(events)[0]).toMatchObject({ status: 'missed', answeredBy: null, agents: [], holds: [], holdSeconds: 0, ringingExtensions: ['1001'], hangupBy: 'system' });
  });

  it('does not count a queue member who answers just after another one won: one answer, one agent', () => {
    const s = new AmiEventScript();
    const caller = inboundCaller(s);
    s.newchannel(caller).on('MusicOnHoldStart', caller);
    const alice = ringMember(s, caller, '1001', 'from-queue');
    const bob = ringMember(s, caller, '1002', 'from-queue');
    s.wait(1000).connect(alice.l2, alice.phone, 'b-alice').connect(bob.l2, bob.phone, 'b-bob');
    s.dialEnd(caller, alice.l1, 'ANSWER').dialEnd(caller, bob.l1, 'CANCEL').dialEnd(caller, bob.l1, 'CANCEL');
    s.event('HangupRequest', { ...snapshot(bob.l2), Cause: '26' }).hangup(bob.l1, 26);
    s.hangupRequest(bob.l2, true).bridgeLeave(bob.l2, 'b-bob').hangup(bob.l2, 26).hangupRequest(bob.phone, true).bridgeLeave(bob.phone, 'b-bob').hangup(bob.phone, 26);
    s.on('MusicOnHoldStop', caller).bridgeEnter(alice.l1, 'b-caller').bridgeEnter(caller, 'b-caller');
    s.wait(8000).hangupRequest(caller).bridgeLeave(caller, 'b-caller').hangup(caller);
    s.bridgeLeave(alice.l1, 'b-caller').hangup(alice.l1).bridgeLeave(alice.l2, 'b-alice').hangup(alice.l2).bridgeLeave(alice.phone, 'b-alice').hangup(alice.phone);
    const { events } = runScript(s);
    expect(events.filter((e) => e.type === 'answered').map((e) => e.type === 'answered' && e.extension)).toEqual(['1001']);
    expect(endedCalls(events)[0]).toMatchObject({
      status: 'answered',
      answeredBy: '1001',
      agents: ['1001'],
      ringingExtensions: ['1001', '1002'],
      talkSeconds: 8,
      holds: [],
      hangupBy: 'caller',
    });
  });

  it('takes a Redirect of a caller who talked into a ring group for a blind transfer to the group', () => {
    const s = new AmiEventScript();
    const caller = inboundCaller(s);
    const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
    s.newchannel(caller).newchannel(agent).dialBegin(caller, agent, '1001').wait(1000).connect(caller, agent, 'b1').wait(3000);
    s.bridgeLeave(caller, 'b1').bridgeLeave(agent, 'b1').hangup(agent);
    caller.exten = '600';
    const member = ringMember(s, caller, '1002');
    s.wait(2000).connect(member.l2, member.phone, 'b2').connect(caller, member.l1, 'b3').wait(5000);
    s.hangupRequest(caller).bridgeLeave(caller, 'b3').hangup(caller);
    s.bridgeLeave(member.l1, 'b3').hangup(member.l1).bridgeLeave(member.l2, 'b2').hangup(member.l2).bridgeLeave(member.phone, 'b2').hangup(member.phone);
    const [call] = endedCalls(runScript(s).events);
    expect(call).toMatchObject({
      transfers: [{ kind: 'blind', from: '1001', to: '600' }],
      answeredBy: '1001',
      agents: ['1001', '1002'],
      talkSeconds: 8,
      hangupBy: 'caller',
    });
  });
});
