import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { CallKey } from './call-key.entity';

export const CALL_EVENT_DEDUPE_UNIQUE = 'uq_call_events_call_dedupe_key';

/**
 * One step of a call's timeline (ringing, answered, held, transferred, recording, ended...).
 * `dedupe_key` is unique per call, so replaying the same AMI stream inserts nothing twice.
 */
@Entity({ name: 'call_events' })
@Unique(CALL_EVENT_DEDUPE_UNIQUE, ['callId', 'dedupeKey'])
@Index('ix_call_events_call_occurred_at', ['callId', 'occurredAt', 'id'])
export class CallEvent {
  /** bigint: returned as a string by the pg driver. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_call_events' })
  id: string;

  @Column({ name: 'call_id', type: 'integer' })
  callId: number;

  @ManyToOne(() => CallKey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id', foreignKeyConstraintName: 'fk_call_events_call' })
  call: CallKey;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data: Record<string, unknown>;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 128 })
  dedupeKey: string;
}
