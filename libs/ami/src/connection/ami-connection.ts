import * as net from 'node:net';
import * as tls from 'node:tls';
import { AmiActionResult } from '../actions/ami-action-result';
import { amiActions } from '../actions/ami-actions';
import { AmiActionSettle, AmiPendingActions, AmiPendingOptions } from '../actions/ami-pending-actions';
import { AmiAction, encodeAction } from '../protocol/ami-action';
import { nextActionId } from '../protocol/ami-action-id';
import {
  AmiActionError,
  AmiActionTimeoutError,
  AmiAuthenticationError,
  AmiConnectionClosedError,
  AmiConnectionLostError,
  AmiError,
  AmiLoginTimeoutError,
  AmiNotConnectedError,
} from '../protocol/ami-errors';
import { AmiMessage } from '../protocol/ami-message';
import { AmiParser } from '../protocol/ami-parser';
import { AmiServerConfig, describeAmiServer } from './ami-server-config';
import { TypedEventEmitter } from './typed-event-emitter';

/** The subset of Nest's `Logger` the connection uses; lines never contain a secret. */
export interface AmiLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export interface AmiReconnectOptions {
  /** First retry delay (default 250 ms). */
  initialDelayMs?: number;
  /**
   * Cap of the exponential backoff while the PBX cannot be reached (default 1 s): a PBX that
   * comes back (a restart, a cut link) is logged in to within about this long.
   */
  maxDelayMs?: number;
  /**
   * Cap while the PBX is reachable but misbehaves (default 30 s): it refuses or never answers
   * the login, or announces Shutdown within `stableSessionMs` of the login. Retrying those
   * every second would only hammer it.
   */
  unstableMaxDelayMs?: number;
  /** A session that lasts this long resets the backoff; a shorter one (a cut right after the login) does not (default 5 s). */
  stableSessionMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** Fraction of the delay randomised away, 0..1 (default 0.5: a delay lands in [d/2, d]) so PBX-wide outages do not make every client retry in step. */
  jitter?: number;
}

export interface AmiConnectionOptions {
  server: AmiServerConfig;
  /**
   * `Events:` of the login: `on` for the ingest connection that tracks calls, `off`
   * for a connection that only sends actions (list answers still arrive), or an
   * event-class list such as `['call', 'cdr']`. Default `on`.
   */
  events?: 'on' | 'off' | readonly string[];
  connectTimeoutMs?: number;
  loginTimeoutMs?: number;
  /** A `Ping` goes out this often (default 15 s)... */
  pingIntervalMs?: number;
  /** ...and the peer is declared dead when neither its `Pong` nor any other byte arrives within this (default 10 s). */
  pongTimeoutMs?: number;
  /** Default timeout of an action sent through this connection (default 10 s). */
  actionTimeoutMs?: number;
  /** How long `close()` waits for the answer to `Logoff` (default 1 s). */
  logoffTimeoutMs?: number;
  reconnect?: AmiReconnectOptions;
  maxMessageBytes?: number;
  /** Extra TLS settings (CA, client certificate, `rejectUnauthorized`) when `server.tls` is set. */
  tlsOptions?: tls.ConnectionOptions;
  actionIdPrefix?: string;
  logger?: AmiLogger;
}

export type AmiConnectionState = 'idle' | 'connecting' | 'logging-in' | 'ready' | 'waiting-to-reconnect' | 'closed';

export type AmiDisconnectReason =
  | 'connect-failed'
  | 'connect-timeout'
  | 'socket-error'
  | 'remote-closed'
  | 'pbx-shutdown'
  | 'login-failed'
  | 'login-timeout'
  | 'pong-timeout'
  | 'closed';

export interface AmiSessionInfo {
  pbxId: string;
  /** The banner, e.g. `Asterisk Call Manager/9.0.0` ('' if the peer sent none). */
  greeting: string;
  /** 1 for the first successful login of this connection, 2 after the first reconnect... */
  session: number;
}

export interface AmiDisconnectInfo {
  pbxId: string;
  reason: AmiDisconnectReason;
  error?: Error;
  /** Whether the connection was logged in (events may have been missed while it is down). */
  wasReady: boolean;
  /** Delay before the next attempt; null once closed. */
  retryInMs: number | null;
}

