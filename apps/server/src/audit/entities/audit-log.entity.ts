import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** Who did what, from where: every state-changing action a user takes. */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_created_at', { synchronize: false })
@Index('ix_audit_log_user_created_at', { synchronize: false })
export class AuditLog {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_audit_log' })
  id: string;

  /** Null for anonymous actions (a failed login) and after the user is deleted. */
  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_audit_log_user' })
  user: User | null;

  /** Dotted verb such as `user.create`, `auth.login_failed`, `company.import`. */
  @Column({ type: 'varchar', length: 64 })
  action: string;

  /** What it acted on, e.g. `user:12`. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  target: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @Column({ type: 'inet', nullable: true })
  ip: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
