import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmiMessage, CallTracker, type CallRecord } from '@app/ami';
import { FidelityHarness } from '../fidelity/capture-scenarios';
import { demoPbxConfig } from '../demo-defaults';
import type { PbxConfig } from './pbx-config';
import { type PlaceCallRequest, PlaceCallError } from './call-placer';
import { asterisk22RuleViolations } from '../fidelity/asterisk22-rules';
import { freepbxDialplanConf, FREEPBX_LAB_PROFILE } from './freepbx-dialplan';
import { labDialplanConf } from './lab-dialplan';
import { DIALECTS } from './dialect';

const START = Date.UTC(2026, 10, 26, 12, 0, 0);

function harness(config: Partial<PbxConfig> = {}): FidelityHarness {
  return new FidelityHarness(START, { config: demoPbxConfig({ recordingsPath: null, ...config }) });
}

type Msg = { keys: readonly string[]; values: readonly string[] };
const get = (m: Msg, key: string): string | undefined => {
  const i = m.keys.indexOf(key);
  return i < 0 ? undefined : m.values[i];
};
const named = (h: FidelityHarness, name: string): Msg[] => h.messages.filter((m) => m.keys[0] === 'Event' && m.values[0] === name);

function calls(h: FidelityHarness): CallRecord[] {
  const tracker = new CallTracker();
  const ended: CallRecord[] = [];
  tracker.onEvent((e) => {
    if (e.type === 'ended') ended.push(e.call);
  });
  for (const m of h.messages) tracker.handle(new AmiMessage(m.keys, m.values, 'at' in m ? (m as { at: number }).at : START));
  return ended;
}

function run(req: PlaceCallRequest, config: Partial<PbxConfig> = {}): FidelityHarness {
  const h = harness(config);
  h.place(req);
  h.run();
  expect(h.engine.liveChannels()).toEqual([]);
  return h;
}

