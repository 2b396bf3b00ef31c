import { EventEmitter, once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { AmiMessage } from '../protocol/ami-message';
import { AmiParser } from '../protocol/ami-parser';
import { type Capture, loadCapture } from './capture';
import { type CaptureScript, type ScriptedMessage, scriptCapture, withActionId } from './capture-script';

export interface CaptureReplayServerOptions {
  /** One capture per connection, in order (file paths or loaded captures). */
  captures: (string | Capture)[];
  /** 1 = recorded pace (default), 10 = ten times faster, 0 = as fast as the socket takes it. */
  speed?: number;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** When set, Login must match it; otherwise any Login is accepted. */
  credentials?: { username: string; secret: string };
  /** After the last capture, serve the first again (default: close further connections at once). */
  loop?: boolean;
  /**
   * When the recording reaches its reply to a listing a client sends on connect
   * (CoreShowChannels, Status) and this client has not sent one yet, wait this long for it,
   * so the reply goes out with the client's ActionID. Default 250 ms; 0 never waits.
   */
  actionWaitMs?: number;
}

export interface ReplaySessionInfo {
  /** 0 for the first connection. */
  index: number;
  capture: string;
}

/**
 * A TCP server that plays Asterisk from a recording: greets with the capture's banner,
 * answers the client's `Login` (with the client's ActionID), then streams the rest of the
 * capture (minus its own greeting, login reply and Goodbye) at the recorded pace times
 * `speed`, with socket back-pressure. Like Asterisk, it sends a client only replies to that
 * client's actions: a recorded reply goes out, with the client's ActionID, when the client
 * sent the same kind of action (CoreShowChannels, Status, Getvar...), and is dropped
 * otherwise. `Events: off` at login leaves only those replies. It answers `Ping` and
 * `Logoff` itself. A capture that ended with a Logoff leaves the connection up at the end;
 * one that was cut off (no Goodbye) is cut off again, and the next connection gets the
 * next capture.
 *
 * Events: `session` (ReplaySessionInfo), `action` (info, AmiMessage), `streamed` (info), `closed` (info).
 */
export class CaptureReplayServer extends EventEmitter {
  private readonly scripts: { path: string; script: CaptureScript }[];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly streamedSessions = new Set<number>();
  private connections = 0;
  private readonly speed: number;
  private readonly actionWaitMs: number;

  constructor(private readonly options: CaptureReplayServerOptions) {
    super();
    if (options.captures.length === 0) throw new RangeError('CaptureReplayServer needs at least one capture');
    this.speed = options.speed ?? 1;
    if (!(this.speed >= 0) || !Number.isFinite(this.speed)) throw new RangeError(`speed must be >= 0, got ${options.speed}`);
    this.actionWaitMs = options.actionWaitMs ?? 250;
    this.scripts = options.captures.map((c) => {
      const capture = typeof c === 'string' ? loadCapture(c) : c;
      return { path: capture.path, script: scriptCapture(capture) };
    });
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<{ host: string; port: number }> {
    this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1');
    await once(this.server, 'listening');
    const address = this.server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Resolves once connection `index` has sent its whole capture. */
  async streamed(index: number): Promise<void> {
    if (this.streamedSessions.has(index)) return;
    await new Promise<void>((resolve) => {
      const onStreamed = (info: ReplaySessionInfo): void => {
        if (info.index !== index) return;
        this.off('streamed', onStreamed);
        resolve();
      };
      this.on('streamed', onStreamed);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private serve(socket: Socket): void {
    const index = this.connections++;
    const slot = this.options.loop ? index % this.scripts.length : index;
    if (slot >= this.scripts.length) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const info: ReplaySessionInfo = { index, capture: this.scripts[slot].path };
    const session = new ReplaySession(socket, this.scripts[slot].script, {
      speed: this.speed,
      actionWaitMs: this.actionWaitMs,
      credentials: this.options.credentials,
      onAction: (action) => this.emit('action', info, action),
      onStreamed: () => {
        this.streamedSessions.add(index);
        this.emit('streamed', info);
      },
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      session.stop();
      this.emit('closed', info);
    });
    this.emit('session', info);
  }
}

interface SessionOptions {
  speed: number;
  actionWaitMs: number;
  credentials: CaptureReplayServerOptions['credentials'];
  onAction: (action: AmiMessage) => void;
  onStreamed: () => void;
}

/** One client connection playing one capture. */
class ReplaySession {
  private readonly parser = new AmiParser({ expectGreeting: false });
  private loggedIn = false;
  private eventsOff = false;
  private stopped = false;
  private finished = false;
  /** Client actions still waiting for a reply from the recording. */
  private readonly pending: AmiMessage[] = [];
  /** Recording client's ActionID -> this client's, or null when the reply was not for this client. */
  private readonly mapped = new Map<string, string | null>();
  private channelsUp = 0;
  private actionArrived: ((action: string | null) => void) | null = null;
  private awaitedAction: string | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly script: CaptureScript,
    private readonly options: SessionOptions,
  ) {
    socket.setNoDelay(true);
    socket.on('error', () => this.stop());
    socket.on('data', (data) => {
      for (const msg of this.parser.push(data)) this.onAction(msg);
    });
    socket.write(script.greeting, 'latin1');
  }

  stop(): void {
    this.stopped = true;
    this.actionArrived?.(null);
  }

  private onAction(msg: AmiMessage): void {
    if (msg.kind !== 'action') return;
    this.options.onAction(msg);
    const action = msg.name.toLowerCase();
    const id = msg.actionId;
    if (action === 'login') return this.login(msg);
    if (action === 'logoff') {
      this.reply(id, 'Goodbye', { Message: 'Thanks for all the fish.' });
      this.socket.end();
      return;
    }
    if (!this.loggedIn) return this.reply(id, 'Error', { Message: 'Permission denied' });
    if (action === 'ping') return this.reply(id, 'Success', { Ping: 'Pong', Timestamp: (Date.now() / 1000).toFixed(6) });
    if (!this.finished && this.recordedReplyAhead(action)) {
      this.pending.push(msg);
      if (action === this.awaitedAction) this.actionArrived?.(action);
      return;
    }
    this.answerUnrecorded(msg);
  }

  private login(msg: AmiMessage): void {
    const expected = this.options.credentials;
    if (expected && (msg.get('Username') !== expected.username || msg.get('Secret') !== expected.secret)) {
      this.reply(msg.actionId, 'Error', { Message: 'Authentication failed' });
      this.socket.end();
      return;
    }
    this.reply(msg.actionId, 'Success', { Message: 'Authentication accepted' });
    if (this.loggedIn) return;
    this.loggedIn = true;
    this.eventsOff = msg.get('Events')?.toLowerCase() === 'off';
    void this.stream();
  }

  /** With no calls up, an empty channel list is the truth; anything else the recording cannot answer. */
  private answerUnrecorded(msg: AmiMessage): void {
    if (msg.name.toLowerCase() === 'coreshowchannels' && this.channelsUp <= 0) {
      this.reply(msg.actionId, 'Success', { EventList: 'start', Message: 'Channels will follow' });
      this.send(`Event: CoreShowChannelsComplete\r\n${msg.actionId ? `ActionID: ${msg.actionId}\r\n` : ''}EventList: Complete\r\nListItems: 0\r\n\r\n`);
      return;
    }
    this.reply(msg.actionId, 'Error', { Message: 'Not available in this replay' });
  }

  private recordedReplyAhead(action: string): boolean {
    return this.script.messages.some((m) => m.answers === action && m.actionId !== null && !this.mapped.has(m.actionId));
  }

  private async stream(): Promise<void> {
    const started = Date.now();
    const { messages, loginMs } = this.script;
    let i = 0;
    while (i < messages.length && !this.stopped) {
      const ms = messages[i].ms;
      const due = this.options.speed > 0 ? started + (ms - loginMs) / this.options.speed : 0;
      const wait = due - Date.now();
      if (wait > 0) await delay(wait);
      else if (this.options.speed === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      let burst = '';
      for (; i < messages.length && messages[i].ms === ms && !this.stopped; i++) burst += await this.prepare(messages[i]);
      if (this.stopped) return;
      if (burst !== '' && !this.send(burst)) await Promise.race([once(this.socket, 'drain'), once(this.socket, 'close')]);
    }
    if (this.stopped) return;
    this.finished = true;
    for (const msg of this.pending.splice(0)) this.answerUnrecorded(msg);
    this.options.onStreamed();
    // A recording that was cut off is cut off again: the client sees the same drop.
    if (!this.script.loggedOff) this.socket.destroy();
  }

  /**
   * What this client gets of a recorded message: the bytes, with the client's ActionID when
   * it answers one of the client's actions; '' for replies to actions the client never sent
   * (and for events, with `Events: off`). `OriginateResponse` is an event every session sees.
   */
  private async prepare(message: ScriptedMessage): Promise<string> {
    this.channelsUp += message.channelDelta;
    const recordedId = message.actionId;
    if (recordedId === null || message.text.startsWith('Event: OriginateResponse\r\n')) {
      return this.eventsOff ? '' : message.text;
    }
    if (!this.mapped.has(recordedId)) {
      const answers = message.answers;
      const sent = (): boolean => this.pending.some((p) => p.name.toLowerCase() === answers);
      if (answers !== null && SNAPSHOT_ACTIONS.has(answers) && !sent() && this.options.actionWaitMs > 0) {
        await this.awaitAction(answers, this.options.actionWaitMs);
      }
      const k = this.pending.findIndex((p) => p.name.toLowerCase() === answers);
      // '' = the client's action carried no ActionID, so neither does the reply.
      this.mapped.set(recordedId, k >= 0 ? (this.pending.splice(k, 1)[0].actionId ?? '') : null);
    }
    const clientId = this.mapped.get(recordedId);
    return clientId === undefined || clientId === null ? '' : withActionId(message.text, clientId);
  }

  /** Waits until the client sends a `kind` action (or `ms` pass, or the session stops). */
  private awaitAction(kind: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.actionArrived?.(null), ms);
      this.awaitedAction = kind;
      this.actionArrived = () => {
        clearTimeout(timer);
        this.actionArrived = null;
        this.awaitedAction = null;
        resolve();
      };
    });
  }

  private reply(actionId: string | undefined, response: string, fields: Record<string, string>): void {
    let text = `Response: ${response}\r\n`;
    if (actionId !== undefined) text += `ActionID: ${actionId}\r\n`;
    for (const [k, v] of Object.entries(fields)) text += `${k}: ${v}\r\n`;
    this.send(`${text}\r\n`);
  }

  private send(text: string): boolean {
    if (this.socket.destroyed || !this.socket.writable) return true;
    return this.socket.write(text, 'latin1');
  }
}

/** Listings a client asks for on its own as soon as it is logged in: worth waiting for. */
const SNAPSHOT_ACTIONS: ReadonlySet<string> = new Set(['coreshowchannels', 'status']);

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
