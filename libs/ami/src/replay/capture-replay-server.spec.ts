import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { amiFixturePath } from '../protocol/ami-fixtures';
import type { AmiMessage } from '../protocol/ami-message';
import { AmiParser } from '../protocol/ami-parser';
import type { CallTrackerEvent } from '../tracker/call-record';
import { CallTracker } from '../tracker/call-tracker';
import { CaptureReplayServer } from './capture-replay-server';

/** A bare AMI client for the tests: collects every message, sends actions, awaits replies. */
class TestClient {
  readonly messages: AmiMessage[] = [];
  readonly closed: Promise<void>;
  private readonly parser = new AmiParser({ pbxId: 'replay' });
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (data) => {
      this.messages.push(...this.parser.push(data));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = once(socket, 'close').then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(port: number): Promise<TestClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new TestClient(socket);
  }

  send(fields: Record<string, string>): void {
    this.socket.write(`${Object.entries(fields).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  }

  async login(actionId = 'client-1', secret = 'secret'): Promise<AmiMessage> {
    this.send({ Action: 'Login', ActionID: actionId, Username: 'crm', Secret: secret });
    return this.waitFor((m) => m.kind === 'response' && m.actionId === actionId);
  }

  /** Resolves with the first message matching, polling on every read; fails after `ms`. */
  async waitFor(match: (m: AmiMessage) => boolean, ms = 5000): Promise<AmiMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.socket.destroyed || Date.now() > deadline) throw new Error(`no matching message (${this.messages.length} received)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

const servers: CaptureReplayServer[] = [];
const clients: TestClient[] = [];

async function start(...args: ConstructorParameters<typeof CaptureReplayServer>): Promise<CaptureReplayServer> {
  const server = new CaptureReplayServer(...args);
  servers.push(server);
  await server.listen();
  return server;
}

async function client(server: CaptureReplayServer): Promise<TestClient> {
  const c = await TestClient.open(server.port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  for (const s of servers.splice(0)) await s.close();
});

function track(messages: AmiMessage[], tracker = new CallTracker()): CallTrackerEvent[] {
  return messages.flatMap((m) => [...tracker.handle(m)]);
}

describe('CaptureReplayServer', () => {
  it('plays a capture as Asterisk would: greeting, the client`s login reply, the recorded events, Ping and Logoff', async () => {
    const server = await start({ captures: [amiFixturePath('inbound_answered.ami')], speed: 0 });
    const c = await client(server);
    const login = await c.login('my-login-7');
    expect(c.messages[0]).toMatchObject({ kind: 'greeting', name: 'Asterisk Call Manager/9.0.0' });
    expect(login).toMatchObject({ name: 'Success' });
    expect(login.get('Message')).toBe('Authentication accepted');
    await server.streamed(0);
    await c.waitFor((m) => m.name === 'Hangup' && m.get('Channel') === 'SIP/provider-00000002');

    // The recording client's own login reply and Goodbye are not replayed.
    expect(c.messages.filter((m) => m.actionId === 'crmlab-1' || m.name === 'Goodbye')).toEqual([]);
    const [call] = track(c.messages).filter((e) => e.type === 'ended').map((e) => e.call);
    expect(call).toMatchObject({ direction: 'inbound', caller: '+74951234567', answeredBy: '1001', status: 'answered', hangupBy: 'callee' });

    c.send({ Action: 'Ping', ActionID: 'p-1' });
    expect((await c.waitFor((m) => m.actionId === 'p-1')).get('Ping')).toBe('Pong');
    c.send({ Action: 'Logoff', ActionID: 'bye-1' });
    expect(await c.waitFor((m) => m.actionId === 'bye-1')).toMatchObject({ name: 'Goodbye' });
    await c.closed;
  });

  it('replays a dropped connection and its reconnect: the recorded CoreShowChannels reply carries the client`s ActionID', async () => {
    const server = await start({
      captures: [amiFixturePath('reconnect_mid_call.part1.ami'), amiFixturePath('reconnect_mid_call.part2.ami')],
      speed: 0,
    });
    const tracker = new CallTracker();
    const first = await client(server);
    await first.login();
    await first.closed;
    expect(first.messages.some((m) => m.name === 'Goodbye')).toBe(false);
    const before = track(first.messages, tracker);
    tracker.connectionLost('replay', Date.now());
    expect(before.map((e) => e.type)).toEqual(['recording_started', 'ringing', 'answered']);

    const second = await client(server);
    await second.login('again-1');
    second.send({ Action: 'CoreShowChannels', ActionID: 'snap-42' });
    await second.waitFor((m) => m.name === 'CoreShowChannelsComplete');
    await second.waitFor((m) => m.name === 'Hangup' && m.get('Channel') === 'SIP/provider-0000004f');
    const rows = second.messages.filter((m) => m.name === 'CoreShowChannel');
    expect(rows.map((r) => r.actionId)).toEqual(['snap-42', 'snap-42']);
    expect(second.messages.some((m) => m.actionId === 'crmlab-2')).toBe(false);

    const after = track(second.messages, tracker);
    const ended = after.filter((e) => e.type === 'ended').map((e) => e.call);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ linkedid: '1795696954.83', status: 'answered', hangupBy: 'callee', endReason: 'hangup' });
    expect(tracker.openCalls()).toEqual([]);
  });

  it('sends a client no reply to actions it did not send, but the events every session sees', async () => {
    const server = await start({ captures: [amiFixturePath('actions_misc.ami')], speed: 0 });
    const c = await client(server);
    await c.login('me-1');
    c.send({ Action: 'Getvar', ActionID: 'gv-1', Channel: 'SIP/provider-00000044', Variable: 'CALLFILENAME' });
    await c.waitFor((m) => m.name === 'Hangup' && m.get('Channel') === 'SIP/1002-00000046');
    expect(c.messages.filter((m) => m.kind === 'response').map((m) => m.actionId)).toEqual(['me-1', 'gv-1']);
    expect((await c.waitFor((m) => m.actionId === 'gv-1')).get('Value')).toBe('20261126-124112-+74951234567-74959876543');
    expect(c.messages.some((m) => m.name === 'CoreShowChannel' || m.name === 'PeerEntry')).toBe(false);
    const calls = track(c.messages).filter((e) => e.type === 'ended').map((e) => e.call);
    expect(calls.map((call) => call.status)).toEqual(['answered', 'failed', 'answered']);
  });

  it('with Events: off, sends only the replies to the client`s own actions', async () => {
    const server = await start({ captures: [amiFixturePath('reconnect_mid_call.part2.ami')], speed: 0 });
    const c = await client(server);
    c.send({ Action: 'Login', ActionID: 'l-1', Username: 'crm', Secret: 's', Events: 'off' });
    c.send({ Action: 'CoreShowChannels' });
    await server.streamed(0);
    c.send({ Action: 'Logoff', ActionID: 'bye' });
    await c.closed;
    expect(c.messages.map((m) => `${m.name}:${m.actionId ?? '-'}`)).toEqual([
      'Asterisk Call Manager/9.0.0:-',
      'Success:l-1',
      'Success:-',
      'CoreShowChannel:-',
      'CoreShowChannel:-',
      'CoreShowChannelsComplete:-',
      'Goodbye:bye',
    ]);
  });

  it('keeps the recorded pace at speed 1', async () => {
    // inbound_busy: the last event comes 418 ms after the login reply.
    const server = await start({ captures: [amiFixturePath('inbound_busy.ami')], speed: 1 });
    const c = await client(server);
    await c.login();
    const since = Date.now();
    await c.waitFor((m) => m.name === 'Hangup' && m.get('Channel') === 'SIP/provider-00000006');
    expect(Date.now() - since).toBeGreaterThanOrEqual(380);
    expect(c.messages.filter((m) => m.name === 'Hangup')).toHaveLength(2);
  });

  it('answers a CoreShowChannels the recording has no reply for with an empty list while no call is up', async () => {
    const server = await start({ captures: [amiFixturePath('inbound_busy.ami')], speed: 1 });
    const c = await client(server);
    await c.login();
    c.send({ Action: 'CoreShowChannels', ActionID: 'snap-1' });
    c.send({ Action: 'QueueStatus', ActionID: 'q-1' });
    const complete = await c.waitFor((m) => m.name === 'CoreShowChannelsComplete' && m.actionId === 'snap-1');
    expect(complete.get('ListItems')).toBe('0');
    expect(await c.waitFor((m) => m.actionId === 'q-1')).toMatchObject({ name: 'Error' });
  });

  it('refuses a wrong secret, and a connection beyond the last capture', async () => {
    const server = await start({ captures: [amiFixturePath('inbound_busy.ami')], speed: 0, credentials: { username: 'crm', secret: 'right' } });
    const c = await client(server);
    const reply = await c.login('l-1', 'wrong');
    expect(reply).toMatchObject({ name: 'Error' });
    expect(reply.get('Message')).toBe('Authentication failed');
    await c.closed;
    const late = await client(server);
    await late.closed;
    expect(late.messages).toEqual([]);
  });

  it('rejects a file that is not a capture with a coded error', () => {
    expect(() => new CaptureReplayServer({ captures: [amiFixturePath('inbound_busy.md')] })).toThrow(expect.objectContaining({ code: 'CAPTURE_NOT_REPLAYABLE' }));
  });
});
