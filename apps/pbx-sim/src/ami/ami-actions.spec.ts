import { AmiMessage } from '@app/ami';
import { FidelityHarness } from '../fidelity/capture-scenarios';
import { demoPbxConfig } from '../demo-defaults';
import type { AmiFields } from '../engine/ami-event';
import { AmiSession, parseCallerId } from './ami-actions';
import { EventMask, parseEventMask } from './event-mask';

type Msg = { keys: readonly string[]; values: readonly string[] };
const get = (m: Msg, key: string): string | undefined => {
  const i = m.keys.indexOf(key);
  return i < 0 ? undefined : m.values[i];
};

function harness(): FidelityHarness {
  return new FidelityHarness(Date.UTC(2026, 10, 26, 12, 0, 0), { config: demoPbxConfig({ recordingsPath: null }) });
}

/** Responses and list events written to the harness session since `from`. */
function replies(h: FidelityHarness, from = 0): Msg[] {
  return h.messages.slice(from).filter((m) => m.keys[0] === 'Response' || get(m, 'ActionID') !== undefined);
}

describe('manager actions', () => {
  it('starts and stops Monitor and MixMonitor with Asterisk texts and events', () => {
    const h = harness();
    const call = h.place({ kind: 'internal', from: '1001', to: '1002', ringMs: 500, talkMs: 60000 });
    h.clock.advance(1000);
    const mark = h.messages.length;
    h.action({ Action: 'StopMonitor', Channel: call.channel });
    h.action({ Action: 'Monitor', Channel: call.channel, File: 'again', Format: 'wav', Mix: 'true' });
    h.action({ Action: 'StopMixMonitor', Channel: call.channel });
    h.action({ Action: 'MixMonitor', Channel: call.channel, File: 'crm-ami-x.wav', Options: 'b' });
    h.action({ Action: 'StopMixMonitor', Channel: call.channel });
    h.action({ Action: 'Monitor', Channel: 'SIP/1009-00000000' });
    h.action({ Action: 'MixMonitor', Channel: call.channel, File: '../../etc/passwd' });
    const r = replies(h, mark).filter((m) => m.keys[0] === 'Response');
    expect(r.map((m) => [get(m, 'Response'), get(m, 'Message')])).toEqual([
      ['Success', 'Stopped monitoring channel'],
      ['Success', 'Started monitoring channel'],
      ['Error', 'Could not stop MixMonitor'],
      ['Success', undefined],
      ['Success', undefined],
      ['Error', 'No such channel'],
      ['Error', 'Could not start monitoring channel'],
    ]);
    const names = h.messages.slice(mark).filter((m) => m.keys[0] === 'Event' && /Monitor/.test(m.values[0])).map((m) => m.values[0]);
    expect(names).toEqual(['MonitorStop', 'MonitorStart', 'MixMonitorStart', 'MixMonitorStop']);
    expect(h.messages.find((m) => get(m, 'Variable') === 'MIXMONITOR_FILENAME' && get(m, 'Value')?.endsWith('crm-ami-x.wav'))).toBeDefined();
    h.action({ Action: 'Hangup', Channel: call.channel });
    h.run();
  });

  it('answers Status for one channel with the requested variables, ActionID last', () => {
    const h = harness();
    const call = h.place({ kind: 'inbound', to: '1001', ringMs: 500, talkMs: 60000 });
    h.clock.advance(1000);
    const mark = h.messages.length;
    h.action({ Action: 'Status', Channel: call.channel, Variables: 'CALLFILENAME,CDR(userfield)' });
    const [ack, status, done] = replies(h, mark);
    expect([get(ack, 'EventList'), get(ack, 'Message')]).toEqual(['start', 'Channel status will follow']);
    expect(status.keys[status.keys.length - 1]).toBe('ActionID');
    expect(status.keys.filter((k) => k === 'Variable')).toHaveLength(2);
    expect(get(status, 'Variable')).toBe('CALLFILENAME=20261126-120000-+74951234567-74959876543');
    expect([get(status, 'DNID'), get(status, 'Application'), get(status, 'Seconds')]).toEqual(['74959876543', 'Dial', '1']);
    expect(done.keys).toEqual(['Event', 'ActionID', 'EventList', 'ListItems', 'Items']);
    h.action({ Action: 'Status', Channel: 'SIP/none-00000000' });
    expect(get(h.messages[h.messages.length - 1], 'Message')).toBe('No such channel');
    h.action({ Action: 'Hangup', Channel: '/^SIP\\/provider-/' });
    const hungList = replies(h).filter((m) => get(m, 'Event') === 'ChannelsHungupListComplete');
    expect(hungList.map((m) => get(m, 'ListItems'))).toEqual(['1']);
    h.run();
    expect(h.engine.liveChannels()).toEqual([]);
  });

  it('lists SIP peers like chan_sip, the unregistered one with -none-', () => {
    const h = new FidelityHarness(Date.UTC(2026, 10, 26, 12, 0, 0));
    h.action({ Action: 'SIPpeers' });
    const entries = h.messages.filter((m) => m.values[0] === 'PeerEntry');
    expect(entries.map((m) => [get(m, 'ObjectName'), get(m, 'IPaddress'), get(m, 'Dynamic')])).toEqual([
      ['1001', '127.0.0.1', 'no'],
      ['1002', '127.0.0.1', 'no'],
      ['1003', '-none-', 'yes'],
      ['provider', '127.0.0.1', 'no'],
    ]);
    expect(get(h.messages[h.messages.length - 1], 'ListItems')).toBe('4');
  });

  it('logs in once, refuses a second Login politely, and switches events with the Events action', async () => {
    const h = harness();
    const sent: AmiFields[] = [];
    const session: AmiSession = { authenticated: false, username: null, challenge: null, events: EventMask.none(), send: (f) => sent.push(f), close: () => undefined };
    const msg = (fields: Record<string, string>): AmiMessage => new AmiMessage(Object.keys(fields), Object.values(fields), 0);
    await h.actions.handle(session, msg({ Action: 'Login', Username: 'crm_manager', Secret: 'secret', Events: 'off' }));
    expect(session.authenticated).toBe(true);
    expect(session.events.none).toBe(true);
    expect(sent.map((f) => f.values[0])).toEqual(['Success']);
    await h.actions.handle(session, msg({ Action: 'login', Username: 'x', Secret: 'y' }));
    expect(sent[1].values).toEqual(['Success', 'Already authenticated']);
    await h.actions.handle(session, msg({ Action: 'Events', EventMask: 'call,cdr' }));
    expect(sent[2].values).toEqual(['Success', 'On']);
    expect(session.events.allows(['cdr'])).toBe(true);
    expect(session.events.allows(['dialplan'])).toBe(false);
    await h.actions.handle(session, msg({ Action: 'Events', EventMask: '' }));
    expect(sent[3].values).toEqual(['Error', 'Invalid event mask']);
  });
});

