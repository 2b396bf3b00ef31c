import { createServer, Server, Socket } from 'node:net';
import { AmiParser, type AmiMessage } from '@app/ami';
import type { PbxEngine } from '../engine/pbx-engine';
import { AmiEvent, AmiFields, formatEvent, formatMessage } from '../engine/ami-event';
import type { AmiActions, AmiSession } from './ami-actions';
import { EventMask } from './event-mask';

export interface AmiServerOptions {
  port: number;
  host: string;
  /** manager.conf `timestampevents`. */
  timestampEvents: boolean;
  /** A client that falls this far behind is disconnected, as Asterisk does after `writetimeout`. */
  maxBufferedBytes: number;
  /** Longest action accepted; a longer run of bytes without an empty line is discarded. */
  maxMessageBytes: number;
}

export const DEFAULT_AMI_SERVER_OPTIONS: AmiServerOptions = {
  port: 5038,
  host: '127.0.0.1',
  timestampEvents: false,
  maxBufferedBytes: 64 * 1024 * 1024,
  maxMessageBytes: 64 * 1024,
};

export interface AmiServerStats {
  connections: number;
  sessions: number;
  actions: number;
  eventsWritten: number;
  bytesWritten: number;
  slowClientsDropped: number;
}

class ManagerSession implements AmiSession {
  authenticated = false;
  username: string | null = null;
  challenge: string | null = null;
  events: EventMask = EventMask.none();
  closed = false;
  private pending: string[] = [];
  private pendingBytes = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: Socket,
    private readonly server: AmiServer,
  ) {}

  send(fields: AmiFields): void {
    this.write(formatMessage(fields.keys, fields.values));
  }

  write(text: string): void {
    if (this.closed) return;
    // Everything written in one turn of the event loop leaves as one socket write (Asterisk
    // also writes in bursts: a login response and FullyBooted share a read), which keeps
    // per-message syscalls out of high event rates.
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(text);
    this.pendingBytes += text.length;
    this.server.countWrite(text.length);
    if (this.socket.writableLength + this.pendingBytes > this.server.options.maxBufferedBytes) this.server.dropSlow(this);
  }

  private flush(): void {
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.socket.destroyed) this.socket.write(text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => {
      if (this.pending.length > 0) this.flush();
      this.socket.end();
    });
  }

  /** Actions of one session are handled one after another, as Asterisk's session thread does. */
  enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn, fn);
  }
}

/**
 * The manager interface over TCP: greeting, Login, then actions in and events out.
 * Every session logged in with events on gets every event, formatted once per event.
 * Malformed input never reaches the engine unchecked and never stops the server.
 */
export class AmiServer {
  readonly options: AmiServerOptions;
  readonly stats: AmiServerStats = { connections: 0, sessions: 0, actions: 0, eventsWritten: 0, bytesWritten: 0, slowClientsDropped: 0 };
  private readonly server: Server;
  private readonly sessions = new Set<ManagerSession>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly engine: PbxEngine,
    private readonly actions: AmiActions,
    options: Partial<AmiServerOptions> = {},
    private readonly log: (msg: string) => void = () => undefined,
  ) {
    this.options = { ...DEFAULT_AMI_SERVER_OPTIONS, ...options };
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => this.log(`AMI server error: ${err.message}`));
    this.unsubscribe = engine.onEvent((e) => this.broadcast(e));
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : this.options.port);
      });
    });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Asterisk going down uncleanly (`core restart now` reached by SIGTERM, a fast shutdown): every
   * session logged in for system events is told `Event: Shutdown` (Shutdown: Uncleanly while
   * channels are up, Restart), then the sessions and the listener close. Engine events are no
   * longer sent from the moment this is called: the calls still up die with the process unseen.
   */
  async shutdown(restart: boolean): Promise<void> {
    this.engine.emit('Shutdown', 'system,all', new AmiFields().add('Shutdown', this.engine.liveChannels().length > 0 ? 'Uncleanly' : 'Cleanly').add('Restart', restart ? 'True' : 'False'));
    this.unsubscribe();
    for (const s of this.sessions) s.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // A client that never closes its end does not keep the port: the process is gone.
    const timer = setTimeout(() => {
      for (const s of this.sessions) s.socket.destroy();
    }, 1000);
    await closed;
    clearTimeout(timer);
    this.sessions.clear();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  countWrite(bytes: number): void {
    this.stats.bytesWritten += bytes;
  }

  dropSlow(session: ManagerSession): void {
    this.stats.slowClientsDropped++;
    this.log(`AMI client ${session.socket.remoteAddress}:${session.socket.remotePort} fell ${session.socket.writableLength} bytes behind; disconnected`);
    this.end(session);
    session.socket.destroy();
  }

  private accept(socket: Socket): void {
    this.stats.connections++;
    const session = new ManagerSession(socket, this);
    this.sessions.add(session);
    this.stats.sessions = this.sessions.size;
    socket.setNoDelay(true);
    const parser = new AmiParser({
      expectGreeting: false,
      maxMessageBytes: this.options.maxMessageBytes,
      onGarbage: (reason) => {
        // A block with no Action at all still gets Asterisk's answer.
        if (reason === 'no-event-or-response') session.enqueue(async () => session.send(new AmiFields().add('Response', 'Error').add('Message', 'Missing action in request')));
      },
    });
    socket.on('data', (chunk: Buffer) => {
      let messages: AmiMessage[];
      try {
        messages = parser.push(chunk);
      } catch (err) {
        this.log(`AMI input rejected: ${(err as Error).message}`);
        return;
      }
      for (const m of messages) {
        this.stats.actions++;
        session.enqueue(() => this.actions.handle(session, m));
      }
    });
    socket.on('error', () => this.end(session));
    socket.on('close', () => this.end(session));
    session.write(`${this.engine.dialect.greeting}\r\n`);
  }

  private end(session: ManagerSession): void {
    session.closed = true;
    this.sessions.delete(session);
    this.stats.sessions = this.sessions.size;
  }

  private broadcast(e: AmiEvent): void {
    let text: string | null = null;
    for (const s of this.sessions) {
      if (!s.authenticated || s.closed || !s.events.allows(e.classes)) continue;
      text ??= formatEvent(e, this.options.timestampEvents);
      s.write(text);
      this.stats.eventsWritten++;
    }
  }
}
