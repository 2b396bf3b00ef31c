import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isEmail } from 'class-validator';
import { In, Repository } from 'typeorm';
import type { Actor } from '../audit/actor';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { PhoneNormalizer, uniqueByNormalizedNumber } from '../common/phone/phone-normalizer';
import { CompaniesService, CompanyRecord } from './companies.service';
import { CompanyCsvRow, parseCompanyCsv, splitPhones } from './company-csv';
import { CompanyImportResultDto, ImportRowProblemDto } from './dto/company.dto';
import { CompanyPhone } from './entities/company-phone.entity';
import { Company } from './entities/company.entity';

interface Candidate {
  row: number;
  record: CompanyRecord;
}

/**
 * Imports companies from CSV: every valid row is created, every other row is reported with its
 * line number and reason (invalid value, or a duplicate of an existing company or of an earlier
 * row by name, INN or phone). One bad row never blocks the others.
 */
@Injectable()
export class CompanyImportService {
  constructor(
    private readonly companies: CompaniesService,
    @InjectRepository(Company) private readonly companyRepository: Repository<Company>,
    @InjectRepository(CompanyPhone) private readonly phoneRepository: Repository<CompanyPhone>,
    private readonly normalizer: PhoneNormalizer,
    private readonly audit: AuditService,
  ) {}

  async import(csv: string, actor: Actor): Promise<CompanyImportResultDto> {
    const { rows, ignoredColumns } = parseCompanyCsv(csv);
    const errors: ImportRowProblemDto[] = [];
    const candidates: Candidate[] = [];
    for (const row of rows) {
      const parsed = this.toRecord(row);
      if ('reason' in parsed) errors.push({ row: row.row, reason: parsed.reason });
      else candidates.push({ row: row.row, record: parsed });
    }
    const { unique, duplicates } = await this.separateDuplicates(candidates);
    const createdIds: number[] = [];
    for (const candidate of unique) {
      try {
        createdIds.push(await this.companies.insert(candidate.record));
      } catch (error) {
        // A concurrent writer took the name, INN or a number since the duplicate check.
        if (!(error instanceof DomainError) || error.status !== HttpStatus.CONFLICT) throw error;
        duplicates.push({ row: candidate.row, reason: error.message });
      }
    }
    duplicates.sort((a, b) => a.row - b.row);
    await this.audit.record(actor, {
      action: 'company.import',
      details: { rows: rows.length, created: createdIds.length, duplicates: duplicates.length, errors: errors.length },
    });
    return { created: createdIds.length, createdIds, duplicates, errors, ignoredColumns };
  }

  private toRecord({ values }: CompanyCsvRow): CompanyRecord | { reason: string } {
    const name = values.name ?? '';
    if (name === '') return { reason: 'name is empty' };
    if (name.length > 200) return { reason: 'name is longer than 200 characters' };
    const inn = values.inn || null;
    if (inn !== null && !/^(\d{10}|\d{12})$/.test(inn)) return { reason: `INN "${inn}" must be 10 or 12 digits` };
    const email = values.email ? values.email.toLowerCase() : null;
    if (email !== null && (!isEmail(email) || email.length > 100)) return { reason: `email "${values.email}" is not an email address` };
    const notes = values.notes || null;
    if (notes !== null && notes.length > 2000) return { reason: 'notes are longer than 2000 characters' };
    const phones: CompanyRecord['phones'] = [];
    for (const phoneNumber of splitPhones(values.phones)) {
      const normalizedNumber = this.normalizer.normalize(phoneNumber);
      if (normalizedNumber === null) return { reason: `phone "${phoneNumber}" is not a phone number` };
      if (phoneNumber.length > 32) return { reason: `phone "${phoneNumber.slice(0, 32)}..." is longer than 32 characters` };
      phones.push({ phoneNumber, normalizedNumber });
    }
    return { name, inn, email, notes, phones: uniqueByNormalizedNumber(phones) };
  }

  /** Splits candidates into new companies and duplicates (of the database or of an earlier row). */
  private async separateDuplicates(candidates: Candidate[]): Promise<{ unique: Candidate[]; duplicates: ImportRowProblemDto[] }> {
    const names = candidates.map((candidate) => candidate.record.name.toLowerCase());
    const inns = candidates.flatMap((candidate) => (candidate.record.inn ? [candidate.record.inn] : []));
    const numbers = candidates.flatMap((candidate) => candidate.record.phones.map((phone) => phone.normalizedNumber));
    const existingNames = new Set(
      names.length === 0
        ? []
        : (
            await this.companyRepository
              .createQueryBuilder('company')
              .select('lower(company.name)', 'name')
              .where('lower(company.name) IN (:...names)', { names })
              .getRawMany<{ name: string }>()
          ).map((row) => row.name),
    );
    const existingInns = new Set(
      inns.length === 0 ? [] : (await this.companyRepository.find({ where: { inn: In(inns) }, select: { inn: true } })).map((company) => company.inn),
    );
    const existingNumbers = new Set(
      numbers.length === 0
        ? []
        : (await this.phoneRepository.find({ where: { normalizedNumber: In(numbers) }, select: { normalizedNumber: true } })).map(
            (phone) => phone.normalizedNumber,
          ),
    );

    const firstRowOf = new Map<string, number>();
    const unique: Candidate[] = [];
    const duplicates: ImportRowProblemDto[] = [];
    for (const candidate of candidates) {
      const { name, inn, phones } = candidate.record;
      const keys = [`name:${name.toLowerCase()}`, ...(inn ? [`inn:${inn}`] : []), ...phones.map((phone) => `phone:${phone.normalizedNumber}`)];
      const reason =
        (existingNames.has(name.toLowerCase()) && `a company named "${name}" already exists`) ||
        (inn && existingInns.has(inn) && `INN ${inn} already belongs to a company`) ||
        phones.map((phone) => existingNumbers.has(phone.normalizedNumber) && `phone ${phone.normalizedNumber} already belongs to a company`).find(Boolean) ||
        keys.map((key) => firstRowOf.has(key) && `same ${key.split(':')[0]} as row ${firstRowOf.get(key)}`).find(Boolean);
      if (reason) {
        duplicates.push({ row: candidate.row, reason });
        continue;
      }
      for (const key of keys) firstRowOf.set(key, candidate.row);
      unique.push(candidate);
    }
    return { unique, duplicates };
  }
}
