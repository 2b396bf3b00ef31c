import * as net from 'node:net';
import { AmiAuthenticationError, AmiConnectionLostError, AmiLoginTimeoutError, AmiNotConnectedError } from '../protocol/ami-errors';
import { AmiMessage } from '../protocol/ami-message';
import { AmiConnection, AmiConnectionOptions, AmiDisconnectInfo, AmiLogger } from './ami-connection';
import { AmiTestServer, FULLY_BOOTED } from './ami-test-server';

const SECRET = 's3cr3t-Do-Not-Log';

/** A self-signed certificate for `localhost`/127.0.0.1, valid until 2126; test use only. */
const TEST_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgU6iL6hK3thro4zKz
W0vjBBcOXHXjuz1UqKwGlYX0VImhRANCAATrSsLTqDmcJhjNnz9X6Rxtr392QepD
MFCk15AHZl5IKfF7wPqBllDxOmtKmxSQIxSC0TG8wYRfKxUMqBQ/cv/Q
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIURTU9JUabZLbGHSJKlkS22H+4Kr4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjEzNTkxOFoYDzIxMjYxMTAy
MTM1OTE4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATrSsLTqDmcJhjNnz9X6Rxtr392QepDMFCk15AHZl5IKfF7wPqBllDx
OmtKmxSQIxSC0TG8wYRfKxUMqBQ/cv/Qo28wbTAdBgNVHQ4EFgQUM8O/i9M2UKK/
Sui4d8hL/7Ea61UwHwYDVR0jBBgwFoAUM8O/i9M2UKK/Sui4d8hL/7Ea61UwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgaCIWhRKttIAlzxlYlWR/g2caFd+NHMMMSdBlAVZbK5UCICt2
b4x+b7jjjbeAKBXkJhAUuCewOAu4+XcJu+/+3J1C
-----END CERTIFICATE-----
`,
};

class RecordingLogger implements AmiLogger {
  readonly lines: string[] = [];
  log(m: string) {
    this.lines.push(m);
  }
  warn(m: string) {
    this.lines.push(m);
  }
  error(m: string) {
    this.lines.push(m);
  }
  debug(m: string) {
    this.lines.push(m);
  }
}

const servers: AmiTestServer[] = [];
const connections: AmiConnection[] = [];

async function startServer(options: ConstructorParameters<typeof AmiTestServer>[0] = {}): Promise<AmiTestServer> {
  const server = await new AmiTestServer({ secret: SECRET, ...options }).listen();
  servers.push(server);
  return server;
}

function connectTo(server: AmiTestServer, overrides: Partial<AmiConnectionOptions> = {}, secret = SECRET): AmiConnection {
  const connection = new AmiConnection({
    server: { id: 'pbx-a', host: '127.0.0.1', port: server.port, username: 'crm', secret, tls: false },
    connectTimeoutMs: 2000,
    loginTimeoutMs: 2000,
    pingIntervalMs: 60_000,
    pongTimeoutMs: 60_000,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
    ...overrides,
  });
  connections.push(connection);
  return connection;
}

/** Collects every emission of an event, for order assertions. */
function record(connection: AmiConnection): string[] {
  const seen: string[] = [];
  connection.on('connected', (i) => seen.push(`connected:${i.session}`));
  connection.on('reconnected', (i) => seen.push(`reconnected:${i.session}`));
  connection.on('disconnected', (i) => seen.push(`disconnected:${i.reason}`));
  connection.on('fullyBooted', () => seen.push('fullyBooted'));
  connection.on('message', (m) => seen.push(`message:${m.name}`));
  return seen;
}

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('AmiConnection', () => {
  it('logs in with Events: on and emits FullyBooted that arrived in the same read as the login answer', async () => {
    const server = await startServer({ afterLogin: FULLY_BOOTED });
    const connection = connectTo(server);
    const seen = record(connection);
    const booted = connection.next('fullyBooted', { timeoutMs: 5000 });
    connection.start();
    const [message] = await booted;

    expect(seen).toEqual(['connected:1', 'message:Success', 'message:FullyBooted', 'fullyBooted']);
    expect(message.pbxId).toBe('pbx-a');
    expect(message.get('Status')).toBe('Fully Booted');
    expect(connection.greeting).toBe('Asterisk Call Manager/9.0.0');
    const [login] = server.actionsNamed('Login');
    expect(login.get('Events')).toBe('on');
    expect(login.get('Username')).toBe('crm');
  });

  it('logs in with Events: off for an action-only connection', async () => {
    const server = await startServer();
    const connection = connectTo(server, { events: 'off' }).start();
    await connection.ready();
    expect(server.actionsNamed('Login')[0].get('Events')).toBe('off');
  });

  it('fails ready() with a typed error on bad credentials, keeps retrying, and never logs the secret', async () => {
    const wrongSecret = 'Wr0ng-Secret-Value';
    const server = await startServer();
    const logger = new RecordingLogger();
    const connection = connectTo(server, { logger }, wrongSecret);
    const errors: Error[] = [];
    connection.on('error', (e) => errors.push(e));
    const disconnected = connection.next('disconnected', { timeoutMs: 5000 });
    connection.start();

    const failure = await connection.ready().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AmiAuthenticationError);
    expect((failure as AmiAuthenticationError).code).toBe('AMI_AUTH_FAILED');
    expect((failure as AmiAuthenticationError).asteriskMessage).toBe('Authentication failed');
    const [info] = await disconnected;
    expect(info).toMatchObject({ reason: 'login-failed', wasReady: false });
    expect(info.retryInMs).toEqual(expect.any(Number));

    // It tries again (the PBX admin may fix the account) rather than giving up.
    await server.nextAction('Login', 1);
    expect(errors.every((e) => e instanceof AmiAuthenticationError)).toBe(true);
    const logged = logger.lines.join('\n') + errors.map((e) => e.message).join('\n') + String(failure);
    expect(logged).not.toContain(wrongSecret);
    expect(logged).not.toContain(SECRET);
    expect(logged).toContain('login-failed');
  });

  it('fails a login that gets no answer with a login timeout and tries again', async () => {
    const server = await startServer();
    server.handle('Login', () => undefined);
    const connection = connectTo(server, { loginTimeoutMs: 100 });
    const disconnected = connection.next('disconnected', { timeoutMs: 5000 });
    const error = connection.next('error', { timeoutMs: 5000 });
    connection.start();
    expect((await error)[0]).toBeInstanceOf(AmiLoginTimeoutError);
    expect((await disconnected)[0].reason).toBe('login-timeout');
    await server.nextAction('Login', 1);
  });

  it('reconnects after the PBX drops the socket mid-call, signals reconnected, and fails the unanswered action as outcome unknown', async () => {
    const server = await startServer({ afterLogin: FULLY_BOOTED });
    server.handle('Hangup', () => undefined); // never answered: the drop comes first
    const connection = connectTo(server);
    const seen = record(connection);
    connection.start();
    await connection.ready();
    const client = await server.nextClient(0);
    client.write('Event: Newchannel\r\nChannel: SIP/1001-00000001\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\n\r\n');
    await connection.next('message', { timeoutMs: 5000, filter: (m) => m.name === 'Newchannel' });

    const hangup = connection.send({ action: 'Hangup', fields: [['Channel', 'SIP/1001-00000001']] });
    await server.nextAction('Hangup');
    const reconnected = connection.next('reconnected', { timeoutMs: 5000 });
    const disconnected = connection.next('disconnected', { timeoutMs: 5000 });
    client.socket.destroy();

    const lost = await hangup.catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(AmiConnectionLostError);
    expect((lost as AmiConnectionLostError).code).toBe('AMI_CONNECTION_LOST');
    expect((lost as Error).message).toContain('outcome unknown');
    const [info] = await disconnected;
    expect(info).toMatchObject({ reason: 'remote-closed', wasReady: true });
    const [session] = await reconnected;
    expect(session).toMatchObject({ pbxId: 'pbx-a', session: 2 });
    expect(seen.filter((s) => !s.startsWith('message'))).toEqual([
      'connected:1',
      'fullyBooted',
      'disconnected:remote-closed',
      'connected:2',
      'reconnected:2',
      'fullyBooted',
    ]);
    expect(server.actionsNamed('Hangup')).toHaveLength(1);
    expect(server.actionsNamed('Login')).toHaveLength(2);
  });

  it('detects a silent half-open peer with the pong timeout and reconnects', async () => {
    const server = await startServer();
    const connection = connectTo(server, { pingIntervalMs: 40, pongTimeoutMs: 150 });
    connection.start();
    await connection.ready();
    await server.nextAction('Ping'); // answered: the peer is alive
    server.handle('Ping', () => undefined); // from now on the peer neither answers nor sends anything
    const started = Date.now();
    const [info] = await connection.next('disconnected', { timeoutMs: 5000 });
    expect(info.reason).toBe('pong-timeout');
    expect(info.wasReady).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await connection.next('reconnected', { timeoutMs: 5000 });
  });

  it('does not mistake a busy peer whose pong is queued behind events for a dead one', async () => {
    const server = await startServer();
    let pings = 0;
    server.handle('Ping', () => {
      pings += 1;
    });
    const connection = connectTo(server, { pingIntervalMs: 20, pongTimeoutMs: 400 });
    const disconnects: AmiDisconnectInfo[] = [];
    connection.on('disconnected', (i) => disconnects.push(i));
    connection.start();
    await connection.ready();
    const client = await server.nextClient(0);
    // Events keep flowing for 3 pong timeouts while the Ping stays unanswered.
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        client.write(`Event: VarSet\r\nVariable: N\r\nValue: ${sent++}\r\n\r\n`);
        if (sent === 130) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(disconnects).toEqual([]);
    expect(connection.isReady).toBe(true);
  });

  it('reports a PBX shutdown and reconnects when the PBX is back', async () => {
    const server = await startServer();
    const connection = connectTo(server);
    connection.start();
    await connection.ready();
    const client = await server.nextClient(0);
    const shutdown = connection.next('shutdown', { timeoutMs: 5000 });
    const disconnected = connection.next('disconnected', { timeoutMs: 5000 });
    client.write('Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\nRestart: True\r\n\r\n');
    expect((await shutdown)[0].get('Restart')).toBe('True');
    client.socket.end();
    expect((await disconnected)[0].reason).toBe('pbx-shutdown');
    await connection.next('reconnected', { timeoutMs: 5000 });
  });

  it('retries a refused TCP connect forever with capped, jittered exponential backoff', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const connection = new AmiConnection({
      server: { id: 'down', host: '127.0.0.1', port, username: 'crm', secret: SECRET, tls: false },
      reconnect: { initialDelayMs: 4, maxDelayMs: 32, factor: 2, jitter: 0.5 },
    });
    connections.push(connection);
    const delays: number[] = [];
    const done = new Promise<void>((resolve) =>
      connection.on('disconnected', (info) => {
        expect(info.reason).toBe('connect-failed');
        delays.push(info.retryInMs!);
        if (delays.length === 8) resolve();
      }),
    );
    connection.start();
    await done;
    const caps = [4, 8, 16, 32, 32, 32, 32, 32];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(caps[i] / 2);
      expect(d).toBeLessThanOrEqual(caps[i]);
    });
  });

  it('logs off on close, stops reconnecting and refuses to send afterwards', async () => {
    const server = await startServer();
    const connection = connectTo(server).start();
    await connection.ready();
    const disconnected = connection.next('disconnected', { timeoutMs: 5000 });
    await connection.close();
    expect(server.actionsNamed('Logoff')).toHaveLength(1);
    expect((await disconnected)[0]).toMatchObject({ reason: 'closed', retryInMs: null });
    expect(connection.state).toBe('closed');
    await expect(connection.send({ action: 'Ping', fields: [] })).rejects.toBeInstanceOf(AmiNotConnectedError);
    const before = server.clients.length;
    await new Promise((r) => setTimeout(r, 100)); // a reconnect would come after 10-50 ms
    expect(server.clients.length).toBe(before);
  });

  it('tags messages from several PBXs with their own ids', async () => {
    const [a, b] = await Promise.all([startServer(), startServer()]);
    const ca = connectTo(a);
    const cb = new AmiConnection({ server: { id: 'pbx-b', host: '127.0.0.1', port: b.port, username: 'crm', secret: SECRET, tls: false } });
    connections.push(cb);
    const got: AmiMessage[] = [];
    for (const c of [ca, cb]) c.on('message', (m) => m.kind === 'event' && got.push(m));
    ca.start();
    cb.start();
    await Promise.all([ca.ready(), cb.ready()]);
    (await a.nextClient(0)).write('Event: Newchannel\r\nUniqueid: a.1\r\n\r\n');
    (await b.nextClient(0)).write('Event: Newchannel\r\nUniqueid: b.1\r\n\r\n');
    while (got.length < 2) await Promise.race([ca.next('message'), cb.next('message')]);
    expect(got.map((m) => [m.pbxId, m.get('Uniqueid')]).sort()).toEqual([
      ['pbx-a', 'a.1'],
      ['pbx-b', 'b.1'],
    ]);
  });

  it('connects over TLS', async () => {
    const server = await startServer({ tls: TEST_TLS, afterLogin: FULLY_BOOTED });
    const connection = new AmiConnection({
      server: { id: 'tls', host: 'localhost', port: server.port, username: 'crm', secret: SECRET, tls: true },
      tlsOptions: { ca: TEST_TLS.cert },
    });
    connections.push(connection);
    const booted = connection.next('fullyBooted', { timeoutMs: 5000 });
    connection.start();
    await booted;
    expect(connection.isReady).toBe(true);
  });

  it('refuses a TLS peer whose certificate it does not trust', async () => {
    const server = await startServer({ tls: TEST_TLS });
    const connection = new AmiConnection({
      server: { id: 'tls', host: 'localhost', port: server.port, username: 'crm', secret: SECRET, tls: true },
      reconnect: { initialDelayMs: 1000 },
    });
    connections.push(connection);
    const disconnected = connection.next('disconnected', { timeoutMs: 5000 });
    connection.start();
    const [info] = await disconnected;
    expect(info.reason).toBe('connect-failed');
    expect(server.actions).toHaveLength(0);
  });

  it('collects a list answer for an action marked as a list, and still emits its events as messages', async () => {
    const server = await startServer();
    server.handle('CoreShowChannels', (action, client) => {
      const id = action.get('ActionID')!;
      client.write(
        `Response: Success\r\nActionID: ${id}\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n` +
          `Event: CoreShowChannel\r\nActionID: ${id}\r\nChannel: SIP/1001-0000000a\r\n\r\n` +
          `Event: CoreShowChannelsComplete\r\nActionID: ${id}\r\nEventList: Complete\r\nListItems: 1\r\n\r\n`,
      );
    });
    const connection = connectTo(server).start();
    await connection.ready();
    const seen: string[] = [];
    connection.on('message', (m) => seen.push(m.name));
    const result = await connection.send({ action: 'CoreShowChannels', fields: [], list: true });
    expect(result.events.map((e) => e.get('Channel'))).toEqual(['SIP/1001-0000000a']);
    expect(seen).toEqual(['Success', 'CoreShowChannel', 'CoreShowChannelsComplete']);
  });

  it('survives a listener that throws', async () => {
    const server = await startServer({ afterLogin: FULLY_BOOTED });
    const logger = new RecordingLogger();
    const connection = connectTo(server, { logger });
    connection.on('message', () => {
      throw new Error('listener bug');
    });
    const booted = connection.next('fullyBooted', { timeoutMs: 5000 });
    connection.start();
    await booted;
    expect(logger.lines.some((l) => l.includes('listener bug'))).toBe(true);
  });
});

describe('AmiConnection against a hostile or broken PBX', () => {
  /** Answers every login with `answer` (the ActionID filled in) instead of Success/Error. */
  async function serverAnsweringLogin(answer: (actionId: string) => string): Promise<AmiTestServer> {
    const server = await startServer();
    server.handle('Login', (action, client) => client.write(answer(action.get('ActionID') ?? '')));
    return server;
  }

  it.each([
    ['Response: Maybe', (id: string) => `Response: Maybe\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`],
    ['a garbage response name', (id: string) => `Response: \u0007x#!\r\nActionID: ${id}\r\n\r\n`],
    ['Response: Goodbye', (id: string) => `Response: Goodbye\r\nActionID: ${id}\r\nMessage: Thanks for all the fish.\r\n\r\n`],
  ])('takes %s to the login as a failed login, not a session', async (_, answer) => {
    const server = await serverAnsweringLogin(answer);
    const connection = connectTo(server);
    const seen = record(connection);
    const errors: Error[] = [];
    connection.on('error', (e) => errors.push(e));
    const disconnected = connection.next('disconnected', { timeoutMs: 5000 });
    connection.start();
    const [info] = await disconnected;
    expect(info).toMatchObject({ reason: 'login-failed', wasReady: false });
    expect(seen.filter((s) => s.startsWith('connected'))).toEqual([]);
    expect(errors[0]).toBeInstanceOf(AmiAuthenticationError);
    await expect(connection.ready(2000)).rejects.toBeInstanceOf(AmiAuthenticationError);
  });

  it('backs off from a PBX that accepts the login and announces Shutdown at once, instead of reconnecting at the base delay', async () => {
    const server = await startServer({ afterLogin: 'Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\nRestart: True\r\n\r\n' });
    const connection = connectTo(server, { reconnect: { initialDelayMs: 10, maxDelayMs: 20, unstableMaxDelayMs: 160, stableSessionMs: 5000, jitter: 0 } });
    const delays: number[] = [];
    const done = new Promise<void>((resolve) =>
      connection.on('disconnected', (info) => {
        delays.push(info.retryInMs!);
        if (delays.length === 6) resolve();
      }),
    );
    // The peer closes right after its Shutdown, as Asterisk does.
    connection.on('shutdown', () => server.dropClients());
    connection.start();
    await done;
    expect(delays).toEqual([10, 20, 40, 80, 160, 160]);
  });

  it('resets the back-off once a session has lasted', async () => {
    const server = await startServer();
    const connection = connectTo(server, { reconnect: { initialDelayMs: 10, maxDelayMs: 20, unstableMaxDelayMs: 160, stableSessionMs: 50, jitter: 0 } });
    connection.start();
    await connection.ready();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const disconnected = connection.next('disconnected', { timeoutMs: 5000 });
    server.dropClients();
    expect((await disconnected)[0]).toMatchObject({ wasReady: true, retryInMs: 10 });
  });
});

describe('AmiConnection reconnect defaults', () => {
  it('sees a PBX that returns after a long outage within about a second (the back-off is capped at 1 s)', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const connection = new AmiConnection({ server: { id: 'back', host: '127.0.0.1', port, username: 'crm', secret: SECRET, tls: false } });
    connections.push(connection);
    const delays: number[] = [];
    connection.on('disconnected', (info) => delays.push(info.retryInMs!));
    connection.start();
    // Down long enough for an uncapped back-off to pass several seconds.
    while (delays.reduce((a, b) => a + b, 0) < 3000) await connection.next('disconnected', { timeoutMs: 10_000 });
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    const server = new AmiTestServer({ secret: SECRET });
    await server.listenOn(port);
    servers.push(server);
    const returned = Date.now();
    await connection.ready(5000);
    expect(Date.now() - returned).toBeLessThan(1500);
  });
});
