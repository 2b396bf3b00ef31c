import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from './realtime-events';

/**
 * connecting: first attempt; connected; reconnecting: was connected and lost it (socket.io
 * retries by itself); unavailable: never got through (no gateway, or refused), still retrying.
 */
export type RealtimeStatus = 'connecting' | 'connected' | 'reconnecting' | 'unavailable';

export interface RealtimeState {
  status: RealtimeStatus;
  /** Why the last attempt failed (the server's connect_error message), for the indicator's tooltip. */
  lastError: string | null;
}

type Listener = (state: RealtimeState) => void;

/**
 * One Socket.IO connection for the logged-in user: authenticated in the handshake with the
 * same JWT as REST (`auth.token`, read again at each reconnect so a new login is used), and
 * reconnecting on its own with back-off. Screens subscribe to its events through `socket`.
 */
export class RealtimeClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private state: RealtimeState = { status: 'connecting', lastError: null };
  private everConnected = false;
  private readonly listeners = new Set<Listener>();

  constructor(token: () => string | null) {
    this.socket = io({
      path: '/socket.io',
      autoConnect: false,
      auth: (callback) => callback({ token: token() }),
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 10_000,
    });
    this.socket.on('connect', () => {
      this.everConnected = true;
      this.update({ status: 'connected', lastError: null });
    });
    this.socket.on('disconnect', (reason) => {
      // The server closed it on purpose (e.g. the user was deactivated): socket.io does not retry that.
      if (reason === 'io server disconnect') this.socket.connect();
      this.update({ status: 'reconnecting', lastError: reason });
    });
    this.socket.on('connect_error', (error) => {
      this.update({ status: this.everConnected ? 'reconnecting' : 'unavailable', lastError: error.message });
    });
  }

  get current(): RealtimeState {
    return this.state;
  }

  start(): void {
    this.socket.connect();
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.listeners.clear();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(state: RealtimeState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