describe('call flows', () => {
  it('rings every queue member at once (last member first, as app_queue prepends its attempts) and connects the one that answers', () => {
    const h = run({ kind: 'queue', from: '+74957654321', ringMs: 2000, talkMs: 3000, answeredBy: '1002' });
    expect(named(h, 'QueueCallerJoin')).toHaveLength(1);
    expect(named(h, 'AgentCalled').map((m) => get(m, 'MemberName'))).toEqual(['Carol Agent', 'Bob Agent', 'Alice Agent']);
    const connect = named(h, 'AgentConnect');
    expect(connect).toHaveLength(1);
    expect(get(connect[0], 'Interface')).toBe('SIP/1002');
    const cancels = named(h, 'DialEnd').filter((m) => get(m, 'DialStatus') === 'CANCEL');
    expect(cancels.map((m) => get(m, 'DestChannel')?.slice(0, 8))).toEqual(['SIP/1003', 'SIP/1003', 'SIP/1001', 'SIP/1001']);
    const complete = named(h, 'AgentComplete');
    expect([get(complete[0], 'Reason'), get(complete[0], 'TalkTime')]).toEqual(['agent', '3']);
    const [call] = calls(h);
    expect(call).toMatchObject({ direction: 'inbound', status: 'answered', answeredBy: '1002', ringingExtensions: ['1003', '1002', '1001'] });
  });

  it('reports QueueCallerAbandon when the caller gives up waiting', () => {
    const h = run({ kind: 'queue', from: '+74957654321', outcome: 'abandoned', ringMs: 5000 });
    const abandon = named(h, 'QueueCallerAbandon');
    expect(abandon).toHaveLength(1);
    expect([get(abandon[0], 'Position'), get(abandon[0], 'OriginalPosition'), get(abandon[0], 'HoldTime')]).toEqual(['1', '1', '5']);
    expect(calls(h)[0]).toMatchObject({ status: 'abandoned', hangupBy: 'caller' });
  });

  it('skips a paused queue member (QueuePause) and reports the pause', () => {
    const h = harness();
    h.action({ Action: 'QueuePause', Interface: 'SIP/1001', Paused: 'true', Reason: 'lunch' });
    const pause = named(h, 'QueueMemberPause');
    expect(pause.map((m) => [get(m, 'Interface'), get(m, 'Paused'), get(m, 'PausedReason')])).toEqual([['SIP/1001', '1', 'lunch']]);
    h.place({ kind: 'queue', from: '+74957654321', ringMs: 1000, talkMs: 1000, answeredBy: '1003' });
    h.run();
    expect(named(h, 'AgentCalled').map((m) => get(m, 'Interface'))).toEqual(['SIP/1003', 'SIP/1002']);
  });

  it('blind-transfers an answered call by Redirect: one call, agent 1001 then 1003', () => {
    const h = run({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 20000, transfer: { kind: 'blind', to: '1003', afterMs: 2000, ringMs: 1500, talkMs: 5000 } });
    const [call] = calls(h);
    expect(call).toMatchObject({ status: 'answered', agents: ['1001', '1003'], hangupBy: 'callee' });
    expect(call.transfers.map((t) => `${t.kind}:${t.from}->${t.to}`)).toEqual(['blind:1001->1003']);
    expect(named(h, 'BlindTransfer')).toEqual([]);
  });

  it('completes an attended transfer through a Local channel pair', () => {
    const h = run({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 20000, transfer: { kind: 'attended', to: '1003', afterMs: 2000, ringMs: 1500, talkMs: 5000 } });
    expect(named(h, 'Hold').map((m) => get(m, 'Channel'))).toEqual([expect.stringMatching(/^SIP\/1001-/)]);
    const xfer = named(h, 'AttendedTransfer');
    expect(xfer).toHaveLength(1);
    expect([get(xfer[0], 'Result'), get(xfer[0], 'DestType'), get(xfer[0], 'TransferTargetCallerIDNum')]).toEqual(['Success', 'Bridge', '1003']);
    expect(xfer[0].keys.slice(0, 4)).toEqual(['Event', 'Privilege', 'Result', 'OrigTransfererChannel']);
    const locals = named(h, 'Newchannel').filter((m) => get(m, 'Channel')?.startsWith('Local/1003@from-internal-'));
    expect(locals).toHaveLength(2);
    const [call] = calls(h);
    expect(call.transfers.map((t) => `${t.kind}:${t.from}->${t.to}`)).toEqual(['attended:1001->1003']);
    expect(call.agents).toEqual(['1001', '1003']);
  });

  it('answers the BlindTransfer action and sends the transferee to the new extension', () => {
    const h = harness();
    const call = h.place({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 60000 });
    h.at(3000, () => h.action({ Action: 'BlindTransfer', Channel: h.channelOf('1001'), Exten: '1004', Context: 'transfer-context' }));
    h.run();
    expect(h.messages.some((m) => get(m, 'Message') === 'Transfer succeeded')).toBe(true);
    const bt = named(h, 'BlindTransfer');
    expect([get(bt[0], 'TransfereeChannel'), get(bt[0], 'Extension'), get(bt[0], 'Context'), get(bt[0], 'IsExternal')]).toEqual([call.channel, '1004', 'transfer-context', 'Yes']);
    expect(named(h, 'DialBegin').some((m) => get(m, 'Channel') === call.channel && get(m, 'DestChannel')?.startsWith('SIP/1004-'))).toBe(true);
  });

  it('parks a call (Park action) and offers it back to the parker when the lot times out', () => {
    const h = harness();
    const call = h.place({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 600000 });
    h.at(3000, () => h.action({ Action: 'Park', Channel: call.channel, Timeout: '5000' }));
    h.clock.advance(4000);
    expect(h.messages.some((m) => get(m, 'Message') === 'Park successful')).toBe(true);
    const parked = named(h, 'ParkedCall');
    expect([get(parked[0], 'ParkeeChannel'), get(parked[0], 'ParkingSpace'), get(parked[0], 'ParkerDialString')]).toEqual([call.channel, '701', 'SIP/1001']);
    h.clock.advance(5000);
    expect(named(h, 'ParkedCallTimeOut')).toHaveLength(1);
    expect(named(h, 'DialBegin').filter((m) => get(m, 'Channel') === call.channel).map((m) => get(m, 'DialString'))).toEqual(['1001', '1001']);
    h.action({ Action: 'Hangup', Channel: call.channel });
    h.run();
  });

  it('holds and records an outbound call when asked (dual Redirect + Bridge, MixMonitor)', () => {
    const h = run({ kind: 'outbound', from: '1002', to: '+74951234567', ringMs: 1000, talkMs: 20000, hold: { afterMs: 2000, durationMs: 4000 }, record: { afterMs: 1000, durationMs: 3000 } });
    expect(named(h, 'MusicOnHoldStart').map((m) => get(m, 'Channel'))).toEqual([expect.stringMatching(/^SIP\/provider-/)]);
    expect(named(h, 'MixMonitorStop')).toHaveLength(1);
    const [call] = calls(h);
    expect(call).toMatchObject({ direction: 'outbound', status: 'answered', holdSeconds: 4 });
    expect(call.holds).toHaveLength(1);
    expect(call.recordings.map((r) => r.source)).toEqual(['monitor', 'mixmonitor']);
  });

  it('hangs up the agent left in crm-hold-wait when the held caller hung up', () => {
    const h = harness();
    const call = h.place({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 4000, hangupBy: 'caller', hold: { afterMs: 2000, durationMs: 5000 } });
    h.clock.advance(6000);
    const agent = h.engine.liveChannels();
    expect(agent.map((c) => [c.peer.name, c.context, c.app])).toEqual([['1001', 'crm-hold-wait', 'Wait']]);
    h.run();
    const hangups = named(h, 'Hangup').map((m) => [get(m, 'Channel')?.slice(0, 8), 'at' in m ? (m as { at: number }).at - START : 0]);
    expect(hangups).toEqual([
      [call.channel.slice(0, 8), 5000],
      ['SIP/1001', 8000],
    ]);
    expect(calls(h)[0]).toMatchObject({ status: 'answered', hangupBy: 'caller' });
  });

  it('gives a redirected callee (an outbound call blind-transferred) a CDR record of its own from the redirect: its Dial to the target, until the end', () => {
    const h = run({ kind: 'outbound', from: '1001', to: '84951112233', ringMs: 1000, talkMs: 30000, transfer: { kind: 'blind', to: '1002', afterMs: 2000, ringMs: 1000, talkMs: 4000 } });
    const cdrs = named(h, 'Cdr').map((m) => ({
      channel: get(m, 'Channel')?.replace(/-[0-9a-f]{8}$/, ''),
      dst: `${get(m, 'Destination')}@${get(m, 'DestinationContext')}`,
      dstchannel: get(m, 'DestinationChannel')?.replace(/-[0-9a-f]{8}$/, ''),
      lastapp: get(m, 'LastApplication'),
      start: get(m, 'StartTime'),
      answer: get(m, 'AnswerTime'),
      end: get(m, 'EndTime'),
      disposition: get(m, 'Disposition'),
      userfield: get(m, 'UserField'),
    }));
    const hangups = named(h, 'Hangup').map((m) => ('at' in m ? (m as { at: number }).at : 0));
    const time = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    // Asterisk posts a dialed channel's record once it has a party of its own: the Dial the redirect made it run.
    expect(cdrs).toContainEqual({
      channel: 'SIP/provider',
      dst: '1002@transfer-context',
      dstchannel: 'SIP/1002',
      lastapp: 'Dial',
      start: time(START + 3000),
      answer: time(START + 3000),
      end: time(Math.max(...hangups)),
      disposition: 'ANSWERED',
      userfield: '',
    });
    expect(cdrs.map((c) => c.end).sort().at(-1)).toBe(time(Math.max(...hangups)));
  });

  it('fails an outbound call on trunk congestion (CDR disposition CONGESTION, cause 34)', () => {
    const h = run({ kind: 'outbound', from: '1001', to: '84951112233', outcome: 'failed' });
    expect(named(h, 'DialEnd').map((m) => get(m, 'DialStatus'))).toEqual(['CONGESTION']);
    expect(named(h, 'Cdr').map((m) => get(m, 'Disposition'))).toEqual(['CONGESTION', 'CONGESTION']);
    expect(named(h, 'Hangup').map((m) => get(m, 'Cause'))).toEqual(['34', '34']);
    expect(calls(h)[0]).toMatchObject({ direction: 'outbound', status: 'failed' });
  });

  it('fails a call to an unregistered phone with CHANUNAVAIL and no callee channel', () => {
    const h = run({ kind: 'internal', from: '1001', to: '1005' }, { extensions: [...demoPbxConfig().extensions.slice(0, 4), { number: '1005', name: 'Offline', registered: false }] });
    expect(named(h, 'Newchannel')).toHaveLength(1);
    expect(named(h, 'VarSet').filter((m) => get(m, 'Variable') === 'DIALSTATUS').map((m) => get(m, 'Value'))).toEqual(['', 'CHANUNAVAIL']);
    expect(named(h, 'Cdr').map((m) => get(m, 'Disposition'))).toEqual(['FAILED', 'FAILED']);
    expect(calls(h)[0]).toMatchObject({ status: 'failed' });
  });

  it('answers Getvar and Setvar on a live channel', () => {
    const h = harness();
    const call = h.place({ kind: 'inbound', to: '1001', ringMs: 500, talkMs: 60000 });
    h.clock.advance(1000);
    h.action({ Action: 'Getvar', Channel: call.channel, Variable: 'CALLFILENAME' });
    h.action({ Action: 'Setvar', Channel: call.channel, Variable: 'CRM_NOTE', Value: 'vip' });
    h.action({ Action: 'Getvar', Channel: call.channel, Variable: 'CRM_NOTE' });
    h.action({ Action: 'Getvar', Channel: 'SIP/none-00000000', Variable: 'X' });
    const responses = h.messages.filter((m) => m.keys[0] === 'Response');
    expect(responses.map((m) => [get(m, 'Variable') ?? get(m, 'Message'), get(m, 'Value')])).toEqual([
      ['CALLFILENAME', '20261126-120000-+74951234567-74959876543'],
      ['Variable Set', undefined],
      ['CRM_NOTE', 'vip'],
      ['No such channel', undefined],
    ]);
    expect(named(h, 'VarSet').some((m) => get(m, 'Variable') === 'CRM_NOTE' && get(m, 'Value') === 'vip')).toBe(true);
  });

  it('rejects call requests it cannot place, with a code', () => {
    const h = harness();
    const bad: [PlaceCallRequest, string][] = [
      [{ kind: 'fax' as never }, 'invalid-kind'],
      [{ kind: 'internal', from: '1001', to: '7777' }, 'unknown-extension'],
      [{ kind: 'inbound', from: '+7495\r\nEvent: X', to: '1001' }, 'invalid-number'],
      [{ kind: 'inbound', to: '74990000000' }, 'unknown-did'],
      [{ kind: 'outbound', from: '1001', to: '12345' }, 'invalid-number'],
      [{ kind: 'internal', from: '1001', to: '1002', ringMs: -5 }, 'invalid-option'],
      [{ kind: 'internal', from: '1001', to: '1002', outcome: 'exploded' as never }, 'invalid-option'],
    ];
    for (const [req, code] of bad) {
      expect(() => h.place(req)).toThrow(PlaceCallError);
      try {
        h.place(req);
      } catch (err) {
        expect((err as PlaceCallError).code).toBe(code);
      }
    }
    expect(h.engine.liveChannels()).toEqual([]);
  });
});

