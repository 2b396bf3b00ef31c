import {
  compareCallVersions,
  type CallView,
  type ClientToServerEvents,
  type RealtimeSnapshot,
  type ServerToClientEventName,
  type ServerToClientEvents,
} from '@app/contracts';
import { io, type Socket, type SocketOptions, type ManagerOptions } from 'socket.io-client';

export type RealtimeClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One event as the client received it. */
export interface Received<E extends ServerToClientEventName = ServerToClientEventName> {
  event: E;
  payload: Parameters<ServerToClientEvents[E]>[0];
  at: number;
}

const PUSHES: ServerToClientEventName[] = ['snapshot', 'call:incoming', 'call:answered', 'call:updated', 'call:ended', 'user:status', 'session:ended', 'call:originated', 'call:consultation'];

/**
 * A browser's view of the gateway for tests: a real socket.io-client that records every push
 * in order and keeps the screen state a client builds from them (the calls it shows, with
 * their popups), applying the documented rules: a snapshot replaces the state, an event
 * older than the call's view is ignored, `call:ended` removes the call.
 */
export class RealtimeClient {
  readonly received: Received[] = [];
  /** Calls shown, by id: the newest view, and whether this user's popup for it is open. */
  readonly calls = new Map<string, { call: CallView; popup: boolean }>();
  /** Ended calls' last views: an older event about them is stale. */
  private readonly ended = new Map<string, CallView>();
  private waiters: Array<() => void> = [];

  private constructor(
    readonly socket: RealtimeClientSocket,
    readonly userId: string | null,
  ) {
    for (const event of PUSHES) {
      (socket as Socket).on(event, (payload: unknown) => {
        this.received.push({ event, payload, at: Date.now() } as Received);
        this.apply(event, payload);
        for (const wake of this.waiters.splice(0)) wake();
      });
    }
    socket.on('connect_error', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('disconnect', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects (`auth.token`) without waiting; `userId` lets the state know which popups are its own. */
  static open(url: string, token: string | undefined, userId: string | number | null = null, options: Partial<ManagerOptions & SocketOptions> = {}): RealtimeClient {
    const socket: RealtimeClientSocket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...(token !== undefined && { auth: { token } }), ...options });
    return new RealtimeClient(socket, userId === null ? null : String(userId));
  }

  /** Connects and resolves with the snapshot. */
  static async connect(url: string, token: string, userId: string | number, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<RealtimeClient> {
    const client = RealtimeClient.open(url, token, userId, options);
    await client.next('snapshot');
    return client;
  }

  /** Resolves with the handshake's refusal. */
  static refusal(url: string, auth: Record<string, unknown> | undefined): Promise<Error & { data?: { code?: string } }> {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth && { auth }) });
    return new Promise((resolve, reject) => {
      socket.on('connect', () => {
        socket.close();
        reject(new Error('the handshake was accepted'));
      });
      socket.on('connect_error', (error) => {
        socket.close();
        resolve(error as Error & { data?: { code?: string } });
      });
    });
  }

  of<E extends ServerToClientEventName>(event: E): Array<Received<E>['payload']> {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as Received<E>['payload']);
  }

  /** Resolves with the first received `event` matching `match` (already received ones count). */
  next<E extends ServerToClientEventName>(event: E, match: (payload: Received<E>['payload']) => boolean = () => true, timeoutMs = 20_000): Promise<Received<E>['payload']> {
    return this.until(`${event}`, () => this.of(event).find(match), timeoutMs);
  }

  /** Resolves once `probe` returns a value, re-checked on every push; rejects after the timeout. */
  until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value !== undefined && value !== false) return resolve(value);
        if (Date.now() > deadline) return reject(new Error(`no ${what} within ${timeoutMs} ms; received: ${this.summary()}`));
        const timer = setTimeout(check, Math.max(0, deadline - Date.now()) + 1);
        this.waiters.push(() => {
          clearTimeout(timer);
          check();
        });
      };
      check();
    });
  }

  /** Calls whose popup this user would still see. */
  popups(): CallView[] {
    return [...this.calls.values()].filter((c) => c.popup).map((c) => c.call);
  }

  /** What was received, short, for failure messages. */
  summary(): string {
    return this.received.map((r) => `${r.event}${'call' in (r.payload as object) ? `#${(r.payload as { call: CallView }).call.id}` : ''}`).join(', ') || 'nothing';
  }

  close(): void {
    this.socket.close();
  }

  private apply(event: ServerToClientEventName, payload: unknown): void {
    if (event === 'snapshot') {
      const snapshot = payload as RealtimeSnapshot;
      this.calls.clear();
      for (const { call, ringing } of snapshot.calls) {
        this.calls.set(call.id, { call, popup: call.status === 'ringing' && ringing.some((p) => p.userId === this.userId) });
      }
      return;
    }
    // `call:originated` reports a click-to-call's outcome, no call state.
    if (!event.startsWith('call:') || !('call' in (payload as object))) return;
    const { call } = payload as { call: CallView };
    const shown = this.calls.get(call.id);
    const last = shown?.call ?? this.ended.get(call.id);
    if (last && compareCallVersions(call, last) <= 0) return;
    if (event === 'call:ended') {
      this.calls.delete(call.id);
      this.ended.set(call.id, call);
      return;
    }
    const rings = event === 'call:incoming' && (payload as { ringing: { userId: string | null } }).ringing.userId === this.userId;
    const popup = call.status === 'ringing' && (rings || (shown?.popup ?? false));
    this.calls.set(call.id, { call, popup });
  }
}
