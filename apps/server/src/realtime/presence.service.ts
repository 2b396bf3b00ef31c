import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SELECTABLE_USER_STATUSES, type RealtimeAck, type SelectableUserStatus } from '@app/contracts';
import type { AuthUser } from '../common/auth';
import { UserPresenceService, type PresenceChange } from '../users';
import { RealtimeHub } from './realtime-hub';
import { SUPERVISORS_ROOM, userRoom } from './realtime-types';

/** A closed page that reloads at once (or a short network blip) does not flash "offline". */
export const OFFLINE_GRACE_MS = 2_000;
/** How often every instance repairs the stored presence against the connections that exist. */
const RECONCILE_MS = 60_000;

/**
 * Users' presence: online while they have a connection on any instance (or away/busy as they
 * choose), offline a moment after their last one closes. Stored in `users.status`; every change
 * is pushed to supervisors and to the user's own connections on every instance.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Presence');
  private readonly offlineTimers = new Map<number, NodeJS.Timeout>();
  private reconcileTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly hub: RealtimeHub,
    private readonly presence: UserPresenceService,
  ) {}

  onApplicationBootstrap(): void {
    this.hub.onCluster((message) => {
      if (message.type !== 'presence') return;
      const { event } = message;
      this.hub.push({ target: { to: [SUPERVISORS_ROOM, userRoom(event.userId)] }, event: 'user:status', payload: event });
    });
    // At start too: a crashed instance may have left users online.
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.reconcileTimer.unref();
    void this.reconcile();
  }

  onApplicationShutdown(): void {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
  }

  async connected(user: AuthUser): Promise<void> {
    this.cancelOffline(user.id);
    this.announce(await this.presence.connected(user.id));
  }

  /** After the grace period, offline unless a connection (on any instance) is back. */
  disconnected(user: AuthUser): void {
    this.cancelOffline(user.id);
    const timer = setTimeout(() => {
      this.offlineTimers.delete(user.id);
      void this.goOfflineIfGone(user.id);
    }, OFFLINE_GRACE_MS);
    timer.unref();
    this.offlineTimers.set(user.id, timer);
  }

  /** The `set-status` command. */
  async choose(user: AuthUser, request: unknown): Promise<RealtimeAck<{ status: SelectableUserStatus }>> {
    const status = (request as { status?: unknown } | null)?.status;
    if (!SELECTABLE_USER_STATUSES.includes(status as SelectableUserStatus)) {
      return { ok: false, error: { code: 'INVALID_STATUS', message: `status must be one of ${SELECTABLE_USER_STATUSES.join(', ')}` } };
    }
    try {
      this.announce(await this.presence.choose(user.id, status as SelectableUserStatus));
      return { ok: true, status: status as SelectableUserStatus };
    } catch (error) {
      this.logger.error(`storing the status of ${user.username} failed: ${(error as Error).message}`);
      return { ok: false, error: { code: 'UNAVAILABLE', message: 'The status could not be stored; try again' } };
    }
  }

  private async goOfflineIfGone(userId: number): Promise<void> {
    try {
      if (this.hub.localSockets(userId).length > 0 || (await this.hub.isConnected(userId))) return;
      this.announce(await this.presence.disconnected(userId));
    } catch (error) {
      // The periodic reconciliation sets it right later.
      this.logger.warn(`presence of user ${userId} not updated: ${(error as Error).message}`);
    }
  }

  private async reconcile(): Promise<void> {
    try {
      const changes = await this.presence.reconcile(await this.hub.connectedUserIds());
      // A user who connected while the list was being read was just set offline: set them right at once.
      for (const change of changes) {
        if (change.status === 'offline' && (await this.hub.isConnected(change.userId))) this.announce(await this.presence.connected(change.userId));
        else this.announce([change]);
      }
    } catch (error) {
      this.logger.warn(`presence not reconciled this time: ${(error as Error).message}`);
    }
  }

  private cancelOffline(userId: number): void {
    const timer = this.offlineTimers.get(userId);
    if (timer) clearTimeout(timer);
    this.offlineTimers.delete(userId);
  }

  private announce(changes: PresenceChange[]): void {
    const at = new Date().toISOString();
    for (const { userId, status } of changes) {
      this.hub.broadcast({ type: 'presence', event: { kind: 'presence', userId: String(userId), status, at } });
    }
  }
}
