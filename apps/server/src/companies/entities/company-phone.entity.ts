import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { OwnedPhone } from '../../common/phone/owned-phone.entity';
import { Company } from './company.entity';

export const COMPANY_PHONE_NUMBER_UNIQUE = 'uq_company_phones_normalized_number';

/** One normalised number belongs to one company, so a caller lookup has one answer. */
@Entity({ name: 'company_phones' })
@Unique(COMPANY_PHONE_NUMBER_UNIQUE, ['normalizedNumber'])
@Index('ix_company_phones_company_id', ['companyId'])
export class CompanyPhone extends OwnedPhone {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_company_phones' })
  id: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId: number;

  @ManyToOne(() => Company, (company) => company.phones, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'company_id', foreignKeyConstraintName: 'fk_company_phones_company' })
  // Relation<> keeps the decorator metadata from touching the imported class during a circular import.
  company: Relation<Company>;
}
