import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

export const CALL_KEY_UNIQUE = 'uq_call_keys_pbx_linkedid';

/**
 * The identity of a stored call: its id and its (pbx_id, first Linkedid), one per call, and the
 * `started_at` that says which month partition of `calls` holds its row. `calls` is partitioned
 * by `started_at`, which can still be corrected after a call is stored, so its uniqueness and the
 * foreign keys of the timeline and the recordings live here (ADR 0009). Triggers on `calls`
 * keep it current (migration CallsPartitioned): nothing writes it directly.
 */
@Entity({ name: 'call_keys' })
@Unique(CALL_KEY_UNIQUE, ['pbxId', 'linkedid'])
export class CallKey {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_call_keys' })
  id: number;

  @Column({ name: 'pbx_id', type: 'varchar', length: 64 })
  pbxId: string;

  @Column({ type: 'varchar', length: 64 })
  linkedid: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;
}
