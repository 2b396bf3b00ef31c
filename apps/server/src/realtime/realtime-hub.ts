import { Injectable, Logger } from '@nestjs/common';
import { presenceRoom, type ClusterMessage, type Push, type RealtimeIo, type RealtimeSocket } from './realtime-types';

/** Pushes a connection may miss while its snapshot is read; past this it is told to reconnect. */
const MAX_HELD_PUSHES = 10_000;

interface HeldConnection {
  socket: RealtimeSocket;
  /** The rooms it joins once its snapshot is sent. */
  rooms: string[];
  pushes: Push[];
}

/**
 * This instance's Socket.IO server as the services see it: pushes to rooms of local sockets,
 * messages to the other instances, and the hand-over from snapshot to live pushes.
 *
 * Call and phone events reach every instance through the buses, so each instance pushes them
 * to its own sockets only (`io.local`): a client gets each exactly once whichever instance it
 * is connected to. What starts on one instance (a presence change, a user's sessions ending)
 * goes to the others as a {@link ClusterMessage} and is then pushed locally the same way.
 *
 * A new connection is "held" until its snapshot is sent: it is in no call room yet, and the
 * pushes meant for the rooms it will join are kept for it, then sent right after the
 * snapshot, in the same turn of the event loop as it joins its rooms. So nothing falls between
 * the snapshot's reading and the first live push.
 */
@Injectable()
export class RealtimeHub {
  private readonly logger = new Logger('Realtime');
  private server: RealtimeIo | null = null;
  private clustered = false;
  private readonly held = new Map<string, HeldConnection>();
  private readonly clusterHandlers: Array<(message: ClusterMessage) => void> = [];

  /** The gateway hands its server over once Socket.IO is up; `clustered` when the Redis adapter links instances. */
  attach(server: RealtimeIo, clustered: boolean): void {
    this.server = server;
    this.clustered = clustered;
    if (clustered) server.on('realtime:cluster', (message: ClusterMessage) => this.handleCluster(message));
  }

  get io(): RealtimeIo {
    if (!this.server) throw new Error('the realtime gateway is not initialised');
    return this.server;
  }

  /** Sends to this instance's sockets in the target rooms (and keeps it for held connections bound there). */
  push(push: Push): void {
    const { target } = push;
    // No room would mean every socket of the namespace.
    if (!this.server || target.to.length === 0) return;
    const except = target.except ?? [];
    let operator = this.server.local.to(target.to);
    if (except.length > 0) operator = operator.except(except);
    emit(operator, push);
    for (const connection of this.held.values()) {
      if (!connection.rooms.some((room) => target.to.includes(room)) || connection.rooms.some((room) => except.includes(room))) continue;
      if (connection.pushes.length >= MAX_HELD_PUSHES) {
        this.logger.warn(`a connection of ${connection.socket.data.user.username} fell ${MAX_HELD_PUSHES} pushes behind its snapshot: asked to reconnect`);
        this.forget(connection.socket);
        connection.socket.conn.close();
        continue;
      }
      connection.pushes.push(push);
    }
  }

  /** Starts keeping the pushes for `rooms` that `socket` would receive. */
  hold(socket: RealtimeSocket, rooms: string[]): void {
    this.held.set(socket.id, { socket, rooms, pushes: [] });
  }

  /** Sends what was kept for the socket, then lets it into its rooms (false: it was dropped meanwhile). */
  release(socket: RealtimeSocket): boolean {
    const connection = this.held.get(socket.id);
    this.held.delete(socket.id);
    if (!connection || !socket.connected) return false;
    for (const push of connection.pushes) emit(socket, push);
    socket.join(connection.rooms);
    return true;
  }

  forget(socket: RealtimeSocket): void {
    this.held.delete(socket.id);
  }

  /** Delivers a message to this instance's handlers and, when clustered, to every other instance's. */
  broadcast(message: ClusterMessage): void {
    this.handleCluster(message);
    if (this.clustered && this.server) this.server.serverSideEmit('realtime:cluster', message);
  }

  onCluster(handler: (message: ClusterMessage) => void): void {
    this.clusterHandlers.push(handler);
  }

  /** Users with a connection on any instance (rejects when an instance does not answer in time). */
  async connectedUserIds(): Promise<number[]> {
    const sockets = await this.io.fetchSockets();
    return [...new Set(sockets.map((s) => s.data.user.id))];
  }

  /** Whether the user has a connection on any instance. */
  async isConnected(userId: number): Promise<boolean> {
    return (await this.io.in(presenceRoom(userId)).fetchSockets()).length > 0;
  }

  /** This instance's connections of a user, held ones included. */
  localSockets(userId: number): RealtimeSocket[] {
    if (!this.server) return [];
    const ids = this.server.of('/').adapter.rooms.get(presenceRoom(userId)) ?? new Set<string>();
    return [...ids].flatMap((id) => this.server!.of('/').sockets.get(id) ?? []);
  }

  /** Connections on this instance (authenticated ones: the handshake refuses the others). */
  localConnectionCount(): number {
    return this.server?.of('/').sockets.size ?? 0;
  }

  /** Users with a connection on this instance. */
  localUserIds(): number[] {
    if (!this.server) return [];
    return [...new Set([...this.server.of('/').sockets.values()].map((s) => s.data.user.id))];
  }

  private handleCluster(message: ClusterMessage): void {
    for (const handler of this.clusterHandlers) {
      try {
        handler(message);
      } catch (error) {
        this.logger.error(`handling a cluster ${message.type} message failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Emits a push on a socket or broadcast operator (the union of event names defeats emit's typing). */
function emit(on: { emit(event: string, ...args: unknown[]): unknown }, push: Push): void {
  on.emit(push.event, push.payload);
}
