import { AmiEventScript, type ScriptChannel, snapshot } from './testing/ami-event-script';
import { endedCalls, eventTypes, inboundCaller, runScript } from './testing/script-run';

/**
 * Legs Asterisk joins into another call: a parked call retrieved by dialling its slot
 * (res_parking's ParkedCall: the parkee moves into a new basic bridge, then the retriever
 * joins it), a directed pickup (Pickup(): the picker's channel takes the ringing phone's
 * place in the caller's Dial by a masquerade). A basic bridge gives every member the oldest
 * Linkedid, but only from the moment a later channel joins: the first one's BridgeEnter
 * still shows its old call. Sequences written the way Asterisk 20 reports them.
 */
describe('CallTracker: legs that join another call', () => {
  /** The lab's dialplan records every call an extension makes, before running the app it dialled. */
  function recordLeg(s: AmiEventScript, ch: ScriptChannel, file: string): void {
    s.varSet(ch, 'MIXMONITOR_FILENAME', `/var/spool/asterisk/monitor/${file}`).on('MixMonitorStart', ch);
  }

  function basicBridgeEnter(s: AmiEventScript, ch: ScriptChannel, bridge: string): void {
    s.event('BridgeEnter', { BridgeUniqueid: bridge, BridgeType: 'basic', BridgeTechnology: 'simple_bridge', ...snapshot(ch) });
  }

  it('keeps a parked call retrieved by dialling its slot one call: the retriever is its agent, with its talk and recording', () => {
    const s = new AmiEventScript();
    const caller = inboundCaller(s);
    const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
    s.newchannel(caller).newchannel(agent).dialBegin(caller, agent, '1001').wait(1000).connect(caller, agent, 'b1').wait(3000);
    // 1001 parks the caller: a blind transfer to the parking extension 700.
    s.event('BlindTransfer', { Result: 'Success', ...snapshot(agent, 'Transferer'), ...snapshot(caller, 'Transferee'), BridgeUniqueid: 'b1', IsExternal: 'No', Context: 'from-internal', Extension: '700' });
    const parked = { ...snapshot(caller, 'Parkee'), ParkerDialString: 'SIP/1001', Parkinglot: 'default', ParkingSpace: '701', ParkingTimeout: '60', ParkingDuration: '0' };
    s.event('ParkedCall', parked).bridgeLeave(caller, 'b1');
    s.event('BridgeEnter', { BridgeUniqueid: 'lot', BridgeType: 'parking', BridgeTechnology: 'holding_bridge', ...snapshot(caller) }).on('MusicOnHoldStart', caller);
    s.bridgeLeave(agent, 'b1').hangupRequest(agent, true).hangup(agent);
    // 1002 dials 701: a channel (and Linkedid) of its own until it joins the parkee.
    s.wait(5000);
    const retriever = s.channel('SIP/1002-00000003', { callerNum: '1002', callerName: 'Bob Agent', exten: '701' });
    s.newchannel(retriever);
    recordLeg(s, retriever, '20261126-100009-1002-701.wav');
    s.event('Newstate', snapshot(retriever)).bridgeLeave(caller, 'lot');
    basicBridgeEnter(s, caller, 'b-retrieve');
    s.event('UnParkedCall', { ...snapshot(caller, 'Parkee'), ...snapshot(retriever, 'Retriever'), ParkerDialString: 'SIP/1001', Parkinglot: 'default', ParkingSpace: '701' });
    s.on('MusicOnHoldStop', caller);
    retriever.linkedid = caller.uniqueid;
    basicBridgeEnter(s, retriever, 'b-retrieve');
    s.wait(6000).hangupRequest(retriever).bridgeLeave(retriever, 'b-retrieve').hangup(retriever);
    s.hangupRequest(caller, true).bridgeLeave(caller, 'b-retrieve').hangup(caller);
    const { events, tracker } = runScript(s);
    expect(new Set(events.map((e) => e.call.callId))).toEqual(new Set([`pbx:${caller.uniqueid}`]));
    const calls = endedCalls(events);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      status: 'answered',
      answeredBy: '1001',
      agents: ['1001', '1002'],
      talkSeconds: 9,
      holdSeconds: 5,
      hangupBy: 'callee',
      endReason: 'hangup',
      linkedids: [caller.uniqueid, retriever.uniqueid],
    });
    expect(calls[0].recordings.map((r) => r.file)).toEqual(['20261126-100009-1002-701.wav']);
    expect(tracker.stats()).toMatchObject({ calls: 0, channels: 0, bridges: 0 });
  });

  it('gives a directed pickup to the ringing call: the picker answers it, and is no call of its own', () => {
    const s = new AmiEventScript();
    const caller = s.channel('SIP/1001-00000001', { callerName: 'Alice Agent', exten: '1002' });
    const target = s.channel('SIP/1002-00000002', { linkedid: caller.uniqueid });
    s.newchannel(caller).newchannel(target).dialBegin(caller, target, '1002').wait(4000);
    const picker = s.channel('SIP/1003-00000003', { callerNum: '1003', exten: '**1002' });
    s.newchannel(picker);
    recordLeg(s, picker, '20261126-100004-1003-**1002.wav');
    s.event('Newstate', snapshot(picker)).event('Pickup', { ...snapshot(picker), ...snapshot(target, 'Target') });
    // The masquerade: the picker's channel is now the one in the caller's Dial; the ringing phone's goes.
    s.hangup(target, 26).dialEnd(caller, picker, 'ANSWER');
    basicBridgeEnter(s, picker, 'b1');
    basicBridgeEnter(s, caller, 'b1');
    picker.linkedid = caller.uniqueid;
    s.wait(7000).hangupRequest(picker).bridgeLeave(picker, 'b1').hangup(picker).bridgeLeave(caller, 'b1').hangup(caller);
    const { events } = runScript(s);
    expect(new Set(events.map((e) => e.call.callId))).toEqual(new Set([`pbx:${caller.uniqueid}`]));
    expect(events.filter((e) => e.type === 'answered').map((e) => e.type === 'answered' && e.extension)).toEqual(['1003']);
    const calls = endedCalls(events);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      direction: 'internal',
      status: 'answered',
      answeredBy: '1003',
      agents: ['1001', '1003'],
      ringSeconds: 4,
      talkSeconds: 7,
      hangupBy: 'callee',
      linkedids: [caller.uniqueid, picker.uniqueid],
    });
    expect(calls[0].recordings.map((r) => r.file)).toEqual(['20261126-100004-1003-**1002.wav']);
  });

  it('does not join calls that only share a holding bridge (two parked callers)', () => {
    const s = new AmiEventScript();
    const first = inboundCaller(s);
    const second = s.channel('SIP/provider-00000009', { callerNum: '+74957654321', exten: '74959876543' });
    for (const [ch, bridge] of [[first, 'lot'], [second, 'lot']] as const) {
      s.newchannel(ch).event('BridgeEnter', { BridgeUniqueid: bridge, BridgeType: 'parking', BridgeTechnology: 'holding_bridge', ...snapshot(ch) }).wait(1000);
    }
    s.hangupRequest(first).bridgeLeave(first, 'lot').hangup(first).hangupRequest(second).bridgeLeave(second, 'lot').hangup(second);
    const calls = endedCalls(runScript(s).events);
    expect(calls.map((c) => c.linkedid)).toEqual([first.uniqueid, second.uniqueid]);
    expect(calls.map((c) => c.endReason)).toEqual(['hangup', 'hangup']);
  });

  describe('ringing only when a phone rings', () => {
    it('reports no ringing for a leg that was busy at once (DialEnd BUSY with no ringing)', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const agent = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      s.newchannel(caller).newchannel(agent).dialBegin(caller, agent, '1001', { ringing: false }).wait(300).dialEnd(caller, agent, 'BUSY').hangup(agent, 17);
      s.hangupRequest(caller, true).hangup(caller, 17);
      const { events } = runScript(s);
      expect(eventTypes(events)).toEqual(['ended']);
      expect(endedCalls(events)[0]).toMatchObject({ status: 'busy', ringingExtensions: ['1001'] });
    });

    it('reports the ringing when the phone starts ringing (DialState RINGING or its Ringing state), once', () => {
      const s = new AmiEventScript();
      const caller = inboundCaller(s);
      const busy = s.channel('SIP/1001-00000002', { linkedid: caller.uniqueid });
      const rings = s.channel('SIP/1002-00000003', { linkedid: caller.uniqueid });
      const viaState = s.channel('SIP/1003-00000004', { linkedid: caller.uniqueid });
      const quiet = { ringing: false };
      s.newchannel(caller).dialBegin(caller, busy, '1001', quiet).dialBegin(caller, rings, '1002', quiet).dialBegin(caller, viaState, '1003', quiet);
      const dialledAt = s.now;
      s.wait(200).dialEnd(caller, busy, 'BUSY').hangup(busy, 17).wait(100).dialState(caller, rings).dialState(caller, rings, 'PROGRESS');
      s.wait(100).event('Newstate', { ...snapshot(viaState), ChannelState: '5', ChannelStateDesc: 'Ringing' });
      s.wait(3000).connect(caller, rings, 'b1').dialEnd(caller, viaState, 'CANCEL').hangup(viaState, 26);
      s.wait(2000).hangupRequest(caller).bridgeLeave(caller, 'b1').hangup(caller).bridgeLeave(rings, 'b1').hangup(rings);
      const { events } = runScript(s);
      const ringing = events.filter((e) => e.type === 'ringing');
      expect(ringing.map((e) => [e.type === 'ringing' && e.extension, e.at - dialledAt])).toEqual([
        ['1002', 300],
        ['1003', 400],
      ]);
      expect(endedCalls(events)[0]).toMatchObject({ status: 'answered', answeredBy: '1002', ringingExtensions: ['1001', '1002', '1003'], ringSeconds: 3 });
    });
  });
});
