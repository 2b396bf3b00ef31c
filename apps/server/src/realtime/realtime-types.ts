import type { ClientToServerEvents, ServerToClientEvents, SessionEndReason, UserStatusEvent } from '@app/contracts';
import type { ControlNotice } from '../call-control';
import type { Server, Socket } from 'socket.io';
import type { AuthUser } from '../common/auth';

/** What the handshake attaches to a socket. */
export interface SocketData {
  user: AuthUser;
  /** When the token stops being valid: the connection closes then. */
  expiresAt: Date | null;
  /** users.token_version the token was issued at: a higher one in the database ends the session. */
  tokenVersion: number;
}

/**
 * What one server instance tells the others (Socket.IO `serverSideEmit` through the Redis
 * adapter): things that start on one instance and concern sockets on all of them.
 */
export type ClusterMessage =
  | { type: 'presence'; event: Extract<UserStatusEvent, { kind: 'presence' }> }
  | { type: 'end-sessions'; userId: number; reason: SessionEndReason }
  | { type: 'call-control'; notice: ControlNotice };

export interface InterServerEvents {
  'realtime:cluster': (message: ClusterMessage) => void;
}

export type RealtimeIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Events the server pushes, with their payloads. */
export type PushName = keyof ServerToClientEvents;
export type PushPayload<E extends PushName> = Parameters<ServerToClientEvents[E]>[0];

/** Where a push goes: sockets in any of `to`, except those in any of `except`. */
export interface PushTarget {
  to: string[];
  except?: string[];
}

/** One push: where it goes, its event and payload. */
export type Push = { [E in PushName]: { target: PushTarget; event: E; payload: PushPayload<E> } }[PushName];

/** Rooms: one per user (each of their connections), one for everyone who sees all calls. */
export const SUPERVISORS_ROOM = 'supervisors';

export function userRoom(userId: string | number): string {
  return `user:${userId}`;
}

/**
 * Joined at once on connecting, while the call rooms wait for the snapshot: tells whether a
 * user has a connection on any instance.
 */
export function presenceRoom(userId: string | number): string {
  return `presence:${userId}`;
}