describe('call flows in the Asterisk 22 dialect (no 22 capture shows them: generated by its stated rules)', () => {
  const on22 = (req: PlaceCallRequest): FidelityHarness => run(req, { dialect: 'asterisk22' });
  const flows: [string, PlaceCallRequest, Partial<CallRecord>][] = [
    ['an inbound call nobody answers (NOANSWER)', { kind: 'inbound', to: '1001', outcome: 'missed' }, { status: 'missed' }],
    ['a queue call answered by 1002', { kind: 'queue', from: '+74957654321', ringMs: 2000, talkMs: 3000, answeredBy: '1002' }, { status: 'answered', answeredBy: '1002' }],
    ['a queue call the caller gives up on', { kind: 'queue', from: '+74957654321', outcome: 'abandoned', ringMs: 5000 }, { status: 'abandoned', hangupBy: 'caller' }],
    ['an outbound call', { kind: 'outbound', from: '1002', to: '+74951234567', ringMs: 1000, talkMs: 5000 }, { direction: 'outbound', status: 'answered' }],
    ['an outbound call failing on congestion', { kind: 'outbound', from: '1001', to: '84951112233', outcome: 'failed' }, { status: 'failed' }],
    ['a held and recorded call', { kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 20000, hold: { afterMs: 2000, durationMs: 4000 }, record: { afterMs: 1000, durationMs: 3000 } }, { status: 'answered', holdSeconds: 4 }],
    ['an attended transfer', { kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 20000, transfer: { kind: 'attended', to: '1003', afterMs: 2000, ringMs: 1500, talkMs: 5000 } }, { status: 'answered', agents: ['1001', '1003'] }],
  ];

  it.each(flows)('%s keeps the 22 rules and gives the record it played', (_what, req, record) => {
    const h = on22(req);
    expect(asterisk22RuleViolations(h.messages)).toEqual([]);
    expect(calls(h)).toEqual([expect.objectContaining(record)]);
  });

  it('names PJSIP channels, interfaces and hints, and rejects chan_sip-only actions', () => {
    const h = on22({ kind: 'queue', from: '+74957654321', ringMs: 1000, talkMs: 1000, answeredBy: '1001' });
    expect(named(h, 'AgentConnect').map((m) => get(m, 'Interface'))).toEqual(['PJSIP/1001']);
    expect(new Set(named(h, 'ExtensionStatus').map((m) => get(m, 'Hint')?.split('/')[0]))).toEqual(new Set(['PJSIP']));
    h.action({ Action: 'SIPpeers' });
    h.action({ Action: 'Monitor', Channel: 'PJSIP/1001-00000000' });
    h.action({ Action: 'Command', Command: 'core show version' });
    const responses = h.messages.filter((m) => m.keys[0] === 'Response').map((m) => get(m, 'Message') ?? get(m, 'Output'));
    expect(responses).toEqual([
      'Invalid/unknown command: SIPpeers. Use Action: ListCommands to show available commands.',
      'Invalid/unknown command: Monitor. Use Action: ListCommands to show available commands.',
      'Command output follows',
    ]);
    expect(h.messages.at(-1)?.values.at(-1)).toMatch(/^Asterisk 22\.10\.1 /);
  });

  it('dials the trunk as PJSIP/<number>@<trunk> and originates on PJSIP endpoints', () => {
    const h = on22({ kind: 'outbound', from: '1001', to: '84951112233', ringMs: 500, talkMs: 1000 });
    expect(named(h, 'DialBegin').map((m) => [get(m, 'DestChannel')?.replace(/-[0-9a-f]{8}$/, ''), get(m, 'DialString')])).toEqual([['PJSIP/provider', '84951112233@provider']]);
    h.action({ Action: 'Originate', Channel: 'PJSIP/1002', Context: 'from-internal', Exten: '1003', Priority: '1', Async: 'true' });
    h.run();
    expect(named(h, 'OriginateResponse').map((m) => [get(m, 'Response'), get(m, 'Channel')?.slice(0, 11)])).toEqual([['Success', 'PJSIP/1002-']]);
  });
});

