import type { CallTrackerEvent } from './call-record';
import { CallTracker } from './call-tracker';
import { AmiEventScript, type ScriptChannel, snapshot } from './testing/ami-event-script';
import { attendedTransferWithConsultationCall, endedCalls as ended, eventTypes as types, inboundCaller, runScript as run } from './testing/script-run';

describe('CallTracker', () => {
  describe('ring-all and queues', () => {
    it('credits only the member who answered; the losing member`s double CANCEL changes nothing', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const m1 = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      const m2 = s.channel('SIP/1002-00000003', { linkedid: caller.uniqueid });
      s.newchannel(caller).newchannel(m1).newchannel(m2).dialBegin(caller, m1, '1001').dialBegin(caller, m2, '1002');
      s.wait(3000).connect(caller, m2, 'b1').dialEnd(caller, m1, 'CANCEL').dialEnd(caller, m1, 'CANCEL').hangup(m1);
      s.wait(10_000).hangupRequest(caller).bridgeLeave(caller, 'b1').bridgeLeave(m2, 'b1').hangup(m2).hangup(caller);
      const { events } = run(s);
      expect(types(events)).toEqual(['ringing', 'ringing', 'answered', 'ended']);
      expect(events[2]).toMatchObject({ extension: '1002', channel: 'SIP/1002-00000003' });
      expect(ended(events)[0]).toMatchObject({
        direction: 'inbound',
        status: 'answered',
        ringingExtensions: ['1001', '1002'],
        answeredBy: '1002',
        agents: ['1002'],
        ringSeconds: 3,
        talkSeconds: 10,
        hangupBy: 'caller',
      });
    });

    it('follows Local members to the phone behind them, and never attributes the Local channel', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const l1 = s.channel('Local/1001@from-queue-00000001;1', { linkedid: caller.uniqueid, callerNum: '+74951234567' });
      const l2 = s.channel('Local/1001@from-queue-00000001;2', { linkedid: caller.uniqueid, callerNum: '+74951234567' });
      const phone = s.channel('SIP/1001-00000004', { linkedid: caller.uniqueid });
      s.newchannel(caller).newchannel(l1).newchannel(l2).dialBegin(caller, l1, 'Local/1001@from-queue/n');
      s.newchannel(phone).dialBegin(l2, phone, '1001');
      s.wait(2000).connect(l2, phone, 'inner').connect(caller, l1, 'outer');
      s.wait(5000).hangupRequest(l1).hangupRequest(caller).bridgeLeave(caller, 'outer').hangup(caller);
      s.bridgeLeave(l1, 'outer').hangup(l1).bridgeLeave(l2, 'inner').hangup(l2).bridgeLeave(phone, 'inner').hangup(phone);
      const { events, tracker } = run(s);
      expect(events.filter((e) => e.type === 'ringing').map((e) => e.type === 'ringing' && e.extension)).toEqual(['1001']);
      const [call] = ended(events);
      expect(call).toMatchObject({ answeredBy: '1001', agents: ['1001'], ringingExtensions: ['1001'], talkSeconds: 5, hangupBy: 'caller' });
      expect(tracker.stats()).toMatchObject({ calls: 0, channels: 0, bridges: 0, localChannels: 0 });
    });

    it('is abandoned when the caller hangs up and every leg ends in CANCEL, missed when the last word is NOANSWER', () => {
      for (const [statuses, callerHangsUp, expected] of [
        // The caller's HangupRequest comes before the DialEnd CANCEL it causes (inbound_abandoned, pjsip_inbound_abandoned).
        [['CANCEL', 'CANCEL'], true, 'abandoned'],
        // A queue or ring group timing out cancels every leg without the caller hanging up.
        [['CANCEL', 'CANCEL'], false, 'missed'],
        [['BUSY', 'NOANSWER'], false, 'missed'],
        [['BUSY', 'BUSY'], false, 'busy'],
        [['CHANUNAVAIL', 'CONGESTION'], false, 'failed'],
      ] as const) {
        const s = new AmiEventScript();
        const caller = inboundCaller(s);
        const m1 = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
        const m2 = s.channel('SIP/1002-00000003', { linkedid: caller.uniqueid });
        s.newchannel(caller).dialBegin(caller, m1, '1001').dialBegin(caller, m2, '1002').wait(4000);
        if (callerHangsUp) s.hangupRequest(caller);
        s.dialEnd(caller, m1, statuses[0]).hangup(m1).dialEnd(caller, m2, statuses[1]).hangup(m2);
        s.hangupRequest(caller, true).hangup(caller);
        const [call] = ended(run(s).events);
        expect({ statuses, callerHangsUp, call }).toMatchObject({ call: { status: expected, answeredBy: null, agents: [], ringSeconds: 4, talkSeconds: 0 } });
      }
    });

    it('calls a queue caller who gives up between member attempts abandoned (QueueCallerAbandon)', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const m1 = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).on('MusicOnHoldStart', caller).dialBegin(caller, m1, '1001').wait(15_000).dialEnd(caller, m1, 'NOANSWER').hangup(m1);
      s.wait(5000).event('QueueCallerAbandon', { ...snapshot(caller), Queue: 'support', Position: '1', OriginalPosition: '1', HoldTime: '20' });
      s.hangupRequest(caller).on('MusicOnHoldStop', caller).hangup(caller);
      const [call] = ended(run(s).events);
      expect(call).toMatchObject({ status: 'abandoned', holds: [], holdSeconds: 0, ringSeconds: 15 });
    });
  });

  describe('hold', () => {
    function answeredCall(s: AmiEventScript): { caller: ScriptChannel; agent: ScriptChannel } {
      const caller = inboundCaller(s);
      const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).newchannel(agent).dialBegin(caller, agent, '1001').wait(1000).connect(caller, agent, 'b1').wait(4000);
      return { caller, agent };
    }

    it('counts a hold from the phone (Hold/Unhold on the agent, music on the caller) once, outside talk time', () => {
      const s = new AmiEventScript();
      const { caller, agent } = answeredCall(s);
      s.on('Hold', agent).on('MusicOnHoldStart', caller).wait(10_000).on('Unhold', agent).on('MusicOnHoldStop', caller);
      s.wait(3000).hangupRequest(agent).bridgeLeave(agent, 'b1').hangup(agent).bridgeLeave(caller, 'b1').hangup(caller);
      const { events } = run(s);
      expect(types(events)).toEqual(['ringing', 'answered', 'held', 'unheld', 'ended']);
      expect(events[2]).toMatchObject({ by: 'phone', call: { status: 'on_hold' } });
      expect(events[3]).toMatchObject({ by: 'phone', seconds: 10, call: { status: 'answered' } });
      expect(ended(events)[0]).toMatchObject({ talkSeconds: 7, holdSeconds: 10, holds: [{ by: 'phone', seconds: 10 }], hangupBy: 'callee' });
    });

    it('ignores an Unhold with no Hold', () => {
      const s = new AmiEventScript();
      const { caller, agent } = answeredCall(s);
      s.on('Unhold', agent).on('MusicOnHoldStop', caller).wait(1000).hangupRequest(caller).hangup(caller).hangup(agent);
      const { events } = run(s);
      expect(types(events)).toEqual(['ringing', 'answered', 'ended']);
      expect(ended(events)[0]).toMatchObject({ holds: [], holdSeconds: 0, talkSeconds: 5 });
    });

    it('does not take music on hold while the caller waits for an answer for a hold', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).on('MusicOnHoldStart', caller).dialBegin(caller, agent, '1001').wait(3000);
      s.on('MusicOnHoldStop', caller).connect(caller, agent, 'b1').wait(2000).hangupRequest(caller).hangup(caller).hangup(agent);
      const [call] = ended(run(s).events);
      expect(call).toMatchObject({ holds: [], talkSeconds: 2, ringSeconds: 3 });
    });
  });

  describe('transfers', () => {
    it('records a BlindTransfer once, with the Local channel that replaces the transferer', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).newchannel(agent).dialBegin(caller, agent, '1001').wait(1000).connect(caller, agent, 'b1').wait(3000);
      s.event('BlindTransfer', {
        Result: 'Success',
        ...snapshot(agent, 'Transferer'),
        ...snapshot(caller, 'Transferee'),
        BridgeUniqueid: 'b1',
        IsExternal: 'No',
        Context: 'from-internal',
        Extension: '1002',
      });
      const l1 = s.channel('Local/1002@from-internal-00000001;1', { linkedid: caller.uniqueid });
      const l2 = s.channel('Local/1002@from-internal-00000001;2', { linkedid: caller.uniqueid });
      const target = s.channel('SIP/1002-00000005', { linkedid: caller.uniqueid });
      s.on('Unhold', agent).newchannel(l1).newchannel(l2).bridgeEnter(l1, 'b1').bridgeLeave(agent, 'b1').hangup(agent);
      s.dialBegin(l2, target, '1002').wait(2000).connect(l2, target, 'b2').wait(6000);
      s.hangupRequest(target).hangup(target).hangup(l2).hangup(l1).hangup(caller);
      const { events } = run(s);
      expect(types(events)).toEqual(['ringing', 'answered', 'transferred', 'ringing', 'answered', 'ended']);
      expect(ended(events)[0]).toMatchObject({
        transfers: [{ kind: 'blind', from: '1001', to: '1002' }],
        agents: ['1001', '1002'],
        answeredBy: '1001',
        talkSeconds: 9,
        hangupBy: 'callee',
        holds: [],
      });
    });

    it('joins the consultation call into the transferred one on an AttendedTransfer, ending the hold Atxfer leaves open', () => {
      const { s, caller, agentB } = attendedTransferWithConsultationCall();
      const { events } = run(s);
      const calls = ended(events);
      const consult = calls.find((c) => c.linkedid === agentB.uniqueid)!;
      const main = calls.find((c) => c.linkedids[0] === caller.uniqueid)!;
      expect(calls).toHaveLength(2);
      expect(consult).toMatchObject({ endReason: 'merged', mergedInto: main.callId, status: 'answered', talkSeconds: 5 });
      expect(main).toMatchObject({
        status: 'answered',
        transfers: [{ kind: 'attended', from: '1001', to: '1002' }],
        agents: ['1001', '1002'],
        linkedids: [caller.uniqueid, agentB.uniqueid],
        holds: [{ by: 'phone', seconds: 6 }],
        talkSeconds: 12,
        hangupBy: 'caller',
        endReason: 'hangup',
      });
    });

    it('follows a Linkedid that changes mid-call, keeping the call id', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).newchannel(agent).dialBegin(caller, agent, '1001').wait(1000).connect(caller, agent, 'b1').wait(2000);
      caller.linkedid = agent.linkedid = '1795700099.1';
      s.hangupRequest(agent).bridgeLeave(agent, 'b1').hangup(agent).bridgeLeave(caller, 'b1').hangup(caller);
      const { events } = run(s);
      const [call] = ended(events);
      expect(call).toMatchObject({ callId: `pbx:${caller.uniqueid}`, linkedid: '1795700099.1', linkedids: [caller.uniqueid, '1795700099.1'] });
      expect(new Set(events.map((e) => e.call.callId)).size).toBe(1);
    });
  });

  describe('channels', () => {
    it('reads PJSIP and IAX2 names; a configured trunk list beats the all-digits rule', () => {
      const s = new AmiEventScript();
      const caller = s.channel('PJSIP/1001-0000000a', { callerNum: '1001', exten: '84951112233' });
      const trunk = s.channel('IAX2/7495-12345', { linkedid: caller.uniqueid });
      s.newchannel(caller).dialBegin(caller, trunk, '7495/84951112233').wait(1000).connect(caller, trunk, 'b').wait(2000);
      s.hangupRequest(caller).hangup(caller).hangup(trunk);
      expect(ended(run(s, { trunks: ['7495'] }).events)[0]).toMatchObject({ direction: 'outbound', trunk: '7495', agents: ['1001'], answeredBy: null });
      expect(ended(run(s).events)[0]).toMatchObject({ direction: 'internal', trunk: null, agents: ['1001', '7495'], answeredBy: '7495' });
    });

    it('takes a custom isExtension for named peers', () => {
      const s = new AmiEventScript();
      const caller = s.channel('PJSIP/alice-00000001', { callerNum: 'alice', exten: 'bob' });
      const callee = s.channel('PJSIP/bob-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).dialBegin(caller, callee, 'bob').wait(500).connect(caller, callee, 'b').wait(2000).hangupRequest(callee).hangup(callee).hangup(caller);
      const [call] = ended(run(s, { isExtension: (peer) => ['alice', 'bob'].includes(peer) }).events);
      expect(call).toMatchObject({ direction: 'internal', caller: 'alice', callee: 'bob', answeredBy: 'bob', hangupBy: 'callee' });
    });

    it('is not confused by device state arriving before the channel, or by events of unknown channels', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.event('ExtensionStatus', { Exten: '1001', Context: 'from-internal', Hint: 'SIP/1001', Status: '8', StatusText: 'Ringing' });
      s.hangup(s.channel('SIP/1009-0000ffff')).event('Cdr', { UniqueID: '1.1', UserField: 'x', Disposition: 'ANSWERED' });
      s.newchannel(caller).dialBegin(caller, agent, '1001').wait(1000).connect(caller, agent, 'b').wait(1000).hangupRequest(caller).hangup(caller).hangup(agent);
      const { events, tracker } = run(s);
      expect(ended(events)).toHaveLength(1);
      expect(tracker.stats().calls).toBe(0);
    });

    it('does not reopen an ended call for a channel reported after it', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).dialBegin(caller, agent, '1001').wait(1000).dialEnd(caller, agent, 'NOANSWER').hangup(agent).hangup(caller);
      s.newchannel(s.channel('SIP/1002-00000003', { linkedid: caller.uniqueid })).on('MusicOnHoldStart', caller);
      const { events, tracker } = run(s);
      expect(types(events)).toEqual(['ringing', 'ended']);
      expect(tracker.stats()).toMatchObject({ calls: 0, channels: 0 });
    });

    it('builds a call from its later events when the Newchannel was lost', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.newchannel(agent).dialBegin(caller, agent, '1001').wait(1000).connect(caller, agent, 'b').wait(2000).hangupRequest(agent).hangup(agent).hangup(caller);
      const [call] = ended(run(s).events);
      expect(call).toMatchObject({ direction: 'inbound', caller: '+74951234567', callee: '74959876543', answeredBy: '1001', hangupBy: 'callee' });
    });
  });

  describe('recordings', () => {
    it('names a Monitor from the CDR userfield when nothing else named it, and tracks MixMonitor stop', () => {
      const s = new AmiEventScript();
      const caller = s.channel('SIP/1001-00000001', { exten: '1002' });
      const callee = s.channel('SIP/1002-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).on('MonitorStart', caller).dialBegin(caller, callee, '1002').wait(1000).connect(caller, callee, 'b');
      s.varSet(caller, 'MIXMONITOR_FILENAME', '/var/spool/asterisk/monitor/extra.wav').on('MixMonitorStart', caller).wait(2000).on('MixMonitorStop', caller);
      s.varSet(caller, '__CRM_CALL_ID', 'crm-7').event('Cdr', { UniqueID: caller.uniqueid, UserField: '20261126-100000-1001-1002', StartTime: '', AnswerTime: '' });
      s.hangupRequest(caller).hangup(callee).on('MonitorStop', caller).hangup(caller);
      const { events } = run(s);
      expect(types(events)).toEqual(['ringing', 'answered', 'recording_started', 'recording_stopped', 'recording_started', 'recording_stopped', 'ended']);
      const [call] = ended(events);
      expect(call.crmCallId).toBe('crm-7');
      expect(call.recordings).toEqual([
        { file: 'extra.wav', path: '/var/spool/asterisk/monitor/extra.wav', source: 'mixmonitor', startedAt: s.now - 2000, stoppedAt: s.now },
        // Named by the CDR at the end; it ran from the answer to MonitorStop.
        { file: '20261126-100000-1001-1002.wav', path: null, source: 'monitor', startedAt: call.answeredAt, stoppedAt: s.now },
      ]);
    });
  });

  describe('snapshots', () => {
    it('picks up calls in progress, ends the ones that vanished, and duplicates none', () => {
      const s = new AmiEventScript();
      const stay = inboundCaller(s);
      const stayAgent = s.channel('SIP/1001-00000002', { linkedid: stay.uniqueid });
      const gone = s.channel('SIP/1002-00000003', { exten: '1003' });
      const goneCallee = s.channel('SIP/1003-00000004', { linkedid: gone.uniqueid });
      s.newchannel(stay).dialBegin(stay, stayAgent, '1001').wait(1000).connect(stay, stayAgent, 'b1');
      s.newchannel(gone).dialBegin(gone, goneCallee, '1003').wait(1000).connect(gone, goneCallee, 'b2').wait(1000);
      const tracker = new CallTracker();
      run(s, undefined, tracker);
      const lostAt = s.now;
      tracker.connectionLost('pbx', lostAt);

      const after = new AmiEventScript('pbx', lostAt + 5000);
      const fresh = after.channel('SIP/provider-00000009', { uniqueid: '1795700050.1', callerNum: '+74957654321', exten: '74959876543' });
      const ringing = after.channel('SIP/1002-0000000a', { uniqueid: '1795700050.2', linkedid: fresh.uniqueid });
      after.response({ Response: 'Success', ActionID: 'snap-1', EventList: 'start', Message: 'Channels will follow' });
      after.coreShowChannel(stayAgent, { state: '6', bridge: 'b1', duration: '00:00:07' }).coreShowChannel(stay, { state: '6', bridge: 'b1', duration: '00:00:07' });
      after.coreShowChannel(fresh, { state: '4', duration: '00:00:04' }).coreShowChannel(ringing, { state: '5', duration: '00:00:03' });
      after.coreShowChannelsComplete(4);
      const { events } = run(after, undefined, tracker);
      expect(types(events)).toEqual(['ended', 'ringing']);
      expect(events[0].call).toMatchObject({ linkedid: gone.uniqueid, endReason: 'lost', hangupBy: 'system', status: 'answered', endedAt: lostAt, talkSeconds: 1 });
      expect(events[1]).toMatchObject({ extension: '1002', call: { linkedid: fresh.uniqueid, status: 'ringing', direction: 'inbound', startedAt: lostAt + 1000 } });
      const open = tracker.openCalls();
      expect(open.map((c) => c.linkedid).sort()).toEqual([fresh.uniqueid, stay.uniqueid].sort());

      // The recovered call goes on from the snapshot: answered, then over.
      const later = new AmiEventScript('pbx', lostAt + 8000);
      later.connect(fresh, ringing, 'b3').wait(4000).hangupRequest(fresh).hangup(fresh).hangup(ringing);
      const [call] = ended(run(later, undefined, tracker).events);
      expect(call).toMatchObject({ answeredBy: '1002', ringSeconds: 6, talkSeconds: 4, hangupBy: 'caller', status: 'answered' });
      expect(tracker.openCalls().map((c) => c.linkedid)).toEqual([stay.uniqueid]);
    });

    /** 1001 calling out to 84951112233 (the remote party), and 1003 a transfer may reach. */
    const outboundWithTarget = (s: AmiEventScript) => {
      const caller = s.channel('SIP/1001-00000001', { exten: '84951112233' });
      return { caller, remote: s.channel('SIP/provider-00000002', { linkedid: caller.uniqueid, callerNum: '84951112233' }), target: s.channel('SIP/1003-00000003', { linkedid: caller.uniqueid }) };
    };

    it('flags a call picked up after its caller had gone (a transfer finished while nobody listened): callerSeen false', () => {
      const s = new AmiEventScript();
      // The caller (uniqueid = the Linkedid) transferred its callee to 1003 and hung up while the link was down.
      const { caller, remote, target } = outboundWithTarget(s);
      s.coreShowChannelsStart();
      s.coreShowChannel(remote, { state: '6', bridge: 'b2', duration: '00:00:09' }).coreShowChannel(target, { state: '6', bridge: 'b2', duration: '00:00:04' });
      s.coreShowChannelsComplete(2).wait(3000).hangupRequest(target).hangup(target).hangup(remote);
      const [call] = ended(run(s).events);
      expect(call).toMatchObject({ linkedid: caller.uniqueid, callerSeen: false, endReason: 'hangup' });

      // Listed with its caller, a call picked up mid-flight knows who called.
      const t = new AmiEventScript();
      const c2 = inboundCaller(t);
      const agent = t.channel('SIP/1002-00000005', { linkedid: c2.uniqueid });
      t.coreShowChannelsStart();
      t.coreShowChannel(c2, { state: '6', bridge: 'b3', duration: '00:00:05' }).coreShowChannel(agent, { state: '6', bridge: 'b3', duration: '00:00:04' });
      t.coreShowChannelsComplete(2).wait(2000).hangupRequest(c2).hangup(c2).hangup(agent);
      expect(ended(run(t).events)[0]).toMatchObject({ direction: 'inbound', callerSeen: true });
    });

    it('keeps the direction the listing shows for a call picked up mid-flight: a later Dial (a transfer\'s consultation) does not change it', () => {
      const s = new AmiEventScript();
      const { caller: agent, remote, target } = outboundWithTarget(s);
      s.coreShowChannelsStart();
      s.coreShowChannel(agent, { state: '6', bridge: 'b1', duration: '00:00:05' }).coreShowChannel(remote, { state: '6', bridge: 'b1', duration: '00:00:04' });
      s.coreShowChannelsComplete(2).wait(1000).newchannel(target).dialBegin(agent, target, '1003').wait(2000);
      s.hangupRequest(agent).hangup(agent).hangup(target).hangup(remote);
      expect(ended(run(s).events)[0]).toMatchObject({ direction: 'outbound', trunk: 'provider', callerSeen: true });
    });

    it('ends every call on an empty listing, even without a response seen', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      s.newchannel(caller).dialBegin(caller, s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid }), '1001').wait(2000);
      s.coreShowChannelsComplete(0);
      const { events, tracker } = run(s);
      expect(ended(events)[0]).toMatchObject({ status: 'missed', endReason: 'lost', ringSeconds: 2 });
      expect(tracker.stats()).toMatchObject({ calls: 0, channels: 0 });
    });

    it('does not end a call that started while the listing was being sent', () => {
      const s = new AmiEventScript();
      s.response({ Response: 'Success', ActionID: 'snap-1', EventList: 'start', Message: 'Channels will follow' });
      const caller = inboundCaller(s);
      s.newchannel(caller).coreShowChannelsComplete(0);
      const { events, tracker } = run(s);
      expect(ended(events)).toEqual([]);
      expect(tracker.openCalls()).toHaveLength(1);
    });
  });

  it('reports to listeners the same events handle() returns', () => {
    const s = new AmiEventScript();
    const caller = inboundCaller(s);
    s.newchannel(caller).dialBegin(caller, s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid }), '1001');
    const tracker = new CallTracker();
    const heard: CallTrackerEvent[] = [];
    const off = tracker.onEvent((e) => heard.push(e));
    const returned = run(s, undefined, tracker).events;
    off();
    expect(heard).toEqual(returned);
    expect(heard).toHaveLength(1);
  });
});