export type AmiConnectionEvents = {
  /** Logged in; messages flow. Fires for every session, the first one included. */
  connected: [AmiSessionInfo];
  /** Logged in again after a loss: events were missed, rebuild state (`CoreShowChannels`). */
  reconnected: [AmiSessionInfo];
  /** A socket attempt ended (also fires for failed connects, with `wasReady: false`). */
  disconnected: [AmiDisconnectInfo];
  /** Every message but the banner, in arrival order, tagged with `pbxId`. */
  message: [AmiMessage];
  fullyBooted: [AmiMessage];
  /** Asterisk announced it is shutting down or restarting; a disconnect follows. */
  shutdown: [AmiMessage];
  /** Authentication refused, login timed out, or a listener threw. */
  error: [Error];
};

export interface AmiSendOptions {
  timeoutMs?: number;
  list?: boolean;
}

const READ_BUFFER_BYTES = 256 * 1024;

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  loginTimeoutMs: 10_000,
  pingIntervalMs: 15_000,
  pongTimeoutMs: 10_000,
  actionTimeoutMs: 10_000,
  logoffTimeoutMs: 1_000,
  initialDelayMs: 250,
  maxDelayMs: 1_000,
  unstableMaxDelayMs: 30_000,
  stableSessionMs: 5_000,
  factor: 2,
  jitter: 0.5,
};

/**
 * One AMI login to one PBX, kept alive for as long as the process wants it.
 *
 * It connects (TCP or TLS), logs in, and from then on hands every parsed message
 * to its listeners, tagged with the PBX id. A lost socket, a refused or silent
 * login, a peer that stops answering `Ping` (a half-open TCP connection sends
 * nothing and never closes) or a PBX shutdown all end the same way: pending
 * actions fail with "outcome unknown", `disconnected` fires, and a new attempt
 * follows after a capped, jittered exponential delay, forever, until `close()`.
 *
 * Each socket attempt has a generation number; callbacks of an older socket find
 * a newer generation and do nothing, so a late `close` or timer can never tear
 * down the connection that replaced it.
 */
export class AmiConnection extends TypedEventEmitter<AmiConnectionEvents> {
  readonly pbxId: string;
  private readonly server: AmiServerConfig;
  private readonly options: typeof DEFAULTS & { events: string; tlsOptions?: tls.ConnectionOptions; actionIdPrefix: string };
  private readonly logger?: AmiLogger;
  private readonly parser: AmiParser;
  private readonly pending = new AmiPendingActions();

  private currentState: AmiConnectionState = 'idle';
  private socket?: net.Socket;
  private generation = 0;
  private attempt = 0;
  /**
   * Misbehaviour since the last lasting session (a refused or unanswered login, a Shutdown right
   * after the login): while any, the backoff is capped at `unstableMaxDelayMs` instead.
   */
  private flaps = 0;
  private loggedInAt = 0;
  private sessions = 0;
  private greetingText = '';
  private closing = false;
  private shutdownAnnounced = false;
  private socketError?: Error;
  private lastDataAt = 0;
  private connectTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private pongTimer?: NodeJS.Timeout;
  private pingOutstanding = false;
  private firstAuthError?: AmiAuthenticationError;
  private readBuffer?: Buffer;
  /** The consumer asked to stop reading (its queue is full): the peer's writes wait in TCP. */
  private readPaused = false;

  constructor(options: AmiConnectionOptions) {
    super((event, error) => this.logger?.error(`AMI ${this.pbxId}: a '${event}' listener threw: ${errorText(error)}`));
    this.server = { ...options.server };
    this.pbxId = options.server.id;
    this.logger = options.logger;
    const events = options.events ?? 'on';
    const { connectTimeoutMs, loginTimeoutMs, pingIntervalMs, pongTimeoutMs, actionTimeoutMs, logoffTimeoutMs } = options;
    this.options = {
      ...DEFAULTS,
      ...definedOnly({ connectTimeoutMs, loginTimeoutMs, pingIntervalMs, pongTimeoutMs, actionTimeoutMs, logoffTimeoutMs }),
      ...definedOnly(options.reconnect ?? {}),
      events: typeof events === 'string' ? events : events.join(','),
      tlsOptions: options.tlsOptions,
      actionIdPrefix: options.actionIdPrefix ?? 'crm',
    };
    this.parser = new AmiParser({
      pbxId: this.pbxId,
      maxMessageBytes: options.maxMessageBytes,
      onGarbage: (reason, sample) => this.logger?.warn(`AMI ${this.pbxId}: dropped ${reason} input (${JSON.stringify(sample.slice(0, 80))})`),
    });
  }

  get state(): AmiConnectionState {
    return this.currentState;
  }

  get isReady(): boolean {
    return this.currentState === 'ready';
  }

  /** The banner of the current session. */
  get greeting(): string {
    return this.greetingText;
  }

