import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Company } from '../../companies/entities/company.entity';
import { User } from '../../users/entities/user.entity';
import { CallKey } from './call-key.entity';
import { CALL_DIRECTIONS, CALL_END_SOURCES, CALL_STATUSES, HANGUP_PARTIES, sqlIn, type CallDirection, type CallEndSource, type CallStatus, type HangupBy } from '@app/contracts';

/**
 * One conversation attempt on one PBX (the channels sharing a Linkedid). Column names of the
 * specification are kept (caller_number, receiver_number, status, duration, recording_url,
 * assigned_user_id, caller_company_id); `duration` is talk seconds, equal to `talk_seconds`.
 * Indexes with DESC keys or trigram operators are created by the migration only.
 *
 * Partitioned by month of `started_at` (migration CallsPartitioned, ADR 0009): the key is
 * (id, started_at); the id and the uniqueness of (pbx_id, linkedid) come from `call_keys`.
 */
@Entity({ name: 'calls' })
@Index('ix_calls_started_at_id', { synchronize: false })
@Index('ix_calls_assigned_user_started_at', { synchronize: false })
@Index('ix_calls_caller_company_started_at', { synchronize: false })
@Index('ix_calls_status_started_at', { synchronize: false })
@Index('ix_calls_direction_started_at', { synchronize: false })
@Index('ix_calls_caller_number_trgm', { synchronize: false })
@Index('ix_calls_receiver_number_trgm', { synchronize: false })
@Index('ix_calls_crm_call_id', { synchronize: false })
@Index('ix_calls_external_number_started_at', { synchronize: false })
@Index('ix_calls_live', { synchronize: false })
@Index('ix_calls_talk_seconds_id', { synchronize: false })
@Index('ix_calls_ended_stats', { synchronize: false })
@Index('ix_calls_answered_external_number', { synchronize: false })
@Index('ix_calls_unanswered_inbound', { synchronize: false })
@Index('ix_calls_participants', { synchronize: false })
@Check('ck_calls_status', sqlIn('status', CALL_STATUSES))
@Check('ck_calls_direction', sqlIn('direction', CALL_DIRECTIONS))
@Check('ck_calls_hangup_by', sqlIn('hangup_by', HANGUP_PARTIES))
@Check('ck_calls_duration_is_talk', `"duration" = "talk_seconds"`)
@Check('ck_calls_end_source', sqlIn('end_source', CALL_END_SOURCES))
@Check('ck_calls_seconds_not_negative', `"ring_seconds" >= 0 AND "talk_seconds" >= 0 AND "hold_seconds" >= 0`)
export class Call {
  /** Given by `call_keys` (an insert without it creates the key). */
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_calls' })
  id: number;

  @ManyToOne(() => CallKey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'id', foreignKeyConstraintName: 'fk_calls_key' })
  key: CallKey;

  @Column({ name: 'pbx_id', type: 'varchar', length: 64 })
  pbxId: string;

  /** Current Linkedid (it can change mid-call; the ingest follows it). */
  @Column({ type: 'varchar', length: 64 })
  linkedid: string;

  /** The call tracker's own id, stable across Linkedid changes. */
  @Column({ name: 'call_uid', type: 'varchar', length: 64 })
  callUid: string;

  @Column({ type: 'varchar', length: 10 })
  direction: CallDirection;

  @Column({ name: 'caller_number', type: 'varchar', length: 64 })
  callerNumber: string;

  @Column({ name: 'caller_name', type: 'varchar', length: 100, nullable: true })
  callerName: string | null;

  @Column({ name: 'receiver_number', type: 'varchar', length: 64 })
  receiverNumber: string;

  /** Dialled number of an inbound call. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  did: string | null;

  @Column({ type: 'varchar', length: 20, default: 'ringing' })
  status: CallStatus;

  /** Talk seconds (the specification's column); always equal to talk_seconds. */
  @Column({ type: 'integer', default: 0 })
  duration: number;

  @Column({ name: 'ring_seconds', type: 'integer', default: 0 })
  ringSeconds: number;

  @Column({ name: 'talk_seconds', type: 'integer', default: 0 })
  talkSeconds: number;

  @Column({ name: 'hold_seconds', type: 'integer', default: 0 })
  holdSeconds: number;

  @Column({ name: 'recording_url', type: 'varchar', length: 500, nullable: true })
  recordingUrl: string | null;

  @Column({ name: 'assigned_user_id', type: 'integer', nullable: true })
  assignedUserId: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assigned_user_id', foreignKeyConstraintName: 'fk_calls_assigned_user' })
  assignedUser: User | null;

  @Column({ name: 'caller_company_id', type: 'integer', nullable: true })
  callerCompanyId: number | null;

  @ManyToOne(() => Company, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'caller_company_id', foreignKeyConstraintName: 'fk_calls_caller_company' })
  callerCompany: Company | null;

  @Column({ name: 'answered_by_extension', type: 'varchar', length: 32, nullable: true })
  answeredByExtension: string | null;

  /** The partition key: a correction moves the row to its month (and its key follows). */
  @PrimaryColumn({ name: 'started_at', type: 'timestamptz', primaryKeyConstraintName: 'pk_calls' })
  startedAt: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  /** Q.850 cause of the originating channel's hangup. */
  @Column({ name: 'hangup_cause', type: 'integer', nullable: true })
  hangupCause: number | null;

  @Column({ name: 'hangup_by', type: 'varchar', length: 10, nullable: true })
  hangupBy: HangupBy | null;

  /** CRM_CALL_ID channel variable of a click-to-call started by the CRM. */
  @Column({ name: 'crm_call_id', type: 'varchar', length: 64, nullable: true })
  crmCallId: string | null;

  /** The outside party's number, normalised (migration CallsIngest). */
  @Column({ name: 'external_number', type: 'varchar', length: 32, nullable: true })
  externalNumber: string | null;

  /** Users whose phones took part (rang, answered, transferred, placed the call): CallAccess lets them see it. */
  @Column({ name: 'participant_user_ids', type: 'integer', array: true, default: () => "'{}'" })
  participantUserIds: number[];

  /** Time of the tracker event the row's state follows from; the ingest applies only newer states. */
  @Column({ name: 'last_event_at', type: 'timestamptz', default: () => "'-infinity'" })
  lastEventAt: Date;

  /** Order of that event among events with the same time. */
  @Column({ name: 'event_seq', type: 'integer', default: 0 })
  eventSeq: number;

  /** How the end is known: seen on AMI, completed from Asterisk's CDR, or not observed (talk unknown); null while live. */
  @Column({ name: 'end_source', type: 'varchar', length: 10, nullable: true })
  endSource: CallEndSource | null;

  /** The ingest process that inserted the row; another writer's state is a recovery and is merged (never downgrades). */
  @Column({ name: 'first_writer', type: 'varchar', length: 64, nullable: true })
  firstWriter: string | null;

  /** The ingest process that wrote the row last. */
  @Column({ name: 'writer', type: 'varchar', length: 64, nullable: true })
  writer: string | null;

  /** Added to the last writer's own step counter, so `event_seq` goes on growing across processes. */
  @Column({ name: 'seq_base', type: 'integer', default: 0 })
  seqBase: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
