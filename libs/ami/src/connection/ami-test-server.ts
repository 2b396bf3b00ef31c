import * as net from 'node:net';
import * as tls from 'node:tls';
import { AmiMessage } from '../protocol/ami-message';
import { AmiParser } from '../protocol/ami-parser';

/**
 * A scriptable AMI server over real TCP (or TLS), for the connection and gateway
 * specs: it can answer out of order, answer with bytes cut from a capture, go
 * silent, drop the socket, or refuse the login, which a well-behaved simulator
 * would not do. Only specs use it.
 */
export interface AmiTestClient {
  readonly socket: net.Socket;
  /** Every action received on this socket, in order. */
  readonly actions: AmiMessage[];
  write(text: string | Buffer): void;
  /** Writes `Key: Value` lines and the blank line that ends the message. */
  send(fields: Array<[string, string]>): void;
}

export type AmiTestHandler = (action: AmiMessage, client: AmiTestClient) => void;

export interface AmiTestServerOptions {
  username?: string;
  secret?: string;
  /** Banner written on connect; null writes none. */
  greeting?: string | null;
  /** Appended to the login answer in the same write, e.g. `FullyBooted`. */
  afterLogin?: string;
  tls?: { key: string; cert: string };
}

export const FULLY_BOOTED = 'Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 252\r\nLastReload: 252\r\nStatus: Fully Booted\r\n\r\n';

export class AmiTestServer {
  readonly clients: AmiTestClient[] = [];
  /** Every action from every client, in arrival order. */
  readonly actions: AmiMessage[] = [];
  private readonly handlers = new Map<string, AmiTestHandler>();
  private readonly waiters: Array<{ match: (a: AmiMessage) => boolean; resolve: (a: AmiMessage) => void }> = [];
  /** Each returns true once it has been served. */
  private connectionWaiters: Array<() => boolean> = [];
  private server!: net.Server;
  private readonly options: Required<Omit<AmiTestServerOptions, 'tls'>> & Pick<AmiTestServerOptions, 'tls'>;

  constructor(options: AmiTestServerOptions = {}) {
    this.options = {
      username: 'crm',
      secret: 's3cr3t',
      greeting: 'Asterisk Call Manager/9.0.0',
      afterLogin: '',
      ...options,
    };
    this.handle('Login', (action, client) => {
      const ok = action.get('Username') === this.options.username && action.get('Secret') === this.options.secret;
      const id = action.get('ActionID') ?? '';
      client.write(
        ok
          ? `Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n${this.options.afterLogin}`
          : `Response: Error\r\nActionID: ${id}\r\nMessage: Authentication failed\r\n\r\n`,
      );
    });
    this.handle('Ping', (action, client) =>
      client.send([
        ['Response', 'Success'],
        ['ActionID', action.get('ActionID') ?? ''],
        ['Ping', 'Pong'],
        ['Timestamp', (Date.now() / 1000).toFixed(6)],
      ]),
    );
    this.handle('Logoff', (action, client) => {
      client.send([
        ['Response', 'Goodbye'],
        ['ActionID', action.get('ActionID') ?? ''],
        ['Message', 'Thanks for all the fish.'],
      ]);
      client.socket.end();
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Replaces the answer to an action (a handler that writes nothing leaves it unanswered). */
  handle(action: string, handler: AmiTestHandler): this {
    this.handlers.set(action.toLowerCase(), handler);
    return this;
  }

  async listen(): Promise<this> {
    return this.listenOn(0);
  }

  /** Listens on a given port of 127.0.0.1 (a PBX coming back where a client keeps retrying). */
  async listenOn(port: number): Promise<this> {
    const onSocket = (socket: net.Socket) => this.accept(socket);
    this.server = this.options.tls ? tls.createServer({ key: this.options.tls.key, cert: this.options.tls.cert }, onSocket) : net.createServer(onSocket);
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this;
  }

  /** Resolves with the next action named `name` (or an earlier one not yet awaited when `fromIndex` says so). */
  nextAction(name: string, fromIndex = this.actions.length): Promise<AmiMessage> {
    const match = (a: AmiMessage) => a.name.toLowerCase() === name.toLowerCase();
    const earlier = this.actions.slice(fromIndex).find(match);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Resolves with the next client to connect (or the already connected client number `index`). */
  nextClient(index = this.clients.length): Promise<AmiTestClient> {
    return new Promise((resolve) => {
      const check = () => {
        const client = this.clients[index];
        if (client) resolve(client);
        return client !== undefined;
      };
      if (!check()) this.connectionWaiters.push(check);
    });
  }

  actionsNamed(name: string): AmiMessage[] {
    return this.actions.filter((a) => a.name.toLowerCase() === name.toLowerCase());
  }

  /** Destroys every client socket (a PBX restart or a cut cable, as the client sees it). */
  dropClients(): void {
    for (const client of this.clients) client.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const parser = new AmiParser({ expectGreeting: false });
    const client: AmiTestClient = {
      socket,
      actions: [],
      write: (text) => {
        if (!socket.destroyed) socket.write(text);
      },
      send: (fields) => client.write(fields.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n'),
    };
    this.clients.push(client);
    socket.on('error', () => undefined);
    if (this.options.greeting !== null) client.write(`${this.options.greeting}\r\n`);
    socket.on('data', (chunk: Buffer) => {
      for (const action of parser.push(chunk)) {
        if (action.kind !== 'action') continue;
        client.actions.push(action);
        this.actions.push(action);
        this.handlers.get(action.name.toLowerCase())?.(action, client);
        for (const waiter of this.waiters.splice(0)) {
          if (waiter.match(action)) waiter.resolve(action);
          else this.waiters.push(waiter);
        }
      }
    });
    this.connectionWaiters = this.connectionWaiters.filter((served) => !served());
  }
}
