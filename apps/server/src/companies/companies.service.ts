import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { CompanyCard } from '@app/contracts';
import { type Actor, AuditService } from '../audit';
import { likePattern, Page } from '../common/dto/page.dto';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { rethrowUniqueViolation } from '../common/errors/unique-violation';
import { OwnedPhones, type PhoneOwnerKind, type PhoneOwnership } from '../common/phone/owned-phones';
import { PhoneNormalizer } from '../common/phone/phone-normalizer';
import { CompanyNameTakenError, InnTakenError } from './companies.errors';
import { CompanyDto, CompanyLookupDto } from './dto/company.dto';
import { CreateCompanyDto } from './dto/create-company.dto';
import { UpdateCompanyDto } from './dto/update-company.dto';
import { COMPANY_PHONE_NUMBER_UNIQUE, CompanyPhone } from './entities/company-phone.entity';
import { Company, COMPANY_INN_UNIQUE, COMPANY_NAME_UNIQUE } from './entities/company.entity';

export const COMPANY_PHONES: PhoneOwnerKind<CompanyPhone> = {
  name: 'company',
  entity: CompanyPhone,
  table: 'company_phones',
  ownerColumn: 'company_id',
  ownerProperty: 'companyId',
  uniqueConstraint: COMPANY_PHONE_NUMBER_UNIQUE,
};

/** A company as stored: phones already normalised. */
export interface CompanyRecord {
  name: string;
  inn: string | null;
  email: string | null;
  notes: string | null;
  phones: { phoneNumber: string; normalizedNumber: string }[];
}

/** Companies (the CRM's clients), their phone numbers, and caller lookup by number. */
@Injectable()
export class CompaniesService {
  constructor(
    @InjectRepository(Company) private readonly companies: Repository<Company>,
    @InjectRepository(CompanyPhone) private readonly companyPhones: Repository<CompanyPhone>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly normalizer: PhoneNormalizer,
    private readonly phones: OwnedPhones,
    private readonly audit: AuditService,
  ) {}

  /** Unique violations as the domain errors the API reports. */
  private uniqueErrors() {
    return {
      [COMPANY_NAME_UNIQUE]: (value: string | null) => new CompanyNameTakenError(value),
      [COMPANY_INN_UNIQUE]: (value: string | null) => new InnTakenError(value),
      ...this.phones.takenError(COMPANY_PHONES),
    };
  }

  async list(query: PageQueryDto): Promise<Page<CompanyDto>> {
    const { rows, total } = await this.phones.page(
      COMPANY_PHONES,
      this.companies,
      { alias: 'company', textCondition: 'company.name ILIKE :pattern OR company.inn = :text OR company.email ILIKE :pattern', textParams: { text: query.q?.trim() }, order: ['company.name', 'company.id'] },
      query.q?.trim(),
      query,
    );
    return { items: rows.map(toCompanyDto), total, page: query.page, limit: query.limit };
  }

  async get(id: number): Promise<CompanyDto> {
    return toCompanyDto(await this.load(id));
  }

  async create(input: CreateCompanyDto, actor: Actor): Promise<CompanyDto> {
    const id = await this.insert(this.toRecord(input));
    await this.audit.record(actor, { action: 'company.create', target: `company:${id}`, details: { name: input.name } });
    return this.get(id);
  }

  /** Inserts one company with its phones in one transaction; duplicates become 409 domain errors. */
  private async insert(record: CompanyRecord): Promise<number> {
    return this.dataSource
      .transaction(async (manager) => {
        const { phones, ...fields } = record;
        const company = await manager.save(manager.create(Company, fields));
        await this.phones.insert(manager, COMPANY_PHONES, company.id, phones);
        return company.id;
      })
      .catch((error: unknown) => rethrowUniqueViolation(error, this.uniqueErrors()));
  }

