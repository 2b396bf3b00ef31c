/**
 * A PBX that floods: a TCP server speaking just enough AMI for the ingest's login (greeting,
 * Login, Ping, CoreShowChannels with no channels, any other action answered Success), then
 * writing a prepared event stream as fast as the client reads it - `socket.write` with its
 * back-pressure, never dropping the client as Asterisk would past its writetimeout, so every
 * byte reaches the ingest and nothing is recovered from a listing. One session only.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AmiParser } from '@app/ami';

export class FloodAmiServer {
  private readonly server: Server;
  private socket: Socket | null = null;
  private loggedIn: (() => void) | null = null;
  private readonly ready: Promise<void>;
  /** Actions the client sent, by name (what the ingest asks a PBX at login). */
  readonly actions = new Map<string, number>();
  bytesWritten = 0;
  /** Time spent waiting for the client to read (socket buffer full): the ingest holding the PBX back. */
  blockedMs = 0;

  constructor(private readonly credentials: { username: string; secret: string }) {
    this.ready = new Promise((resolve) => (this.loggedIn = resolve));
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves once a client has logged in and listed the (no) channels. */
  whenLoggedIn(): Promise<void> {
    return this.ready;
  }

  /** Writes `chunk`; resolves when the socket can take more (the client is reading). */
  async send(chunk: Buffer): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) throw new Error('the ingest is not connected to the flood PBX');
    this.bytesWritten += chunk.length;
    if (socket.write(chunk)) return;
    const started = Date.now();
    const waiting = new AbortController();
    try {
      await Promise.race([
        once(socket, 'drain', { signal: waiting.signal }),
        once(socket, 'close', { signal: waiting.signal }).then(() => Promise.reject(new Error('the ingest disconnected from the flood PBX'))),
      ]);
    } finally {
      // The listener that lost the race goes too (a flood waits millions of times).
      waiting.abort();
    }
    this.blockedMs += Date.now() - started;
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    if (this.socket && !this.socket.destroyed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.on('error', () => undefined);
    const parser = new AmiParser({ expectGreeting: false });
    const reply = (actionId: string | undefined, lines: string[]): void => {
      socket.write(`Response: Success\r\n${actionId ? `ActionID: ${actionId}\r\n` : ''}${lines.map((l) => `${l}\r\n`).join('')}\r\n`);
    };
    socket.on('data', (chunk: Buffer) => {
      for (const m of parser.push(chunk)) {
        const action = m.get('Action') ?? '';
        const id = m.get('ActionID');
        this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
        switch (action.toLowerCase()) {
          case 'login':
            if (m.get('Username') !== this.credentials.username || m.get('Secret') !== this.credentials.secret) {
              socket.end(`Response: Error\r\n${id ? `ActionID: ${id}\r\n` : ''}Message: Authentication failed\r\n\r\n`);
              break;
            }
            reply(id, ['Message: Authentication accepted']);
            socket.write('Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 1000\r\nLastReload: 1000\r\nStatus: Fully Booted\r\n\r\n');
            break;
          case 'ping':
            reply(id, ['Ping: Pong', `Timestamp: ${(Date.now() / 1000).toFixed(6)}`]);
            break;
          case 'coreshowchannels':
            reply(id, ['EventList: start', 'Message: Channels will follow']);
            socket.write(`Event: CoreShowChannelsComplete\r\n${id ? `ActionID: ${id}\r\n` : ''}EventList: Complete\r\nListItems: 0\r\n\r\n`);
            this.loggedIn?.();
            break;
          case 'logoff':
            socket.end(`Response: Goodbye\r\n${id ? `ActionID: ${id}\r\n` : ''}Message: Thanks for all the fish.\r\n\r\n`);
            break;
          default:
            reply(id, []);
        }
      }
    });
    socket.write('Asterisk Call Manager/9.0.0\r\n');
  }
}