describe('FreePBX-style flows the captures do not show (scripted variations)', () => {
  const fpbx = (req: Partial<PlaceCallRequest>, config: Partial<PbxConfig> = {}): FidelityHarness =>
    run({ kind: 'inbound', from: '+74951234567', to: '74959876600', ...req } as PlaceCallRequest, { freepbx: FREEPBX_LAB_PROFILE, ...config });
  const callerDialEnds = (h: FidelityHarness): string[] =>
    named(h, 'DialEnd').filter((m) => get(m, 'Channel')?.startsWith('SIP/provider')).map((m) => `${get(m, 'DestChannel')?.replace(/-[0-9a-f]{8};/, ';')} ${get(m, 'DialStatus')}`);

  it('a ring group nobody answers before its timeout is missed: the caller sees NOANSWER, the inner legs CANCEL', () => {
    const h = fpbx({ outcome: 'missed' });
    expect(callerDialEnds(h)).toEqual(['Local/1001@from-ringgroup;1 NOANSWER', 'Local/1002@from-ringgroup;1 NOANSWER']);
    const inner = named(h, 'DialEnd').filter((m) => get(m, 'Channel')?.startsWith('Local/')).map((m) => get(m, 'DialStatus'));
    expect(inner).toEqual(['CANCEL', 'CANCEL']);
    expect(named(h, 'Hangup').filter((m) => get(m, 'Channel')?.startsWith('Local/')).map((m) => get(m, 'Cause'))).toEqual(['0', '0', '0', '0']);
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'missed', answeredBy: null, talkSeconds: 0 })]);
  });

  it('a ring group whose caller hangs up first is abandoned: the caller\'s own DialEnd CANCEL after its HangupRequest', () => {
    const h = fpbx({ outcome: 'abandoned', ringMs: 4000 });
    expect(callerDialEnds(h)).toEqual(['Local/1001@from-ringgroup;1 CANCEL', 'Local/1002@from-ringgroup;1 CANCEL']);
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'abandoned', hangupBy: 'caller' })]);
  });

  it('a ring group whose phones are all busy is busy', () => {
    const h = fpbx({ outcome: 'busy' });
    expect(callerDialEnds(h)).toEqual(['Local/1001@from-ringgroup;1 BUSY', 'Local/1002@from-ringgroup;1 BUSY']);
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'busy' })]);
  });

  it('hunt: nobody answers either stage (6 s, then 15 s) - missed, both phones rang', () => {
    const h = fpbx({ to: '74959876601', outcome: 'missed' });
    expect(callerDialEnds(h)).toEqual(['Local/1001@from-ringgroup;1 NOANSWER', 'Local/1002@from-ringgroup;1 NOANSWER']);
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'missed', ringingExtensions: ['1001', '1002'] })]);
  });

  it('follow-me answered in its first stage by the extension itself', () => {
    const h = fpbx({ to: '74959876610', answeredBy: '1001', ringMs: 2000, talkMs: 5000 });
    expect(named(h, 'Newchannel').map((m) => get(m, 'Channel')).filter((c) => c?.startsWith('Local/FMGL'))).toEqual([]);
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'answered', answeredBy: '1001', talkSeconds: 5 })]);
  });

  it('a queue member busy inside its Local channel is NOANSWER at the queue; the other member answers', () => {
    const h = harness({ freepbx: FREEPBX_LAB_PROFILE });
    const call = h.place({ kind: 'inbound', from: '+74957778899', to: '74959876700', answeredBy: '1001', ringMs: 2000, talkMs: 4000 });
    h.engine.plans.get(call.linkedid)?.legs.set('1002', [{ response: 'busy', ringMs: 500, talkMs: 0, hangup: 'none' }]);
    h.run();
    const member1002 = named(h, 'DialEnd').filter((m) => get(m, 'DestChannel')?.startsWith('Local/1002@from-queue') && get(m, 'Channel')?.startsWith('SIP/provider'));
    expect(member1002.map((m) => get(m, 'DialStatus'))).toEqual(['NOANSWER']);
    expect(named(h, 'AgentRingNoAnswer').map((m) => get(m, 'Interface'))).toEqual(['Local/1002@from-queue/n']);
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'answered', answeredBy: '1001', talkSeconds: 4 })]);
  });

  it('a queue nobody answers rings every round, then leaves on the Queue() timeout (QUEUESTATUS=TIMEOUT); the caller never hangs up', () => {
    const h = fpbx({ from: '+74957778899', to: '74959876700', outcome: 'missed' });
    expect(named(h, 'VarSet').filter((m) => get(m, 'Variable') === 'QUEUESTATUS').map((m) => get(m, 'Value'))).toEqual(['TIMEOUT']);
    expect(named(h, 'AgentRingNoAnswer')).toHaveLength(6);
    expect(named(h, 'HangupRequest').filter((m) => get(m, 'Channel')?.startsWith('SIP/provider'))).toEqual([]);
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'missed', answeredBy: null, hangupBy: 'system', talkSeconds: 0 })]);
  });

  it('three nested Local pairs: talk and agent come from the phone at the far end', () => {
    const nest = `[nest]\nexten => 1,1,Dial(Local/2@nest/n,30)\nexten => 2,1,Dial(Local/3@nest/n,30)\nexten => 3,1,Dial(Local/1002@from-ringgroup/n,30)`;
    const dialplanConf = `${labDialplanConf(demoPbxConfig(), DIALECTS.asterisk20)}\n${freepbxDialplanConf(FREEPBX_LAB_PROFILE, 'SIP')}\n${nest}\n[from-external]\nexten => 74959870001,1,Dial(Local/1@nest/n,30)\n`;
    const h = harness({ dialplanConf, dids: { ...demoPbxConfig().dids, '74959870001': { extension: '1002' } } });
    h.place({ kind: 'inbound', from: '+74951234567', to: '74959870001', ringMs: 1500, talkMs: 6000, hangupBy: 'caller' });
    h.run();
    expect(new Set(named(h, 'LocalBridge').map((m) => get(m, 'LocalOneChannel')?.replace(/-[0-9a-f]{8};1$/, '')))).toEqual(new Set(['Local/1@nest', 'Local/2@nest', 'Local/3@nest', 'Local/1002@from-ringgroup']));
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'answered', answeredBy: '1002', agents: ['1002'], talkSeconds: 6, hangupBy: 'caller' })]);
  });

  it('plays in the Asterisk 22 dialect too', () => {
    const h = fpbx({ answeredBy: '1002', ringMs: 1000, talkMs: 3000 }, { dialect: 'asterisk22' });
    expect(asterisk22RuleViolations(h.messages)).toEqual([]);
    expect(named(h, 'DialBegin').map((m) => get(m, 'DestChannel')?.split('-')[0]).filter((c) => c?.startsWith('PJSIP'))).toEqual(['PJSIP/1001', 'PJSIP/1002']);
    expect(calls(h)).toEqual([expect.objectContaining({ status: 'answered', answeredBy: '1002', talkSeconds: 3 })]);
  });
});