  async update(id: number, input: UpdateCompanyDto, actor: Actor): Promise<CompanyDto> {
    await this.load(id);
    const phones = input.phones ? this.preparePhones(input.phones) : null;
    const changes: Partial<Company> = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.inn !== undefined && { inn: input.inn }),
      ...(input.email !== undefined && { email: input.email }),
      ...(input.notes !== undefined && { notes: input.notes }),
    };
    await this.dataSource
      .transaction(async (manager) => {
        if (Object.keys(changes).length > 0) await manager.update(Company, { id }, changes);
        if (phones) await this.phones.replace(manager, COMPANY_PHONES, id, phones);
      })
      .catch((error: unknown) => rethrowUniqueViolation(error, this.uniqueErrors()));
    await this.audit.record(actor, { action: 'company.update', target: `company:${id}`, details: { fields: Object.keys(input) } });
    return this.get(id);
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const company = await this.load(id);
    await this.companies.delete({ id });
    await this.audit.record(actor, { action: 'company.delete', target: `company:${id}`, details: { name: company.name } });
  }

  /** Finds the company owning a number written in any format. */
  async lookup(number: string): Promise<CompanyLookupDto> {
    const normalizedNumber = this.normalizer.normalize(number);
    if (normalizedNumber === null) {
      throw new ValidationFailedError([{ field: 'number', messages: ['is not a phone number or extension'] }]);
    }
    const companyId = await this.findCompanyIdByNormalizedNumber(normalizedNumber);
    return { number, normalizedNumber, company: companyId === null ? null : await this.get(companyId) };
  }

  /** For call records: the company a caller's number (already normalised) belongs to. */
  async findCompanyIdByNormalizedNumber(normalizedNumber: string): Promise<number | null> {
    const phone = await this.companyPhones.findOne({ where: { normalizedNumber }, select: { companyId: true } });
    return phone?.companyId ?? null;
  }

  /** Name and numbers of these companies, as an incoming-call popup shows them. */
  async cards(ids: number[]): Promise<CompanyCard[]> {
    if (ids.length === 0) return [];
    const companies = await this.companies
      .createQueryBuilder('company')
      .leftJoinAndSelect('company.phones', 'phone')
      .whereInIds(ids)
      .orderBy('company.id')
      .addOrderBy('phone.id')
      .getMany();
    return companies.map((c) => ({
      id: String(c.id),
      name: c.name,
      phones: c.phones.map((p) => ({ phoneNumber: p.phoneNumber, normalizedNumber: p.normalizedNumber })),
    }));
  }

  /** Validated input -> stored shape; numbers that are not phone numbers are a 400. */
  private toRecord(input: CreateCompanyDto): CompanyRecord {
    return {
      name: input.name,
      inn: input.inn ?? null,
      email: input.email ?? null,
      notes: input.notes ?? null,
      phones: this.preparePhones(input.phones ?? []),
    };
  }

  /** Every company number with its owner, for the calls directory. */
  phoneOwners(): Promise<PhoneOwnership[]> {
    return this.phones.owners(this.dataSource, COMPANY_PHONES);
  }

  private preparePhones(numbers: string[]): CompanyRecord['phones'] {
    return this.phones.prepare(
      numbers.map((phoneNumber) => ({ phoneNumber })),
      (index) => `phones.${index}`,
      'is not a phone number',
    );
  }

  private async load(id: number): Promise<Company> {
    const company = await this.companies.findOne({ where: { id }, relations: { phones: true }, order: { phones: { id: 'ASC' } } });
    if (!company) throw new NotFoundError('Company', id);
    return company;
  }
}

export function toCompanyDto(company: Company): CompanyDto {
  return {
    id: company.id,
    name: company.name,
    inn: company.inn,
    email: company.email,
    notes: company.notes,
    phones: (company.phones ?? []).map((phone) => ({ id: phone.id, phoneNumber: phone.phoneNumber, normalizedNumber: phone.normalizedNumber })),
    createdAt: company.createdAt,
    updatedAt: company.updatedAt,
  };
}
