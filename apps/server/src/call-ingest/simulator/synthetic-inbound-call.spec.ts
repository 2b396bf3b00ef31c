import { amiFixturePath } from '@app/ami/testing';
import { type AmiMessage, loadCapture, parseCapture } from '@app/ami';
import { SyntheticInboundCall } from './synthetic-inbound-call';

const CALL_EVENTS = new Set([
  'Newchannel',
  'Newstate',
  'NewConnectedLine',
  'DialBegin',
  'DialState',
  'DialEnd',
  'BridgeCreate',
  'BridgeEnter',
  'BridgeLeave',
  'BridgeDestroy',
  'HangupRequest',
  'SoftHangupRequest',
  'Hangup',
]);

/** Per channel role (trunk, agent, bridge), the call events' names and key sets in order. */
function shape(messages: AmiMessage[]): Record<string, Array<{ name: string; keys: string }>> {
  const out: Record<string, Array<{ name: string; keys: string }>> = { trunk: [], agent: [], bridge: [] };
  for (const m of messages) {
    if (m.kind !== 'event' || !CALL_EVENTS.has(m.name)) continue;
    const channel = m.get('Channel');
    const role = channel === undefined ? 'bridge' : /^SIP\/\d+-/.test(channel) ? 'agent' : 'trunk';
    out[role].push({ name: m.name, keys: [...m.keys].sort().join(',') });
  }
  return out;
}

function synthetic(): SyntheticInboundCall {
  return new SyntheticInboundCall({ pbxId: 'sim', sequence: 1, epochSeconds: 1795696635, caller: '+74951234567', did: '74959876543', extension: '1001', agentName: 'Alice Agent' });
}

describe('SyntheticInboundCall', () => {
  const capture = (name: string) => shape(parseCapture(loadCapture(amiFixturePath(`${name}.ami`))));

  it('sends what Asterisk sent for an answered inbound call hung up by the agent', () => {
    const call = synthetic();
    expect(shape([...call.ring(1), ...call.answer(2), ...call.hangup(3, 'agent')])).toEqual(capture('inbound_answered'));
  });

  it('sends what Asterisk sent for an unanswered inbound call', () => {
    const call = synthetic();
    expect(shape([...call.ring(1), ...call.noAnswer(2)])).toEqual(capture('inbound_no_answer'));
  });

  it('sends what Asterisk sent when the caller gives up while it rings', () => {
    const call = synthetic();
    expect(shape([...call.ring(1), ...call.cancel(2)])).toEqual(capture('inbound_abandoned'));
  });

  it('ties every channel to one linkedid and tags events with the pbx and time', () => {
    const call = synthetic();
    const events = call.ring(1234);
    expect(new Set(events.map((e) => e.get('Linkedid')))).toEqual(new Set([call.linkedid]));
    expect(events.every((e) => e.pbxId === 'sim' && e.receivedAt === 1234)).toBe(true);
    expect(events.find((e) => e.name === 'DialBegin')?.get('DestChannel')).toBe('SIP/1001-00000003');
  });

  it('adds dialplan VarSet events when asked, for a realistic event mix', () => {
    const call = new SyntheticInboundCall({ pbxId: 'sim', sequence: 7, epochSeconds: 1, caller: '1', did: '2', extension: '1001', varSetsPerPhase: 5 });
    expect(call.ring(1).filter((e) => e.name === 'VarSet')).toHaveLength(5);
    expect(call.answer(2).filter((e) => e.name === 'VarSet')).toHaveLength(5);
  });
});