describe('recording files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pbx-sim-rec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Root mean square of a 16-bit PCM WAV's samples (0 for silence). */
  const rms = (wav: Buffer): number => {
    let sum = 0;
    const n = (wav.length - 44) / 2;
    for (let i = 0; i < n; i++) sum += wav.readInt16LE(44 + 2 * i) ** 2;
    return n === 0 ? 0 : Math.sqrt(sum / n);
  };

  it('writes an audible PCM WAV as long as the recorded talk, and a 44-byte file for an unanswered call', async () => {
    const h = harness({ recordingsPath: dir });
    h.place({ kind: 'inbound', from: '+74951234567', to: '1001', ringMs: 1000, talkMs: 4000 });
    h.place({ kind: 'internal', from: '1002', to: '1003', ringMs: 1000, talkMs: 3000, hangupBy: 'caller' });
    h.place({ kind: 'inbound', from: '+74957654321', to: '1004', outcome: 'missed' });
    h.run();
    await h.engine.recordings.flush();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['20261126-120000-+74951234567-74959876543.wav', '20261126-120000-+74957654321-74959876546.wav', '20261126-120000-1002-1003.wav']);
    const inbound = readFileSync(join(dir, files[0]));
    expect(inbound.length).toBe(44 + 4 * 16000);
    expect(inbound.toString('ascii', 0, 4)).toBe('RIFF');
    expect(inbound.readUInt32LE(4)).toBe(inbound.length - 8);
    expect(inbound.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect([inbound.readUInt16LE(20), inbound.readUInt16LE(22), inbound.readUInt32LE(24), inbound.readUInt16LE(34)]).toEqual([1, 1, 8000, 16]);
    expect(inbound.readUInt32LE(40)).toBe(4 * 16000);
    // A conversation a player makes heard: loud enough, with pauses between turns, never clipped.
    expect(rms(inbound)).toBeGreaterThan(500);
    const second = (k: number): number => rms(Buffer.concat([inbound.subarray(0, 44), inbound.subarray(44 + k * 4000, 44 + (k + 1) * 4000)]));
    expect(Math.min(...[0, 1, 2, 3, 4, 5, 6, 7].map(second))).toBeLessThan(300);
    expect(Math.max(...Array.from({ length: (inbound.length - 44) / 2 }, (_, i) => Math.abs(inbound.readInt16LE(44 + 2 * i))))).toBeLessThan(32767);
    expect(readFileSync(join(dir, files[1])).length).toBe(44);
    expect(readFileSync(join(dir, files[2])).length).toBe(44 + 3 * 16000);
    expect(readFileSync(join(dir, files[2])).equals(readFileSync(join(dir, files[0])).subarray(0, 44 + 3 * 16000))).toBe(false);
  });

  it("keeps a FreePBX recording's dated folder under the monitor spool", async () => {
    const h = harness({ recordingsPath: dir, freepbx: FREEPBX_LAB_PROFILE });
    h.place({ kind: 'inbound', from: '+74951234567', to: '74959876600', answeredBy: '1002', ringMs: 1000, talkMs: 2000 });
    h.run();
    await h.engine.recordings.flush();
    const file = named(h, 'VarSet').find((m) => get(m, 'Variable') === 'MIXMONITOR_FILENAME');
    expect(get(file as Msg, 'Value')).toBe('/var/spool/asterisk/monitor/2026/11/26/rg-600-+74951234567-20261126-120000-1795694400.0.wav');
    const wav = readFileSync(join(dir, '2026/11/26/rg-600-+74951234567-20261126-120000-1795694400.0.wav'));
    expect(wav.length).toBe(44 + 2 * 16000);
    expect(rms(wav)).toBeGreaterThan(500);
  });
});
