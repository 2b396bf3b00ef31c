/**
 * The browsers: one socket.io-client connection per user, in the bench process, recording
 * what each receives: every popup with its arrival time, every call end, and any push
 * received twice.
 */
import { performance } from 'node:perf_hooks';
import type { ClientToServerEvents, ServerToClientEvents, UserStatusEvent } from '@app/contracts';
import { io, type Socket } from 'socket.io-client';

export interface BenchUser {
  id: number;
  role: 'operator' | 'supervisor';
  /** The operator's extension; null for supervisors. */
  extension: string | null;
  token: string;
}

/** `[user id, linkedid, ringing channel, ms since epoch]`: a popup as it reached a browser. */
export type Popup = [userId: number, linkedid: string, channel: string, at: number];

const CONNECT_BATCH = 50;
const CONNECT_TIMEOUT_MS = 60_000;

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class ClientFleet {
  readonly popups: Popup[] = [];
  /** Per supervisor: the linkedids of the calls it saw end. */
  readonly endsBySupervisor = new Map<number, string[]>();
  /** Pushes a browser received a second time (it must be none). */
  duplicates = 0;
  /** Every push received, by event name. */
  readonly counts = new Map<string, number>();
  private readonly sockets: ClientSocket[] = [];

  /** Connects every user to one of `urls` (round robin) and resolves once each has its snapshot. */
  static async connect(users: BenchUser[], urls: string[]): Promise<ClientFleet> {
    const fleet = new ClientFleet();
    for (let i = 0; i < users.length; i += CONNECT_BATCH) {
      await Promise.all(users.slice(i, i + CONNECT_BATCH).map((user, j) => fleet.open(user, urls[(i + j) % urls.length])));
    }
    return fleet;
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }

  private open(user: BenchUser, url: string): Promise<void> {
    const socket: ClientSocket = io(url, { transports: ['websocket'], auth: { token: user.token }, reconnection: false, forceNew: true });
    this.sockets.push(socket);
    const seen = new Set<string>();
    const note = (event: string, key: string | null): void => {
      this.counts.set(event, (this.counts.get(event) ?? 0) + 1);
      if (key === null) return;
      if (seen.has(key)) this.duplicates++;
      else seen.add(key);
    };
    const ends: string[] | null = user.role === 'supervisor' ? [] : null;
    if (ends) this.endsBySupervisor.set(user.id, ends);
    socket.on('call:incoming', (e) => {
      this.popups.push([user.id, e.call.linkedid, e.ringing.channel, performance.timeOrigin + performance.now()]);
      note('call:incoming', `i:${e.call.id}:${e.ringing.channel}`);
    });
    socket.on('call:answered', (e) => note('call:answered', `a:${e.call.id}:${e.call.lastEventAt}:${e.call.eventSeq}`));
    socket.on('call:updated', (e) => note('call:updated', `u:${e.call.id}:${e.call.lastEventAt}:${e.call.eventSeq}`));
    socket.on('call:ended', (e) => {
      note('call:ended', `e:${e.call.id}`);
      ends?.push(e.call.linkedid);
    });
    socket.on('user:status', (e: UserStatusEvent) => note('user:status', e.kind === 'device' ? `d:${e.pbxId}:${e.extension}:${e.state}:${e.at}` : null));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`user ${user.id}: no snapshot within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      socket.once('snapshot', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(new Error(`user ${user.id}: ${error.message}`));
      });
    });
  }
}
