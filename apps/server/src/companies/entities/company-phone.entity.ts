import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation, Unique } from 'typeorm';
import { Company } from './company.entity';

export const COMPANY_PHONE_NUMBER_UNIQUE = 'uq_company_phones_normalized_number';

/** One normalised number belongs to one company, so a caller lookup has one answer. */
@Entity({ name: 'company_phones' })
@Unique(COMPANY_PHONE_NUMBER_UNIQUE, ['normalizedNumber'])
@Index('ix_company_phones_company_id', ['companyId'])
export class CompanyPhone {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_company_phones' })
  id: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId: number;

  @ManyToOne(() => Company, (company) => company.phones, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'company_id', foreignKeyConstraintName: 'fk_company_phones_company' })
  // Relation<> keeps the decorator metadata from touching the imported class during a circular import.
  company: Relation<Company>;

  /** As entered. */
  @Column({ name: 'phone_number', type: 'varchar', length: 32 })
  phoneNumber: string;

  @Column({ name: 'normalized_number', type: 'varchar', length: 20 })
  normalizedNumber: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
