import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { SelectableUserStatus, UserPresence, UserStatus } from '@app/contracts';
import { DataSource } from 'typeorm';

/** A presence that changed: whom to tell, and what. */
export interface PresenceChange {
  userId: number;
  status: UserStatus;
}

const PRESENCE_COLUMNS = `id, username, NULLIF(concat_ws(' ', first_name, last_name), '') AS full_name, role, status`;

interface PresenceRow {
  id: number;
  username: string;
  full_name: string | null;
  role: UserPresence['role'];
  status: UserStatus;
}

/**
 * `users.status`, the presence the realtime gateway keeps: `offline` while the user has no
 * connection anywhere, else what they chose (`online` on connecting). Each method changes a
 * row only when the status really changes and returns the changes, so every process can call
 * them and only one announces each change.
 */
@Injectable()
export class UserPresenceService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Presence of the given users (all users when omitted), by username. */
  async list(ids?: number[]): Promise<UserPresence[]> {
    const rows = await this.dataSource.query<PresenceRow[]>(
      `SELECT ${PRESENCE_COLUMNS} FROM users ${ids ? 'WHERE id = ANY($1::int[])' : ''} ORDER BY username`,
      ids ? [ids] : [],
    );
    return rows.map((r) => ({ id: String(r.id), username: r.username, fullName: r.full_name, role: r.role, status: r.status }));
  }

  /** A first connection: offline becomes online; a status chosen earlier stays. */
  connected(userId: number): Promise<PresenceChange[]> {
    return this.change(`UPDATE users SET status = 'online' WHERE id = $1 AND status = 'offline' RETURNING id, status`, [userId]);
  }

  /** No connection left anywhere. */
  disconnected(userId: number): Promise<PresenceChange[]> {
    return this.change(`UPDATE users SET status = 'offline' WHERE id = $1 AND status <> 'offline' RETURNING id, status`, [userId]);
  }

  /** The user chose a status. Empty when it already was that (or the user is gone). */
  choose(userId: number, status: SelectableUserStatus): Promise<PresenceChange[]> {
    return this.change(`UPDATE users SET status = $2 WHERE id = $1 AND status <> $2 RETURNING id, status`, [userId, status]);
  }

  /**
   * Brings every row in line with the users connected now (any instance): the others are
   * offline, connected ones shown offline are online. Repairs what a crashed instance or a
   * race between a last disconnect and a new connection left behind.
   */
  reconcile(connectedIds: number[]): Promise<PresenceChange[]> {
    return this.change(
      `UPDATE users SET status = CASE WHEN id = ANY($1::int[]) THEN 'online' ELSE 'offline' END
       WHERE (status = 'offline') = (id = ANY($1::int[]))
       RETURNING id, status`,
      [connectedIds],
    );
  }

  private async change(sql: string, values: unknown[]): Promise<PresenceChange[]> {
    const [rows] = await this.dataSource.query<[Array<{ id: number; status: UserStatus }>, number]>(sql, values);
    return rows.map((r) => ({ userId: r.id, status: r.status }));
  }
}