  /** Parser counters (bytes, messages, garbage) over the connection's life. */
  get parserStats(): Readonly<AmiParser['stats']> {
    return this.parser.stats;
  }

  describe(): string {
    return describeAmiServer(this.server);
  }

  /** Starts connecting (once); the connection then keeps itself up until `close()`. */
  start(): this {
    if (this.currentState === 'idle') this.connect();
    return this;
  }

  /**
   * Resolves once logged in (call `start()` first). Rejects on the first refused login (bad credentials
   * are a configuration error worth failing a boot on; the connection keeps
   * retrying regardless), on `close()`, or after `timeoutMs`.
   */
  ready(timeoutMs = this.options.connectTimeoutMs + this.options.loginTimeoutMs): Promise<void> {
    if (this.currentState === 'ready') return Promise.resolve();
    if (this.currentState === 'closed') return Promise.reject(new AmiConnectionClosedError(this.pbxId));
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        offConnected();
        offError();
        offDisconnected();
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => done(new AmiLoginTimeoutError(this.pbxId, timeoutMs)), timeoutMs);
      const offConnected = this.on('connected', () => done());
      const offError = this.on('error', (error) => {
        if (error instanceof AmiAuthenticationError) done(error);
      });
      const offDisconnected = this.on('disconnected', (info) => {
        if (info.reason === 'closed') done(new AmiConnectionClosedError(this.pbxId));
      });
      if (this.firstAuthError && this.currentState === 'waiting-to-reconnect') done(this.firstAuthError);
    });
  }

  /**
   * Sends one action and resolves with its answer. Rejects with
   * `AmiActionValidationError` before anything is written when a key or value is
   * unsafe, `AmiNotConnectedError` when not logged in (nothing was sent),
   * `AmiActionError` on `Response: Error`, `AmiActionTimeoutError`, or
   * `AmiConnectionLostError` when the socket went away in between (outcome unknown).
   */
  send(action: AmiAction, options: AmiSendOptions = {}): Promise<AmiActionResult> {
    let bytes: Buffer;
    const actionId = nextActionId(this.options.actionIdPrefix);
    try {
      bytes = encodeAction(action, actionId);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.currentState !== 'ready' || !this.socket) return Promise.reject(new AmiNotConnectedError(this.pbxId, action.action));
    const socket = this.socket;
    return new Promise((resolve, reject) =>
      this.write(action.action, actionId, bytes, socket, { list: options.list ?? action.list, timeoutMs: options.timeoutMs ?? this.options.actionTimeoutMs }, (error, result) =>
        error ? reject(error) : resolve(result!),
      ),
    );
  }

  /**
   * Stops reading the socket (this one and the next ones) until `resume()`: the consumer
   * cannot keep up, so unread events wait in the kernel's buffers and then in the PBX, which
   * may end the session when its own write timeout passes (Asterisk's `writetimeout`). The
   * keepalive does not count the pause as silence.
   */
  pause(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    if (this.currentState === 'ready') this.socket?.pause();
  }

  resume(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    this.lastDataAt = Date.now();
    this.socket?.resume();
  }

  get isPaused(): boolean {
    return this.readPaused;
  }

  /** Logs off (briefly waiting for Asterisk's goodbye), closes the socket and stops reconnecting. */
  async close(): Promise<void> {
    if (this.currentState === 'closed' || this.closing) return;
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    if (this.currentState === 'ready' && this.socket) {
      const socket = this.socket;
      const actionId = nextActionId(this.options.actionIdPrefix);
      const logoff = encodeAction(amiActions.logoff(), actionId);
      await new Promise<void>((resolve) => this.write('Logoff', actionId, logoff, socket, { timeoutMs: this.options.logoffTimeoutMs }, () => resolve()));
    }
    // Asterisk closes the socket after its goodbye; that close may have finished the job already.
    if (this.state !== 'closed') this.drop(this.generation, 'closed');
  }

  private connect(): void {
    const generation = ++this.generation;
    this.currentState = 'connecting';
    this.socketError = undefined;
    this.shutdownAnnounced = false;
    this.greetingText = '';
    this.parser.reset(true);
    const { host, port } = this.server;
    const onData = (chunk: Buffer) => {
      if (generation === this.generation) this.onData(generation, chunk);
    };
    // Plain TCP reads into one reused buffer: the parser copies what it keeps (strings, a
    // partial message), so no read needs a fresh allocation. TLS sockets deliver 'data'.
    const socket = this.server.tls
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...this.options.tlsOptions }).on('data', onData)
      : net.connect({
          host,
          port,
          onread: {
            buffer: (this.readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES)),
            callback: (bytes: number, buffer: Uint8Array) => {
              onData(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
              return true;
            },
          },
        });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    this.connectTimer = setTimeout(
      () => this.drop(generation, 'connect-timeout', new Error(`no TCP connection within ${this.options.connectTimeoutMs} ms`)),
      this.options.connectTimeoutMs,
    );
    socket.once(this.server.tls ? 'secureConnect' : 'connect', () => {
      if (generation !== this.generation) return;
      clearTimeout(this.connectTimer);
      this.login(generation, socket);
    });
    socket.on('error', (error) => {
      if (generation === this.generation) this.socketError = error;
    });
    socket.on('close', () => {
      if (generation !== this.generation) return;
      const reason: AmiDisconnectReason = this.socketError
        ? this.currentState === 'connecting'
          ? 'connect-failed'
          : 'socket-error'
        : this.shutdownAnnounced
          ? 'pbx-shutdown'
          : 'remote-closed';
      this.drop(generation, reason, this.socketError);
    });
  }

  private login(generation: number, socket: net.Socket): void {
    this.currentState = 'logging-in';
    const actionId = nextActionId(this.options.actionIdPrefix);
    let bytes: Buffer;
    try {
      bytes = encodeAction(amiActions.login(this.server.username, this.server.secret, this.options.events), actionId);
    } catch (error) {
      // Only a malformed username/secret gets here; retrying cannot fix it, but the loop must not crash.
      this.drop(generation, 'login-failed', error as Error);
      return;
    }
    // Settled synchronously from the read that carries the answer (see onData).
    this.write('Login', actionId, bytes, socket, { timeoutMs: this.options.loginTimeoutMs }, (error, result) => {
      if (generation !== this.generation) return;
      const refusal = loginRefusal(error, result);
      if (!error && refusal === null) {
        this.onLoggedIn(generation);
      } else if (refusal !== null) {
        const authError = new AmiAuthenticationError(this.pbxId, this.server.username, refusal);
        this.firstAuthError ??= authError;
        this.emit('error', authError);
        this.drop(generation, 'login-failed', authError);
      } else if (error instanceof AmiActionTimeoutError) {
        const timeout = new AmiLoginTimeoutError(this.pbxId, this.options.loginTimeoutMs);
        this.emit('error', timeout);
        this.drop(generation, 'login-timeout', timeout);
      }
    });
  }

  private onLoggedIn(generation: number): void {
    this.currentState = 'ready';
    this.loggedInAt = Date.now();
    this.firstAuthError = undefined;
    this.sessions += 1;
    const info: AmiSessionInfo = { pbxId: this.pbxId, greeting: this.greetingText, session: this.sessions };
    this.logger?.log(`AMI ${this.describe()} logged in (session ${this.sessions}, ${this.greetingText || 'no banner'})`);
    // A pause asked for while (re)connecting starts once logged in: the login itself must be read.
    if (this.readPaused) this.socket?.pause();
    this.schedulePing(generation);
    this.emit('connected', info);
    if (this.sessions > 1 && generation === this.generation) this.emit('reconnected', info);
  }

  /**
   * Messages are handled one by one, synchronously, in arrival order: the login
   * answer switches the state to ready before the `FullyBooted` behind it in the
   * same read is emitted, so nothing that arrives with the login answer is lost.
   */
  private onData(generation: number, chunk: Buffer): void {
    this.lastDataAt = Date.now();
    const messages = this.parser.push(chunk, this.lastDataAt);
    for (const message of messages) {
      if (generation !== this.generation) return;
      if (message.kind === 'greeting') {
        this.greetingText = message.name;
        continue;
      }
      // Most messages are events with no ActionID: skip the lookup when nothing waits for an answer.
      if (this.pending.size > 0) this.pending.handle(message);
      if (generation !== this.generation || this.currentState !== 'ready') continue;
      this.emit('message', message);
      if (message.kind !== 'event') continue;
      if (message.name === 'FullyBooted') this.emit('fullyBooted', message);
      else if (message.name === 'Shutdown') {
        this.shutdownAnnounced = true;
        this.logger?.warn(`AMI ${this.pbxId}: PBX announced shutdown (${message.get('Shutdown') ?? ''}, restart ${message.get('Restart') ?? ''})`);
        this.emit('shutdown', message);
      }
    }
  }

  private write(action: string, actionId: string, bytes: Buffer, socket: net.Socket, options: AmiPendingOptions, settle: AmiActionSettle): void {
    this.pending.register(action, actionId, options, settle);
    socket.write(bytes);
  }

  private schedulePing(generation: number): void {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => this.ping(generation), this.options.pingIntervalMs);
  }

  private ping(generation: number): void {
    if (generation !== this.generation || this.currentState !== 'ready' || !this.socket) return;
    if (!this.pingOutstanding) {
      this.pingOutstanding = true;
      const sentAt = Date.now();
      const actionId = nextActionId(this.options.actionIdPrefix);
      this.write('Ping', actionId, encodeAction(amiActions.ping(), actionId), this.socket, { timeoutMs: 0 }, (error) => {
        if (error || generation !== this.generation) return;
        this.pingOutstanding = false;
        clearTimeout(this.pongTimer);
        this.logger?.debug?.(`AMI ${this.pbxId}: pong in ${Date.now() - sentAt} ms`);
      });
      this.armPongTimer(generation, this.options.pongTimeoutMs);
    }
    this.schedulePing(generation);
  }

  /**
   * The pong may sit behind a burst of events in our own receive queue, so any
   * byte from the peer proves it alive; only silence for a full timeout is death.
   */
  private armPongTimer(generation: number, delayMs: number): void {
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => {
      if (generation !== this.generation || !this.pingOutstanding) return;
      if (this.readPaused) {
        // Our own pause is not the peer's silence.
        this.armPongTimer(generation, this.options.pongTimeoutMs);
        return;
      }
      const silentFor = Date.now() - this.lastDataAt;
      if (silentFor < this.options.pongTimeoutMs) {
        this.armPongTimer(generation, this.options.pongTimeoutMs - silentFor);
        return;
      }
      this.drop(generation, 'pong-timeout', new Error(`no answer to Ping and no data for ${this.options.pongTimeoutMs} ms`));
    }, delayMs);
  }

  /** Ends the current socket attempt for `reason` and, unless closing, schedules the next. */
  private drop(generation: number, reason: AmiDisconnectReason, error?: Error): void {
    if (generation !== this.generation) return;
    this.generation += 1;
    const wasReady = this.currentState === 'ready';
    if (wasReady && Date.now() - this.loggedInAt >= this.options.stableSessionMs) {
      this.attempt = 0;
      this.flaps = 0;
    } else if (reason === 'pbx-shutdown' || reason === 'login-failed' || reason === 'login-timeout') {
      this.flaps += 1;
    }
    clearTimeout(this.connectTimer);
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingOutstanding = false;
    this.socket?.destroy();
    this.socket = undefined;
    this.pending.rejectAll((action, actionId) => new AmiConnectionLostError(this.pbxId, action, actionId));

    const closed = this.closing;
    const finalReason = closed ? 'closed' : reason;
    const retryInMs = closed ? null : this.scheduleReconnect();
    this.currentState = closed ? 'closed' : 'waiting-to-reconnect';
    const line = `AMI ${this.describe()} ${wasReady ? 'disconnected' : 'not connected'}: ${finalReason}${error ? ` (${errorText(error)})` : ''}${retryInMs === null ? '' : `, retry in ${retryInMs} ms`}`;
    if (closed) this.logger?.log(line);
    else this.logger?.warn(line);
    this.emit('disconnected', { pbxId: this.pbxId, reason: finalReason, error: closed ? undefined : error, wasReady, retryInMs });
  }

  private scheduleReconnect(): number {
    const { initialDelayMs, maxDelayMs, unstableMaxDelayMs, factor, jitter } = this.options;
    const cap = this.flaps > 0 ? Math.max(maxDelayMs, unstableMaxDelayMs) : maxDelayMs;
    const base = Math.min(cap, initialDelayMs * factor ** Math.min(this.attempt, 64));
    this.attempt += 1;
    const delay = Math.round(base * (1 - Math.min(1, Math.max(0, jitter)) * Math.random()));
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (!this.closing && this.currentState === 'waiting-to-reconnect') this.connect();
    }, delay);
    return delay;
  }
}

/**
 * Why a login answer is not a session, or null when it is one. Only `Response: Success` logs
 * in: `Error` is Asterisk's refusal, and `Maybe`, `Goodbye` or garbage from a broken peer is no
 * session either (events would never come).
 */
function loginRefusal(error: Error | null, result: AmiActionResult | undefined): string | null {
  if (error instanceof AmiActionError) return error.asteriskMessage;
  if (error || !result) return null;
  const answer = result.response.name;
  return answer.toLowerCase() === 'success' ? null : `unexpected answer ${JSON.stringify(`Response: ${answer}`)}`;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function errorText(error: unknown): string {
  if (error instanceof AmiError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ? `${(error as NodeJS.ErrnoException).code}: ${error.message}` : error.message;
  return String(error);
}
