import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { PHONE_TYPES, sqlIn, type PhoneType } from '@app/contracts';
import { OwnedPhone } from '../../common/phone/owned-phone.entity';
import { User } from './user.entity';

export const USER_PHONE_NUMBER_UNIQUE = 'uq_user_phones_normalized_number';

/** A number or extension that belongs to one user: calls on it are attributed to that user. */
@Entity({ name: 'user_phones' })
@Unique(USER_PHONE_NUMBER_UNIQUE, ['normalizedNumber'])
@Index('ix_user_phones_user_id', ['userId'])
@Check('ck_user_phones_phone_type', sqlIn('phone_type', PHONE_TYPES))
export class UserPhone extends OwnedPhone {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_user_phones' })
  id: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, (user) => user.phones, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_phones_user' })
  // Relation<> keeps the decorator metadata from touching the imported class during a circular import.
  user: Relation<User>;

  @Column({ name: 'phone_type', type: 'varchar', length: 20 })
  phoneType: PhoneType;
}
