import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Relation,
  Unique,
  UpdateDateColumn,
  ValueTransformer,
} from 'typeorm';
import {
  RECORDING_SOURCES,
  RECORDING_STATUSES,
  RECORDING_STORAGES,
  sqlIn,
  type RecordingSource,
  type RecordingStatus,
  type RecordingStorageKind,
} from '@app/contracts';
import { CallKey } from '../../calls/entities/call-key.entity';

export const RECORDING_FILE_UNIQUE = 'uq_recordings_call_file_name';

/** bigint and numeric columns read as JS numbers: sizes stay far below 2^53 bytes, durations are milliseconds-exact. */
const numberOrNull: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * A recording file linked to a call. The file lives under RECORDINGS_PATH (`storage` local) or
 * in object storage (`s3`), at `storage_key`; the row keeps what was read from it. Partial and
 * DESC indexes are created by the migration only.
 */
@Entity({ name: 'recordings' })
@Unique(RECORDING_FILE_UNIQUE, ['callId', 'fileName'])
@Check('ck_recordings_source', sqlIn('source', RECORDING_SOURCES))
@Check('ck_recordings_status', sqlIn('status', RECORDING_STATUSES))
@Check('ck_recordings_storage', sqlIn('storage', RECORDING_STORAGES))
@Index('ix_recordings_started_at_id', { synchronize: false })
@Index('ix_recordings_pending', { synchronize: false })
@Index('ix_recordings_ready_local', { synchronize: false })
export class Recording {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_recordings' })
  id: number;

  @Column({ name: 'call_id', type: 'integer' })
  callId: number;

  @ManyToOne(() => CallKey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id', foreignKeyConstraintName: 'fk_recordings_call' })
  // Relation<> keeps the decorator metadata from touching the imported class during a circular import.
  call: Relation<CallKey>;

  /** Path under the PBX's monitor directory as Asterisk names it, e.g. `20261126-123700-1001-1002.wav`. */
  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  /** Absolute path when the PBX told it (MixMonitor), else null. */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  path: string | null;

  @Column({ type: 'varchar', length: 16 })
  source: RecordingSource;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: RecordingStatus;

  @Column({ name: 'status_reason', type: 'varchar', length: 255, nullable: true })
  statusReason: string | null;

  @Column({ type: 'varchar', length: 8, default: 'local' })
  storage: RecordingStorageKind;

  /** Path under RECORDINGS_PATH (local) or object key (s3); set once the name was found safe. */
  @Column({ name: 'storage_key', type: 'varchar', length: 1024, nullable: true })
  storageKey: string | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: numberOrNull })
  sizeBytes: number | null;

  @Column({ name: 'duration_seconds', type: 'numeric', precision: 10, scale: 3, nullable: true, transformer: numberOrNull })
  durationSeconds: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  format: string | null;

  @Column({ name: 'file_modified_at', type: 'timestamptz', nullable: true })
  fileModifiedAt: Date | null;

  @Column({ name: 'ready_at', type: 'timestamptz', nullable: true })
  readyAt: Date | null;

  /** Format and size before compression (null while uncompressed). */
  @Column({ name: 'original_format', type: 'varchar', length: 16, nullable: true })
  originalFormat: string | null;

  @Column({ name: 'original_size_bytes', type: 'bigint', nullable: true, transformer: numberOrNull })
  originalSizeBytes: number | null;

  @Column({ name: 'compressed_at', type: 'timestamptz', nullable: true })
  compressedAt: Date | null;

  /** Failed compression/upload attempts; the job stops retrying a file after a few. */
  @Column({ name: 'job_failures', type: 'smallint', default: 0 })
  jobFailures: number;

  /** Exempt from RECORDINGS_RETENTION_DAYS. */
  @Column({ type: 'boolean', default: false })
  keep: boolean;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
