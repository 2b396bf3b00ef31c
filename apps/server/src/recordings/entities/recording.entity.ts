import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Relation,
  Unique,
  UpdateDateColumn,
  ValueTransformer,
} from 'typeorm';
import { RECORDING_SOURCES, sqlIn, type RecordingSource } from '@app/contracts';
import { Call } from '../../calls/entities/call.entity';

export const RECORDING_FILE_UNIQUE = 'uq_recordings_call_file_name';

/** bigint column read as a JS number: recordings stay far below 2^53 bytes. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** A recording file linked to a call; the file itself lives under RECORDINGS_PATH. */
@Entity({ name: 'recordings' })
@Unique(RECORDING_FILE_UNIQUE, ['callId', 'fileName'])
@Check('ck_recordings_source', sqlIn('source', RECORDING_SOURCES))
export class Recording {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_recordings' })
  id: number;

  @Column({ name: 'call_id', type: 'integer' })
  callId: number;

  @ManyToOne(() => Call, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id', foreignKeyConstraintName: 'fk_recordings_call' })
  // Relation<> keeps the decorator metadata from touching the imported class during a circular import.
  call: Relation<Call>;

  /** Base name as Asterisk writes it, e.g. `20261126-123700-1001-1002.wav`. */
  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  /** Absolute path when the PBX told it (MixMonitor), else null. */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  path: string | null;

  @Column({ type: 'varchar', length: 16 })
  source: RecordingSource;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  sizeBytes: number | null;

  @Column({ name: 'duration_seconds', type: 'integer', nullable: true })
  durationSeconds: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  format: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
