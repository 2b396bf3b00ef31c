import { Check, Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { sqlIn, USER_ROLES, USER_STATUSES, type UserRole, type UserStatus } from '@app/contracts';
import { UserPhone } from './user-phone.entity';

export const USERNAME_UNIQUE = 'uq_users_username';
export const EMAIL_UNIQUE = 'uq_users_email';

@Entity({ name: 'users' })
@Unique(USERNAME_UNIQUE, ['username'])
@Unique(EMAIL_UNIQUE, ['email'])
@Check('ck_users_role', sqlIn('role', USER_ROLES))
@Check('ck_users_status', sqlIn('status', USER_STATUSES))
export class User {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_users' })
  id: number;

  @Column({ name: 'first_name', type: 'varchar', length: 30, nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 30, nullable: true })
  lastName: string | null;

  /** Stored lower-case, so uniqueness and login ignore case. */
  @Column({ type: 'varchar', length: 100 })
  username: string;

  /** Stored lower-case. */
  @Column({ type: 'varchar', length: 100 })
  email: string;

  /** Presence: `offline` while no Socket.IO connection is open, else what the user chose (realtime keeps it). */
  @Column({ type: 'varchar', length: 10, default: 'offline' })
  status: UserStatus;

  /** False: switched off by an admin; cannot log in, tokens and live connections stop working. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Raised by a password change or a logout: tokens issued at an older version are refused. */
  @Column({ name: 'token_version', type: 'integer', default: 0, select: false })
  tokenVersion: number;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ type: 'varchar', length: 20, default: 'operator' })
  role: UserRole;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @OneToMany(() => UserPhone, (phone) => phone.user)
  phones: UserPhone[];
}