describe('attended transfer over AMI', () => {
  /** An inbound call answered by 1001, talking until someone acts; 1002 answers whatever dials it after `ringMs`. */
  function talking(ringMs = 1000): { h: FidelityHarness; caller: string; agent: string } {
    const h = harness();
    const call = h.place({ kind: 'inbound', to: '1001', ringMs: 500, talkMs: 600000 });
    h.script(call.linkedid, '1002', { response: 'answer', ringMs, talkMs: 600000, hangup: 'none' });
    h.clock.advance(1000);
    return { h, caller: call.channel, agent: h.channelOf('1001') };
  }
  const events = (h: FidelityHarness, from: number, names: string[]): string[] =>
    h.messages
      .slice(from)
      .filter((m) => m.keys[0] === 'Event' && names.includes(m.values[0]))
      .map((m) => `${m.values[0]} ${get(m, 'Channel') ?? get(m, 'TransfereeChannel') ?? ''}`.trim());

  it('waits for the CRM once the target answers: an AMI Hangup of the transferer completes it', () => {
    const { h, caller, agent } = talking();
    const mark = h.messages.length;
    h.action({ Action: 'Atxfer', Channel: agent, Exten: '1002', Context: 'transfer-context' });
    h.clock.advance(10_000);
    // Answered 1 s after the Atxfer and consulted for 9 s: no completion without the CRM.
    expect(h.engine.liveChannels().map((c) => c.peer.name).sort()).toEqual(['1001', '1002', 'Local/1002@transfer-context', 'Local/1002@transfer-context', 'provider'].sort());
    h.action({ Action: 'Hangup', Channel: agent, Cause: '16' });
    h.clock.advance(100);
    expect(replies(h, mark).filter((m) => m.keys[0] === 'Response').map((m) => get(m, 'Message'))).toEqual(['Atxfer successfully queued', 'Channel Hungup']);
    const seen = events(h, mark, ['Hold', 'MusicOnHoldStart', 'SoftHangupRequest', 'AttendedTransfer', 'MusicOnHoldStop']);
    expect(seen).toEqual([`Hold ${agent}`, `MusicOnHoldStart ${caller}`, `SoftHangupRequest ${agent}`, `AttendedTransfer ${caller}`, `MusicOnHoldStop ${caller}`]);
    const transfer = h.messages.find((m) => m.values[0] === 'AttendedTransfer') as Msg;
    expect([get(transfer, 'Result'), get(transfer, 'OrigTransfererChannel')]).toEqual(['Success', agent]);
    const bridged = h.engine.liveChannels().filter((c) => c.bridge !== null).map((c) => c.peer.name);
    expect(bridged.sort()).toEqual(['1002', 'provider']);
    expect(h.engine.channel(agent)).toBeUndefined();
  });

  it('CancelAtxfer hangs the target up and puts the transferer back with the held party, Asterisk texts on errors', () => {
    const { h, caller, agent } = talking();
    const mark = h.messages.length;
    h.action({ Action: 'Atxfer', Channel: agent, Exten: '1002', Context: 'transfer-context' });
    h.clock.advance(3000);
    h.action({ Action: 'CancelAtxfer', Channel: agent });
    h.action({ Action: 'CancelAtxfer', Channel: 'SIP/1009-0000ffff' });
    h.action({ Action: 'CancelAtxfer' });
    h.clock.advance(500);
    expect(replies(h, mark).filter((m) => m.keys[0] === 'Response').map((m) => [get(m, 'Response'), get(m, 'Message')])).toEqual([
      ['Success', 'Atxfer successfully queued'],
      ['Success', 'CancelAtxfer successfully queued'],
      ['Error', 'Channel specified does not exist'],
      ['Error', 'No channel specified'],
    ]);
    expect(events(h, mark, ['Hold', 'Unhold', 'MusicOnHoldStart', 'MusicOnHoldStop', 'AttendedTransfer'])).toEqual([
      `Hold ${agent}`,
      `MusicOnHoldStart ${caller}`,
      `MusicOnHoldStop ${caller}`,
      `Unhold ${agent}`,
    ]);
    const agentCh = h.engine.channel(agent);
    expect(agentCh?.bridge).not.toBeNull();
    expect(agentCh?.bridge?.peerOf(agentCh)?.name).toBe(caller);
    expect(h.engine.liveChannels().map((c) => c.peer.name).sort()).toEqual(['1001', 'provider']);
  });
});

