import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import type { PhoneType } from '../user-role';
import { User } from './user.entity';

export const USER_PHONE_NUMBER_UNIQUE = 'uq_user_phones_normalized_number';

/** A number or extension that belongs to one user: calls on it are attributed to that user. */
@Entity({ name: 'user_phones' })
@Unique(USER_PHONE_NUMBER_UNIQUE, ['normalizedNumber'])
@Index('ix_user_phones_user_id', ['userId'])
@Check('ck_user_phones_phone_type', `"phone_type" IN ('extension', 'mobile', 'work', 'home', 'other')`)
export class UserPhone {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_user_phones' })
  id: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, (user) => user.phones, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_phones_user' })
  // Relation<> keeps the decorator metadata from touching the imported class during a circular import.
  user: Relation<User>;

  /** As entered. */
  @Column({ name: 'phone_number', type: 'varchar', length: 32 })
  phoneNumber: string;

  @Column({ name: 'phone_type', type: 'varchar', length: 20 })
  phoneType: PhoneType;

  /** E.164 for external numbers, the digits for extensions (see PhoneNormalizer). */
  @Column({ name: 'normalized_number', type: 'varchar', length: 20 })
  normalizedNumber: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
