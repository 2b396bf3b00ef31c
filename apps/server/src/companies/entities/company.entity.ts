import { Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { CompanyPhone } from './company-phone.entity';

/** Unique index on lower(name): TypeORM cannot express it, the migration creates it. */
export const COMPANY_NAME_UNIQUE = 'uq_companies_name_lower';
export const COMPANY_INN_UNIQUE = 'uq_companies_inn';

@Entity({ name: 'companies' })
@Index(COMPANY_NAME_UNIQUE, { synchronize: false })
@Index('ix_companies_name_trgm', { synchronize: false })
@Unique(COMPANY_INN_UNIQUE, ['inn'])
export class Company {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_companies' })
  id: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Russian taxpayer number (10 or 12 digits). */
  @Column({ type: 'varchar', length: 12, nullable: true })
  inn: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  email: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @OneToMany(() => CompanyPhone, (phone) => phone.company)
  phones: CompanyPhone[];
}
