import type { ClientToServerEvents, RealtimeAck, RealtimeConnectErrorData, ServerToClientEvents } from '@app/contracts';
import { io, type Socket } from 'socket.io-client';
import { ControlState } from '../call-control/control-state';
import { LiveState } from './live-state';

/**
 * connecting: first attempt; connected; reconnecting: was connected and lost it (retrying by
 * itself); unavailable: never got through (no gateway, or the server could not check the
 * token), still retrying.
 */
export type RealtimeStatus = 'connecting' | 'connected' | 'reconnecting' | 'unavailable';

export interface RealtimeState {
  status: RealtimeStatus;
  /** Why the last attempt failed: a connect_error code (UNAVAILABLE…) or socket.io's reason, for the indicator's tooltip. */
  lastError: string | null;
}

type Listener = (state: RealtimeState) => void;

/** The connect_error codes after which this token will never get in: the session is over. */
const SESSION_OVER = new Set<string>(['UNAUTHORIZED', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'USER_DEACTIVATED']);
/** How long a command waits for the server's acknowledgement (call control waits for the PBX's confirmation). */
export const COMMAND_TIMEOUT_MS = 20_000;
const RETRY_MS = { first: 1_000, max: 10_000 };

type Commands = ClientToServerEvents;
type CommandName = keyof Commands;
type CommandRequest<C extends CommandName> = Parameters<Commands[C]>[0];
type CommandAck<C extends CommandName> = Parameters<Parameters<Commands[C]>[1]>[0];

/**
 * One Socket.IO connection for the logged-in user: authenticated in the handshake with the
 * same JWT as REST (`auth.token`, read again at each attempt so a new login is used), on the
 * page's own origin (the gateway listens on the HTTP port too). It keeps `live` (calls, popups,
 * presence) from the pushes and reconnects by itself, also after refusals socket.io would not
 * retry (the server could not check the token); a refusal of the token itself, or the server
 * ending the session, ends the session in the page too.
 */
export class RealtimeClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly live = new LiveState();
  /** Call control: outcomes of this user's commands and the pushes meant for them. */
  readonly control = new ControlState();
  private state: RealtimeState = { status: 'connecting', lastError: null };
  private everConnected = false;
  private closed = false;
  private retry: number | undefined;
  private retryDelay = RETRY_MS.first;
  private readonly listeners = new Set<Listener>();

  constructor(
    token: () => string | null,
    private readonly onSessionOver: () => void,
  ) {
    this.socket = io({
      path: '/socket.io',
      autoConnect: false,
      auth: (callback) => callback({ token: token() }),
      reconnectionDelay: RETRY_MS.first,
      reconnectionDelayMax: RETRY_MS.max,
    });
    const { socket, live } = this;
    socket.on('snapshot', (snapshot) => live.snapshot(snapshot));
    socket.on('call:incoming', (event) => live.incoming(event));
    socket.on('call:answered', (event) => live.answered(event));
    socket.on('call:updated', (event) => {
      live.updated(event);
      this.control.updated(event);
    });
    socket.on('call:ended', (event) => {
      live.ended(event);
      this.control.ended(event.call.id);
    });
    socket.on('call:consultation', (event) => this.control.consultation(event));
    socket.on('call:originated', (event) => this.control.originated(event));
    socket.on('user:status', (event) => live.userStatus(event));
    socket.on('session:ended', () => this.endSession());
    socket.on('connect', () => {
      this.everConnected = true;
      this.retryDelay = RETRY_MS.first;
      this.update({ status: 'connected', lastError: null });
    });
    socket.on('disconnect', (reason) => {
      if (this.closed) return;
      // The server closed it on purpose without ending the session (a restart): socket.io does not retry that.
      if (reason === 'io server disconnect') this.retryLater();
      this.update({ status: 'reconnecting', lastError: reason });
    });
    socket.on('connect_error', (error) => {
      const code = (error as Error & { data?: Partial<RealtimeConnectErrorData> }).data?.code;
      if (code && SESSION_OVER.has(code)) return this.endSession();
      // A refusal in the server's handshake (UNAVAILABLE) leaves the socket inactive: retry it ourselves.
      if (!socket.active) this.retryLater();
      this.update({ status: this.everConnected ? 'reconnecting' : 'unavailable', lastError: code ?? error.message });
    });
  }

  get current(): RealtimeState {
    return this.state;
  }

  start(): void {
    this.socket.connect();
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.retry);
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.listeners.clear();
    this.live.reset();
    this.control.reset();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A command with its acknowledgement. Sent once (a command is never repeated by itself: a
   * hang-up or transfer must not happen twice); while disconnected it waits in socket.io's
   * buffer until the timeout, which answers TIMEOUT.
   */
  async command<C extends CommandName>(name: C, request: CommandRequest<C>): Promise<CommandAck<C>> {
    // socket.io's typings cannot follow a generic event name through emitWithAck: the map above types both ends.
    const socket = this.socket.timeout(COMMAND_TIMEOUT_MS) as unknown as { emitWithAck(event: C, payload: CommandRequest<C>): Promise<CommandAck<C>> };
    try {
      return await socket.emitWithAck(name, request);
    } catch (error) {
      // The only rejection of emitWithAck with a timeout: no acknowledgement in time.
      const timedOut: RealtimeAck = { ok: false, error: { code: 'TIMEOUT', message: (error as Error).message } };
      return timedOut as CommandAck<C>;
    }
  }

  private endSession(): void {
    this.close();
    this.onSessionOver();
  }

  private retryLater(): void {
    window.clearTimeout(this.retry);
    this.retry = window.setTimeout(() => {
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MS.max);
  }

  private update(state: RealtimeState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
