import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RealtimeConnectErrorCode, SessionEndReason } from '@app/contracts';
import { CallAccess } from '../access';
import { Authenticator } from '../auth';
import { DomainError } from '../common/errors/domain-error';
import { UserAccessChanges, UsersService, type UserAccessChangeReason } from '../users';
import { PresenceService } from './presence.service';
import { RealtimeHub } from './realtime-hub';
import { RealtimeSnapshotService } from './realtime-snapshot.service';
import { presenceRoom, SUPERVISORS_ROOM, userRoom, type RealtimeSocket } from './realtime-types';

/** How often each instance re-reads its connected users (a user deleted with psql, a missed broadcast). */
const REVALIDATE_MS = 60_000;
/** setTimeout's limit; a longer token is re-checked when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The handshake's refusal: `connect_error` shows `message`, and `data.code` for programs. */
export class RealtimeConnectError extends Error {
  readonly data: { code: RealtimeConnectErrorCode };

  constructor(code: RealtimeConnectErrorCode, message: string) {
    super(message);
    this.data = { code };
  }
}

const CONNECT_ERRORS: Record<string, RealtimeConnectError> = {
  UNAUTHORIZED: new RealtimeConnectError('UNAUTHORIZED', 'A token is required: connect with { auth: { token } } (the accessToken of POST /api/auth/login)'),
  INVALID_TOKEN: new RealtimeConnectError('INVALID_TOKEN', 'The token is not valid (malformed, not signed by this server, or its user no longer exists)'),
  TOKEN_EXPIRED: new RealtimeConnectError('TOKEN_EXPIRED', 'The token has expired; log in again'),
  TOKEN_REVOKED: new RealtimeConnectError('TOKEN_REVOKED', 'The token was revoked (password changed or logged out); log in again'),
  USER_DEACTIVATED: new RealtimeConnectError('USER_DEACTIVATED', 'This account is deactivated; ask an admin'),
};

const END_REASONS: Record<UserAccessChangeReason, SessionEndReason> = {
  deleted: 'user_deleted',
  deactivated: 'user_deactivated',
  role_changed: 'role_changed',
  sessions_revoked: 'sessions_revoked',
};

const END_MESSAGES: Record<SessionEndReason, string> = {
  token_expired: 'Your session has expired; log in again',
  user_deleted: 'Your account was deleted',
  user_deactivated: 'Your account was deactivated',
  role_changed: 'Your role changed; connect again to see what it allows now',
  sessions_revoked: 'You logged out or your password changed; log in again',
};

/**
 * The life of a connection: the handshake's token check, the rooms, the snapshot, and the end
 * of the session when the token expires or the user is deleted, deactivated or given another
 * role (on whichever instance the change was made).
 */
@Injectable()
export class RealtimeSessionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private revalidateTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly hub: RealtimeHub,
    private readonly presence: PresenceService,
    private readonly snapshots: RealtimeSnapshotService,
    private readonly access: CallAccess,
    private readonly users: UsersService,
    private readonly accessChanges: UserAccessChanges,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.accessChanges.subscribe(({ userId, reason }) => this.hub.broadcast({ type: 'end-sessions', userId, reason: END_REASONS[reason] }));
    this.hub.onCluster((message) => {
      if (message.type === 'end-sessions') for (const socket of this.hub.localSockets(message.userId)) this.end(socket, message.reason);
    });
    this.revalidateTimer = setInterval(() => void this.revalidate(), REVALIDATE_MS);
    this.revalidateTimer.unref();
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    if (this.revalidateTimer) clearInterval(this.revalidateTimer);
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
  }

  /** Handshake: the token of `auth.token` must stand for an active user; else a RealtimeConnectError saying why. */
  async authenticate(socket: RealtimeSocket): Promise<void> {
    const token: unknown = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (token !== undefined && token !== null && typeof token !== 'string') throw CONNECT_ERRORS.INVALID_TOKEN;
    try {
      const session = await this.authenticator.session(token);
      socket.data.user = session.user;
      socket.data.expiresAt = session.expiresAt;
      socket.data.tokenVersion = session.tokenVersion;
    } catch (error) {
      if (error instanceof DomainError && CONNECT_ERRORS[error.code]) throw CONNECT_ERRORS[error.code];
      this.logger.error(`a handshake could not be checked: ${(error as Error).message}`);
      throw new RealtimeConnectError('UNAVAILABLE', 'The server cannot check the token right now; try again');
    }
  }

  /** A connection passed the handshake: presence, snapshot, then live pushes. */
  async open(socket: RealtimeSocket): Promise<void> {
    const { user } = socket.data;
    socket.join(presenceRoom(user.id));
    this.scheduleExpiry(socket);
    this.hub.hold(socket, [userRoom(user.id), ...(this.access.seesAllCalls(user) ? [SUPERVISORS_ROOM] : [])]);
    try {
      await this.presence.connected(user);
      const snapshot = await this.snapshots.build(user);
      if (!socket.connected) return;
      socket.emit('snapshot', snapshot);
      this.hub.release(socket);
    } catch (error) {
      this.logger.warn(`no snapshot for ${user.username}: ${(error as Error).message}; the client is asked to reconnect`);
      this.hub.forget(socket);
      // Closing the transport (not the socket) makes the client reconnect by itself.
      socket.conn.close();
    }
  }

  close(socket: RealtimeSocket): void {
    const timer = this.expiryTimers.get(socket.id);
    if (timer) clearTimeout(timer);
    this.expiryTimers.delete(socket.id);
    this.hub.forget(socket);
    if (socket.data.user) this.presence.disconnected(socket.data.user);
  }

  private scheduleExpiry(socket: RealtimeSocket): void {
    const { expiresAt } = socket.data;
    if (!expiresAt) return;
    const timer = setTimeout(() => {
      this.expiryTimers.delete(socket.id);
      if (expiresAt.getTime() <= Date.now()) this.end(socket, 'token_expired');
      else this.scheduleExpiry(socket);
    }, Math.min(Math.max(expiresAt.getTime() - Date.now(), 0), MAX_TIMER_MS));
    timer.unref();
    this.expiryTimers.set(socket.id, timer);
  }

  /** Tells the client why, then closes the connection for good (the client does not reconnect by itself). */
  private end(socket: RealtimeSocket, reason: SessionEndReason): void {
    if (!socket.connected) return;
    this.logger.log(`closed a connection of ${socket.data.user.username}: ${reason}`);
    socket.emit('session:ended', { reason, message: END_MESSAGES[reason] });
    socket.disconnect();
  }

  private async revalidate(): Promise<void> {
    const ids = this.hub.localUserIds();
    if (ids.length === 0) return;
    try {
      const current = new Map((await this.users.findAuthUsers(ids)).map((u) => [u.id, u]));
      for (const id of ids) {
        const now = current.get(id);
        for (const socket of this.hub.localSockets(id)) {
          if (!now) this.end(socket, 'user_deleted');
          else if (!now.active) this.end(socket, 'user_deactivated');
          else if (now.tokenVersion !== socket.data.tokenVersion) this.end(socket, 'sessions_revoked');
          else if (now.role !== socket.data.user.role) this.end(socket, 'role_changed');
        }
      }
    } catch (error) {
      this.logger.warn(`connected users not re-checked this time: ${(error as Error).message}`);
    }
  }
}
