import { Injectable, Logger } from '@nestjs/common';

/** Why a user's existing sessions no longer stand for what their tokens say. */
export type UserAccessChangeReason = 'deleted' | 'deactivated' | 'role_changed' | 'sessions_revoked';

export interface UserAccessChange {
  userId: number;
  reason: UserAccessChangeReason;
}

export type UserAccessListener = (change: UserAccessChange) => void;

/**
 * Announces, after the change is committed, that a user was deleted, deactivated, given
 * another role, or had their sessions revoked (password change, logout). REST needs nothing (every request re-reads the user); long-lived sessions
 * (Socket.IO connections) listen here to close themselves, without the users context knowing them.
 */
@Injectable()
export class UserAccessChanges {
  private readonly logger = new Logger('Users');
  private readonly listeners = new Set<UserAccessListener>();

  subscribe(listener: UserAccessListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(change: UserAccessChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`a user-access listener failed: ${(error as Error).message}`);
      }
    }
  }
}