describe('hold on the phone', () => {
  it('sends Hold on the agent and music to the caller, then Unhold and the music stops', () => {
    const h = harness();
    const call = h.place({ kind: 'inbound', to: '1001', ringMs: 500, talkMs: 8000, hangupBy: 'callee', phoneHold: { afterMs: 1000, durationMs: 3000 } });
    h.run();
    const agent = h.messages.find((m) => m.values[0] === 'Hold') as Msg;
    const seen = h.messages.filter((m) => ['Hold', 'Unhold', 'MusicOnHoldStart', 'MusicOnHoldStop'].includes(m.values[0])).map((m) => `${m.values[0]} ${get(m, 'Channel')}`);
    expect(seen).toEqual([`Hold ${get(agent, 'Channel')}`, `MusicOnHoldStart ${call.channel}`, `Unhold ${get(agent, 'Channel')}`, `MusicOnHoldStop ${call.channel}`]);
    expect(get(agent, 'Channel')).toMatch(/^SIP\/1001-/);
    expect(agent.keys).not.toContain('MusicClass');
  });
});

describe('header parsing helpers', () => {
  it.each([
    ['"CRM Click2Call" <1001>', { num: '1001', name: 'CRM Click2Call' }],
    ['Alice <1001>', { num: '1001', name: 'Alice' }],
    ['<+74951234567>', { num: '+74951234567', name: null }],
    ['1001', { num: '1001', name: null }],
    ['Reception', { num: null, name: 'Reception' }],
    ['', { num: null, name: null }],
  ])('CallerID %j', (text, expected) => {
    expect(parseCallerId(text)).toEqual(expected);
  });

  it.each([
    ['on', ['dialplan'], true],
    ['yes', ['call'], true],
    ['off', ['call'], false],
    ['call,agent', ['agent'], true],
    ['call,agent', ['dialplan'], false],
    ['all', ['cdr'], true],
    ['bogus', ['call'], false],
  ])('event mask %s allows %j: %s', (mask, classes, allowed) => {
    expect(parseEventMask(mask).allows(classes)).toBe(allowed);
  });
});
