import { VirtualClock } from '../clock/sim-clock';
import type { SimCdrRecord } from '../engine/pbx-engine';
import { startPbxSim, PbxSim } from '../pbx-sim';
import { AmiTestClient } from './testing/ami-test-client';

const USER = 'crm_manager';
const SECRET = 'test-secret';

describe('AMI server', () => {
  let clock: VirtualClock;
  let sim: PbxSim;
  const clients: AmiTestClient[] = [];

  async function login(extra: Record<string, string> = {}): Promise<AmiTestClient> {
    const c = await AmiTestClient.login(sim.port, USER, SECRET, extra);
    clients.push(c);
    return c;
  }

  async function raw(): Promise<AmiTestClient> {
    const c = await AmiTestClient.connect(sim.port);
    clients.push(c);
    return c;
  }

  /** Every message the server wrote before this Ping's response has arrived once it resolves. */
  function barrier(c: AmiTestClient): Promise<unknown> {
    return c.action({ Action: 'Ping' });
  }

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
    sim = await startPbxSim({ port: 0, clock, seed: 7, users: [{ username: USER, secret: SECRET }], authFailDelayMs: 150, config: { recordingsPath: null } });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await sim.close();
  });

  it('greets like Asterisk 20 and sends FullyBooted in the same read as the login response', async () => {
    const c = await raw();
    c.writeRaw(`Action: Login\r\nUsername: ${USER}\r\nSecret: ${SECRET}\r\nActionID: crmlab-1\r\n\r\n`);
    const booted = await c.waitFor((m) => m.name === 'FullyBooted');
    expect(c.greeting).toBe('Asterisk Call Manager/9.0.0');
    const response = c.messages[0];
    expect(response.keys).toEqual(['Response', 'ActionID', 'Message']);
    expect(response.values).toEqual(['Success', 'crmlab-1', 'Authentication accepted']);
    expect(booted.keys).toEqual(['Event', 'Privilege', 'Uptime', 'LastReload', 'Status']);
    expect(Buffer.concat(c.chunks).toString()).toContain('Message: Authentication accepted\r\n\r\nEvent: FullyBooted\r\n');
    expect(c.chunks.length).toBeLessThanOrEqual(2);
  });

  it('greets like Asterisk 22 and names PJSIP channels when started in that dialect', async () => {
    const pjsip = await startPbxSim({ port: 0, clock, seed: 7, users: [{ username: USER, secret: SECRET }], config: { recordingsPath: null, dialect: 'asterisk22' } });
    try {
      const c = await AmiTestClient.login(pjsip.port, USER, SECRET);
      clients.push(c);
      expect(c.greeting).toBe('Asterisk Call Manager/11.0.0');
      pjsip.placeCall({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 1000 });
      const born = await c.waitFor((m) => m.name === 'Newchannel');
      expect([born.get('Channel')?.slice(0, 15), born.get('ChannelState')]).toEqual(['PJSIP/provider-', '4']);
    } finally {
      await pjsip.close();
    }
  });

  it.each([
    ['a wrong secret', USER, 'nope'],
    ['an unknown user', 'intruder', SECRET],
  ])('refuses %s after a delay and closes the connection', async (_label, user, secret) => {
    const c = await raw();
    const started = Date.now();
    const r = await c.action({ Action: 'Login', Username: user, Secret: secret });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(r.keys).toEqual(['Response', 'ActionID', 'Message']);
    expect(r.get('Response')).toBe('Error');
    expect(r.get('Message')).toBe('Authentication failed');
    await c.closed;
  });

  it('accepts an MD5 challenge login', async () => {
    const c = await raw();
    const ch = await c.action({ Action: 'Challenge', AuthType: 'md5' });
    const key = require('node:crypto').createHash('md5').update(`${ch.get('Challenge')}${SECRET}`).digest('hex');
    const r = await c.action({ Action: 'Login', AuthType: 'MD5', Username: USER, Key: key });
    expect(r.get('Message')).toBe('Authentication accepted');
  });

  it('answers nothing but Login before authentication', async () => {
    const c = await raw();
    const r = await c.action({ Action: 'CoreShowChannels' });
    expect([r.get('Response'), r.get('Message')]).toEqual(['Error', 'Permission denied']);
  });

  it('answers Ping with Pong and a microsecond timestamp', async () => {
    const c = await login();
    const r = await c.action({ Action: 'Ping' });
    expect(r.keys).toEqual(['Response', 'ActionID', 'Ping', 'Timestamp']);
    expect(r.get('Ping')).toBe('Pong');
    expect(r.get('Timestamp')).toMatch(/^\d{10}\.\d{6}$/);
  });

  it('sends no events to a session logged in with Events: off, until it turns them on', async () => {
    const quiet = await login({ Events: 'off' });
    const loud = await login();
    sim.placeCall({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 2000 });
    clock.advance(5000);
    await barrier(quiet);
    await barrier(loud);
    expect(quiet.events()).toEqual([]);
    expect(loud.events('Hangup')).toHaveLength(2);
    const on = await quiet.action({ Action: 'Events', EventMask: 'on' });
    expect(on.keys).toEqual(['Response', 'ActionID', 'Events']);
    expect(on.get('Events')).toBe('On');
    sim.placeCall({ kind: 'internal', from: '1001', to: '1002', ringMs: 500, talkMs: 500 });
    clock.advance(3000);
    await barrier(quiet);
    expect(quiet.events('Hangup')).toHaveLength(2);
  });

  it('goes down as a restarting Asterisk: Shutdown to the sessions, no Hangup, the calls CDR-recorded at the end, the port free for the next', async () => {
    const cdrs: SimCdrRecord[] = [];
    const dying = await startPbxSim({ port: 0, clock, seed: 7, users: [{ username: USER, secret: SECRET }], config: { recordingsPath: null }, onCdr: (r) => cdrs.push(r) });
    const c = await AmiTestClient.login(dying.port, USER, SECRET);
    clients.push(c);
    const call = dying.placeCall({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 60_000 });
    clock.advance(5000);
    await barrier(c);
    expect(c.events('BridgeEnter')).toHaveLength(2);
    await dying.shutdown();
    await c.closed;
    const shutdown = c.events('Shutdown');
    expect(shutdown.map((m) => [m.get('Privilege'), m.get('Shutdown'), m.get('Restart')])).toEqual([['system,all', 'Uncleanly', 'True']]);
    // Nothing after the announcement: the calls died with the process.
    expect(c.messages.at(-1)).toBe(shutdown[0]);
    expect(c.events('Hangup')).toEqual([]);
    const ended = await call.done;
    expect(ended.endedAt).toBe(clock.now());
    expect(dying.engine.liveChannels()).toEqual([]);
    // The CDR engine finalises the call's record at shutdown: answered, ending then.
    expect(cdrs.filter((r) => r.linkedid === call.linkedid).map((r) => [r.disposition, r.end])).toEqual([['ANSWERED', clock.now()]]);
    // Timers of the dead process (the callee's hang-up after 60 s) fire no more.
    const events = dying.stats.engine.events;
    clock.advance(120_000);
    expect(dying.stats.engine.events).toBe(events);
    const restarted = await startPbxSim({ port: dying.port, clock, seed: 8, users: [{ username: USER, secret: SECRET }], config: { recordingsPath: null } });
    try {
      const again = await AmiTestClient.login(restarted.port, USER, SECRET);
      clients.push(again);
      const listed = await again.action({ Action: 'CoreShowChannels' });
      expect(listed.get('Response')).toBe('Success');
      await again.waitFor((m) => m.name === 'CoreShowChannelsComplete');
      expect(again.events('CoreShowChannel')).toEqual([]);
    } finally {
      await restarted.close();
      await dying.close();
    }
  });

  it('filters events by read class (Events: call keeps Newchannel, drops dialplan VarSet)', async () => {
    const c = await login({ Events: 'call' });
    sim.placeCall({ kind: 'internal', from: '1001', to: '1002', ringMs: 500, talkMs: 500 });
    clock.advance(3000);
    await barrier(c);
    expect(c.events('Newchannel')).toHaveLength(2);
    expect(c.events('VarSet')).toEqual([]);
    expect(c.events('Cdr')).toEqual([]);
  });

  it('broadcasts the same events, in the same order, to concurrent clients', async () => {
    const all = await Promise.all([login(), login(), login()]);
    sim.placeCall({ kind: 'inbound', to: '1002', ringMs: 800, talkMs: 1500 });
    sim.placeCall({ kind: 'outbound', from: '1003', to: '84951112233', ringMs: 600, talkMs: 2500 });
    clock.advance(10000);
    await Promise.all(all.map(barrier));
    const seen = all.map((c) => c.events().filter((m) => m.name !== 'FullyBooted').map((m) => `${m.name} ${m.get('Uniqueid') ?? ''}`));
    expect(seen[0].length).toBeGreaterThan(150);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });

  it('lists live channels with CoreShowChannels and ends a call on Hangup', async () => {
    const c = await login();
    const call = sim.placeCall({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 600000 });
    clock.advance(2000);
    const listed = await c.action({ Action: 'CoreShowChannels' });
    expect(listed.keys).toEqual(['Response', 'ActionID', 'EventList', 'Message']);
    const done = await c.waitFor((m) => m.name === 'CoreShowChannelsComplete' && m.get('ActionID') === listed.get('ActionID'));
    expect(done.get('ListItems')).toBe('2');
    const rows = c.events('CoreShowChannel').filter((m) => m.get('ActionID') === listed.get('ActionID'));
    expect(rows.map((r) => r.get('Channel'))).toEqual([call.channel, expect.stringMatching(/^SIP\/1001-[0-9a-f]{8}$/)]);
    expect(rows[0].get('BridgeId')).toBe(rows[1].get('BridgeId'));
    expect(rows[0].keys.slice(0, 3)).toEqual(['Event', 'ActionID', 'Channel']);

    const hung = await c.action({ Action: 'Hangup', Channel: call.channel, Cause: '16' });
    expect(hung.get('Message')).toBe('Channel Hungup');
    const hangups = await Promise.all([
      c.waitFor((m) => m.name === 'Hangup' && m.get('Channel') === call.channel),
      c.waitFor((m) => m.name === 'Hangup' && m.get('Channel')?.startsWith('SIP/1001-') === true),
    ]);
    expect(hangups.map((h) => h.get('Cause'))).toEqual(['16', '16']);
    await call.done;
    const after = await c.action({ Action: 'CoreShowChannels' });
    const complete = await c.waitFor((m) => m.name === 'CoreShowChannelsComplete' && m.get('ActionID') === after.get('ActionID'));
    expect(complete.get('ListItems')).toBe('0');
    const missing = await c.action({ Action: 'Hangup', Channel: call.channel });
    expect([missing.get('Response'), missing.get('Message')]).toEqual(['Error', 'No such channel']);
  });

  it('moves a call on Redirect: the agent leg is hung up and the caller dials the new extension', async () => {
    const c = await login();
    const call = sim.placeCall({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 600000 });
    clock.advance(2000);
    const agent = sim.engine.liveChannels().find((ch) => ch.peer.name === '1001')?.name as string;
    const r = await c.action({ Action: 'Redirect', Channel: call.channel, Exten: '1002', Context: 'transfer-context', Priority: '1' });
    expect(r.get('Message')).toBe('Redirect successful');
    clock.advance(100);
    const dial = await c.waitFor((m) => m.name === 'DialBegin' && m.get('Channel') === call.channel && m.get('DestChannel')?.startsWith('SIP/1002-') === true);
    expect(dial.get('Context')).toBe('transfer-context');
    expect((await c.waitFor((m) => m.name === 'Hangup' && m.get('Channel') === agent)).get('Cause')).toBe('16');
    const bad = await c.action({ Action: 'Redirect', Channel: 'SIP/1009-0000ffff', Exten: '1002', Context: 'from-internal', Priority: '1' });
    expect([bad.get('Response'), bad.get('Message')]).toEqual(['Error', 'Channel does not exist: SIP/1009-0000ffff']);
  });

  it('holds with a dual Redirect and resumes with Bridge', async () => {
    const c = await login();
    const call = sim.placeCall({ kind: 'inbound', to: '1001', ringMs: 1000, talkMs: 600000 });
    clock.advance(2000);
    const agent = sim.engine.liveChannels().find((ch) => ch.peer.name === '1001')?.name as string;
    const held = await c.action({ Action: 'Redirect', Channel: call.channel, Context: 'crm-hold', Exten: 's', Priority: '1', ExtraChannel: agent, ExtraContext: 'crm-hold-wait', ExtraExten: 's', ExtraPriority: '1' });
    expect(held.get('Message')).toBe('Dual Redirect successful');
    await c.waitFor((m) => m.name === 'MusicOnHoldStart' && m.get('Channel') === call.channel);
    clock.advance(3000);
    const back = await c.action({ Action: 'Bridge', Channel1: call.channel, Channel2: agent, Tone: 'no' });
    expect(back.get('Message')).toBe('Channels have been bridged');
    await c.waitFor((m) => m.name === 'MusicOnHoldStop' && m.get('Channel') === call.channel);
    const entered = await c.waitFor((m) => m.name === 'BridgeEnter' && m.get('Channel') === agent && m.get('Context') === 'crm-hold-wait');
    expect(entered.get('Priority')).toBe('2');
  });

  it('rings the operator first on Originate, then dials the target', async () => {
    const c = await login();
    const r = await c.action({
      Action: 'Originate',
      Channel: 'SIP/1001',
      Context: 'from-internal',
      Exten: '1002',
      Priority: '1',
      CallerID: '"CRM Click2Call" <1001>',
      Timeout: '30000',
      Async: 'true',
      Variable: 'CRM_CALL_ID=c2c-1',
      ChannelId: 'crm-c2c-1',
    });
    expect(r.get('Message')).toBe('Originate successfully queued');
    clock.advance(5000);
    const originated = await c.waitFor((m) => m.name === 'OriginateResponse');
    expect(originated.keys).toEqual(['Event', 'Privilege', 'ActionID', 'Response', 'Channel', 'Context', 'Exten', 'Reason', 'Uniqueid', 'CallerIDNum', 'CallerIDName']);
    expect([originated.get('Response'), originated.get('Reason'), originated.get('Uniqueid'), originated.get('ActionID')]).toEqual(['Success', '4', 'crm-c2c-1', r.get('ActionID')]);
    const begins = c.events('DialBegin');
    expect(begins[0].get('Channel')).toBeUndefined();
    expect(begins[0].get('DestChannel')).toMatch(/^SIP\/1001-/);
    const toTarget = await c.waitFor((m) => m.name === 'DialBegin' && m.get('Channel') !== undefined);
    expect(toTarget.get('Channel')).toMatch(/^SIP\/1001-/);
    expect(toTarget.get('DestChannel')).toMatch(/^SIP\/1002-/);
    expect(c.messages.indexOf(originated)).toBeLessThan(c.messages.indexOf(toTarget));
    expect(c.events('VarSet').find((m) => m.get('Variable') === 'CRM_CALL_ID')?.get('Value')).toBe('c2c-1');

    const failed = await c.action({ Action: 'Originate', Channel: 'SIP/9999', Context: 'from-internal', Exten: '1002', Priority: '1', Async: 'true' });
    expect(failed.get('Response')).toBe('Success');
    const refusal = await c.waitFor((m) => m.name === 'OriginateResponse' && m.get('ActionID') === failed.get('ActionID'));
    expect([refusal.get('Response'), refusal.get('Reason'), refusal.get('Uniqueid')]).toEqual(['Failure', '0', '<unknown>']);
    const noExten = await c.action({ Action: 'Originate', Channel: 'SIP/1001', Context: 'from-internal', Exten: 'nowhere', Priority: '1' });
    expect(noExten.get('Message')).toBe('Extension does not exist.');
  });

  it('places a scripted call with the SimPlaceCall action', async () => {
    const c = await login();
    const r = await c.action({ Action: 'SimPlaceCall', Kind: 'internal', From: '1002', To: '1003', RingMs: '500', TalkMs: '1000' });
    expect(r.get('Message')).toBe('Call placed');
    expect(r.get('Channel')).toMatch(/^SIP\/1002-/);
    clock.advance(3000);
    await c.waitFor((m) => m.name === 'Hangup' && m.get('Channel') === r.get('Channel'));
    const bad = await c.action({ Action: 'SimPlaceCall', Kind: 'internal', From: '1002', To: '4242' });
    expect([bad.get('Response'), bad.get('Message')]).toEqual(['Error', 'unknown extension "4242"']);
  });

  it('answers Command core show channels with one Output line per line', async () => {
    const c = await login();
    sim.placeCall({ kind: 'internal', from: '1001', to: '1002', ringMs: 500, talkMs: 60000 });
    clock.advance(1000);
    const r = await c.action({ Action: 'Command', Command: 'core show channels' });
    expect(r.get('Message')).toBe('Command output follows');
    const out = r.getAll('Output');
    expect(out[0]).toMatch(/^Channel {58}Location {25}State {3}Application\(Data\) {13}$/);
    expect(out.slice(-3)).toEqual(['2 active channels', '1 active call', '0 calls processed']);
    const unknown = await c.action({ Action: 'Command', Command: 'pjsip reload' });
    expect(unknown.get('Response')).toBe('Error');
    expect(unknown.get('Output')).toBe("No such command 'pjsip reload' (type 'core show help pjsip reload' for other possible commands)");
  });

  it('puts Timestamp third in every event but FullyBooted when timestampevents is on', async () => {
    await sim.close();
    sim = await startPbxSim({ port: 0, clock, users: [{ username: USER, secret: SECRET }], config: { recordingsPath: null, timestampEvents: true } });
    const c = await login();
    sim.placeCall({ kind: 'internal', from: '1001', to: '1002', ringMs: 500, talkMs: 500 });
    clock.advance(2000);
    await barrier(c);
    const events = c.events();
    expect(events[0].name).toBe('FullyBooted');
    expect(events[0].has('Timestamp')).toBe(false);
    for (const e of events.slice(1)) expect(e.keys[2]).toBe('Timestamp');
    expect(events[1].get('Timestamp')).toMatch(/^\d{10}\.\d{6}$/);
  });

  it('says Goodbye on Logoff and closes', async () => {
    const c = await login();
    const r = await c.action({ Action: 'Logoff' });
    expect(r.keys).toEqual(['Response', 'ActionID', 'Message']);
    expect([r.get('Response'), r.get('Message')]).toEqual(['Goodbye', 'Thanks for all the fish.']);
    await c.closed;
  });

  describe('bad input never crashes it', () => {
    it('answers an unknown action and a block without Action', async () => {
      const c = await login();
      const r = await c.action({ Action: 'FrobnicateAll' });
      expect(r.get('Message')).toBe('Invalid/unknown command: FrobnicateAll. Use Action: ListCommands to show available commands.');
      c.writeRaw('Channel: SIP/1001\r\nFoo: bar\r\n\r\n');
      const missing = await c.waitFor((m) => m.get('Message') === 'Missing action in request');
      expect(missing.get('Response')).toBe('Error');
      const noChannel = await c.action({ Action: 'Redirect', Exten: '1' });
      expect(noChannel.get('Message')).toBe('Channel not specified');
    });

    it('survives binary garbage, NUL bytes and a huge line, and keeps serving', async () => {
      const c = await login();
      const garbage = Buffer.alloc(20000);
      for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
      c.writeRaw(garbage);
      c.writeRaw(Buffer.from([0, 0, 13, 10, 0, 13, 10, 13, 10]));
      c.writeRaw('X'.repeat(300 * 1024));
      c.writeRaw('\r\n\r\n');
      const r = await c.action({ Action: 'Ping' });
      expect(r.get('Ping')).toBe('Pong');
      const other = await login();
      expect((await other.action({ Action: 'Ping' })).get('Ping')).toBe('Pong');
    });

    it('never lets a value with a line break inject a header into events', async () => {
      const c = await login();
      const call = sim.placeCall({ kind: 'internal', from: '1001', to: '1002', ringMs: 500, talkMs: 60000 });
      c.writeRaw(`Action: Setvar\r\nChannel: ${call.channel}\r\nVariable: NOTE\r\nValue: a\nEvent: Injected\rPrivilege: all\r\nActionID: inj\r\n\r\n`);
      const r = await c.waitFor((m) => m.get('ActionID') === 'inj');
      expect(r.get('Message')).toBe('Variable Set');
      const set = await c.waitFor((m) => m.name === 'VarSet' && m.get('Variable') === 'NOTE');
      expect(set.get('Value')).toBe('a Event: Injected Privilege: all');
      await barrier(c);
      expect(c.events('Injected')).toEqual([]);
    });

    it('survives a client that vanishes mid-message', async () => {
      const c = await login();
      c.writeRaw('Action: Originate\r\nChannel: SIP/10');
      c.close();
      await c.closed;
      sim.placeCall({ kind: 'internal', from: '1001', to: '1002', ringMs: 500, talkMs: 500 });
      clock.advance(2000);
      const d = await login();
      expect((await d.action({ Action: 'Ping' })).get('Response')).toBe('Success');
    });
  });
});
