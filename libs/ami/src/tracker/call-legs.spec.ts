import { amiFixturePath, type AmiFixtureSet } from '../protocol/ami-fixtures';
import { AmiMessage } from '../protocol/ami-message';
import { loadCapture, parseCapture } from '../replay/capture';
import type { CallLeg, CallRecord, CallTrackerEvent } from './call-record';
import { legOfExtension, legsConnectedTo } from './call-legs';
import { CallTracker } from './call-tracker';

/** Replays a capture into a tracker up to `seconds` after its first message; returns the tracker and the events so far. */
function replayUntil(file: string, set: AmiFixtureSet, seconds: number): { tracker: CallTracker; events: CallTrackerEvent[] } {
  const messages = parseCapture(loadCapture(amiFixturePath(file, set)), 'pbx');
  const until = messages[0].receivedAt + seconds * 1000;
  const tracker = new CallTracker();
  const events: CallTrackerEvent[] = [];
  for (const msg of messages) if (msg.receivedAt <= until) events.push(...tracker.handle(msg));
  return { tracker, events };
}

function openCall(tracker: CallTracker): CallRecord {
  const calls = tracker.openCalls('pbx');
  expect(calls).toHaveLength(1);
  return calls[0];
}

const summary = (legs: CallLeg[] | undefined) => (legs ?? []).map((l) => `${l.channel} ${l.role} ${l.state}${l.extension ? ` ${l.extension}` : ''}`);

describe('CallRecord.legs: the live channels call control addresses', () => {
  it('lists a ringing inbound call: the caller waiting, the phone ringing', () => {
    const call = openCall(replayUntil('inbound_answered.ami', 'ami', 0.5).tracker);
    expect(summary(call.legs)).toEqual(['SIP/provider-00000002 caller ringing', 'SIP/1001-00000003 agent ringing 1001']);
    expect(call.legs!.every((l) => l.bridgeId === null)).toBe(true);
  });

  it('finds the operator`s channel and the remote party bridged with it', () => {
    const { tracker, events } = replayUntil('inbound_answered.ami', 'ami', 3);
    const call = openCall(tracker);
    expect(summary(call.legs)).toEqual(['SIP/provider-00000002 caller up', 'SIP/1001-00000003 agent up 1001']);
    const operator = legOfExtension(call, '1001')!;
    expect(operator.channel).toBe('SIP/1001-00000003');
    expect(legsConnectedTo(call, operator.uniqueid).map((l) => l.channel)).toEqual(['SIP/provider-00000002']);
    expect(call.legs![0].bridgeId).toBe(operator.bridgeId);
    // The answered event already shows the phone up (the caller's own Newstate Up follows it).
    expect(summary(events.find((e) => e.type === 'answered')!.call.legs)).toEqual(['SIP/provider-00000002 caller ringing', 'SIP/1001-00000003 agent up 1001']);
  });

  it('marks the held party during a server-side hold, in no bridge, and ends with no legs', () => {
    const held = openCall(replayUntil('hold_redirect_bridge.ami', 'ami', 7).tracker);
    expect(summary(held.legs)).toEqual(['SIP/provider-00000048 caller held', 'SIP/1001-00000049 agent up 1001']);
    expect(held.legs!.map((l) => l.bridgeId)).toEqual([null, null]);
    const { events } = replayUntil('hold_redirect_bridge.ami', 'ami', 60);
    const ended = events.filter((e) => e.type === 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0].call.legs).toEqual([]);
  });

  it('reaches the caller from the agent`s phone through a ring group`s Local pair; the losing member`s legs are gone', () => {
    const call = openCall(replayUntil('fpbx_ringgroup_answered.ami', 'ami-fpbx', 3).tracker);
    expect(summary(call.legs)).toEqual([
      'SIP/provider-00000000 caller up',
      'Local/1002@from-ringgroup-00000001;1 local-half up',
      'Local/1002@from-ringgroup-00000001;2 local-half up',
      'SIP/1002-00000002 agent up 1002',
    ]);
    const agent = legOfExtension(call, '1002')!;
    expect(legsConnectedTo(call, agent.uniqueid).map((l) => l.channel)).toEqual(['SIP/provider-00000000']);
    expect(legsConnectedTo(call, call.legs![0].uniqueid).map((l) => l.channel)).toEqual(['SIP/1002-00000002']);
    expect(legOfExtension(call, '1001')).toBeNull();
  });

  it('follows nested pairs (follow-me stage 2) from the caller to the phone at the far end', () => {
    const call = openCall(replayUntil('fpbx_followme_second_stage.ami', 'ami-fpbx', 10).tracker);
    const caller = call.legs!.find((l) => l.role === 'caller')!;
    expect(legsConnectedTo(call, caller.uniqueid).map((l) => `${l.channel} ${l.extension}`)).toEqual(['SIP/1002-00000008 1002']);
  });
});

describe('CallTracker.liveCall: one call in progress by its id', () => {
  it('gives the same record as openCalls while live, null once ended or for another PBX or an unknown id', () => {
    const { tracker } = replayUntil('hold_redirect_bridge.ami', 'ami', 7);
    const [open] = tracker.openCalls('pbx');
    expect(tracker.liveCall('pbx', open.callId)).toEqual(open);
    expect(tracker.liveCall('other', open.callId)).toBeNull();
    expect(tracker.liveCall('pbx', 'pbx:1795696890.999')).toBeNull();
    expect(tracker.liveCall('pbx', 'pb')).toBeNull();
    const done = replayUntil('hold_redirect_bridge.ami', 'ami', 60).tracker;
    expect(done.liveCall('pbx', open.callId)).toBeNull();
  });
});

describe('CallTracker.expectMonitorFile: the name of an AMI Monitor', () => {
  it('names the recording the next MonitorStart of that channel starts, which carries no name of its own', () => {
    const { tracker } = replayUntil('inbound_answered.ami', 'ami', 3);
    const agent = legOfExtension(openCall(tracker), '1001')!;
    expect(tracker.expectMonitorFile('pbx', agent.uniqueid, 'crm-1.wav')).toBe(true);
    expect(tracker.expectMonitorFile('pbx', 'nobody', 'crm-2.wav')).toBe(false);
    const start = new AmiMessage(['Event', 'Privilege', 'Channel', 'Uniqueid', 'Linkedid'], ['MonitorStart', 'call,all', agent.channel, agent.uniqueid, openCall(tracker).linkedid], Date.now(), 'pbx');
    const events = tracker.handle(start);
    expect(events.map((e) => (e.type === 'recording_started' ? `${e.recording.source}:${e.recording.file}` : e.type))).toEqual(['monitor:crm-1.wav']);
  });
});
