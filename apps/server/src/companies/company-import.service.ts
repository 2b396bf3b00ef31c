import { Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { DataSource, QueryRunner } from 'typeorm';
import { type Actor, AuditService } from '../audit';
import { unsafeTextReason } from '../common/input/safe-text';
import { PhoneNormalizer, uniqueByNormalizedNumber } from '../common/phone/phone-normalizer';
import type { CompanyRecord } from './companies.service';
import { CSV_COLUMNS, decodeCsv, parseCompanyCsv, splitPhones, type CompanyCsvRow } from './company-csv';
import { MAX_COMPANY_PHONES } from './dto/create-company.dto';
import { CompanyImportResultDto, ImportRowProblemDto } from './dto/company.dto';

interface Candidate {
  row: number;
  record: CompanyRecord;
}

/** A file read and checked row by row, not yet written. */
export interface PreparedImport {
  rows: number;
  candidates: Candidate[];
  errors: ImportRowProblemDto[];
  ignoredColumns: string[];
}

export type CompanyImportEvent =
  | { type: 'progress'; phase: 'writing'; processed: number; total: number }
  | { type: 'result'; result: CompanyImportResultDto };

/** Companies written per statement pair: progress is reported after each batch. */
const BATCH = 1000;

/**
 * Imports companies from CSV. Every valid row is created and every other row is reported with
 * its line number and reason (an invalid value, or a duplicate of an existing company or of an
 * earlier row by name, INN or phone): one bad row never blocks the others. The writes are one
 * transaction of batched statements (arrays, so no parameter limit): a failure while writing
 * (the database, not a row) leaves nothing of the file behind.
 */
@Injectable()
export class CompanyImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly normalizer: PhoneNormalizer,
    private readonly audit: AuditService,
  ) {}

  /** Reads and checks the file; one that cannot be read as a whole is a 400 (InvalidCsvError). */
  prepare(file: Uint8Array): PreparedImport {
    const { rows, ignoredColumns } = parseCompanyCsv(decodeCsv(file));
    const errors: ImportRowProblemDto[] = [];
    const candidates: Candidate[] = [];
    for (const row of rows) {
      const parsed = this.toRecord(row);
      if ('reason' in parsed) errors.push({ row: row.row, reason: parsed.reason });
      else candidates.push({ row: row.row, record: parsed });
    }
    return { rows: rows.length, candidates, errors, ignoredColumns };
  }

  async import(file: Uint8Array, actor: Actor): Promise<CompanyImportResultDto> {
    let result: CompanyImportResultDto | undefined;
    for await (const event of this.run(this.prepare(file), actor)) if (event.type === 'result') result = event.result;
    return result!;
  }

  /** Writes a prepared file: progress after each batch, the result last. */
  async *run(prepared: PreparedImport, actor: Actor): AsyncGenerator<CompanyImportEvent> {
    const runner = this.dataSource.createQueryRunner();
    let committed = false;
    const createdIds: number[] = [];
    let duplicates: ImportRowProblemDto[];
    try {
      await runner.connect();
      await runner.startTransaction();
      const separated = await this.separateDuplicates(runner, prepared.candidates);
      duplicates = separated.duplicates;
      for (let start = 0; start < separated.unique.length; start += BATCH) {
        const written = await this.writeBatch(runner, separated.unique.slice(start, start + BATCH));
        createdIds.push(...written.createdIds);
        duplicates.push(...written.duplicates);
        yield { type: 'progress', phase: 'writing', processed: Math.min(start + BATCH, separated.unique.length), total: separated.unique.length };
      }
      await runner.commitTransaction();
      committed = true;
    } finally {
      // Also when the client went away mid-stream: the generator is closed here and nothing stays half-written.
      if (!committed && runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
    duplicates.sort((a, b) => a.row - b.row);
    const { errors, ignoredColumns } = prepared;
    await this.audit.record(actor, {
      action: 'company.import',
      details: { rows: prepared.rows, created: createdIds.length, duplicates: duplicates.length, errors: errors.length },
    });
    yield { type: 'result', result: { created: createdIds.length, createdIds, duplicates, errors, ignoredColumns } };
  }

  private toRecord({ values }: CompanyCsvRow): CompanyRecord | { reason: string } {
    for (const column of CSV_COLUMNS) {
      const reason = values[column] === undefined ? null : unsafeTextReason(values[column]);
      if (reason) return { reason: `${column} ${reason}` };
    }
    const name = values.name ?? '';
    if (name === '') return { reason: 'name is empty' };
    if (name.length > 200) return { reason: 'name is longer than 200 characters' };
    const inn = values.inn || null;
    if (inn !== null && !/^(\d{10}|\d{12})$/.test(inn)) return { reason: `INN "${inn}" must be 10 or 12 digits` };
    const email = values.email ? values.email.toLowerCase() : null;
    if (email !== null && (!isEmail(email) || email.length > 100)) return { reason: `email "${values.email}" is not an email address` };
    const notes = values.notes || null;
    if (notes !== null && notes.length > 2000) return { reason: 'notes are longer than 2000 characters' };
    const numbers = splitPhones(values.phones);
    if (numbers.length > MAX_COMPANY_PHONES) return { reason: `has ${numbers.length} phones; a company has at most ${MAX_COMPANY_PHONES}` };
    const phones: CompanyRecord['phones'] = [];
    for (const phoneNumber of numbers) {
      const normalizedNumber = this.normalizer.normalize(phoneNumber);
      if (normalizedNumber === null) return { reason: `phone "${phoneNumber}" is not a phone number` };
      if (phoneNumber.length > 32) return { reason: `phone "${phoneNumber.slice(0, 32)}..." is longer than 32 characters` };
      phones.push({ phoneNumber, normalizedNumber });
    }
    return { name, inn, email, notes, phones: uniqueByNormalizedNumber(phones) };
  }

  /** Splits candidates into new companies and duplicates (of the database or of an earlier row). */
  private async separateDuplicates(runner: QueryRunner, candidates: Candidate[]): Promise<{ unique: Candidate[]; duplicates: ImportRowProblemDto[] }> {
    const column = async (sql: string, values: string[]) =>
      new Set(values.length === 0 ? [] : ((await runner.query(sql, [values])) as Array<{ value: string }>).map((row) => row.value));
    const existingNames = await column(
      `SELECT lower(name) AS value FROM companies WHERE lower(name) = ANY($1::text[])`,
      candidates.map((candidate) => candidate.record.name.toLowerCase()),
    );
    const existingInns = await column(
      `SELECT inn AS value FROM companies WHERE inn = ANY($1::text[])`,
      candidates.flatMap((candidate) => (candidate.record.inn ? [candidate.record.inn] : [])),
    );
    const existingNumbers = await column(
      `SELECT normalized_number AS value FROM company_phones WHERE normalized_number = ANY($1::text[])`,
      candidates.flatMap((candidate) => candidate.record.phones.map((phone) => phone.normalizedNumber)),
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

  /**
   * Inserts a batch of companies and their phones. A name, INN or number a concurrent writer
   * took since the duplicate check is skipped by ON CONFLICT, and such a row is reported as a
   * duplicate (a company whose phones did not all go in is removed again).
   */
  private async writeBatch(runner: QueryRunner, batch: Candidate[]): Promise<{ createdIds: number[]; duplicates: ImportRowProblemDto[] }> {
    const records = batch.map((candidate) => candidate.record);
    const inserted: Array<{ id: number; name: string }> = await runner.query(
      `INSERT INTO companies (name, inn, email, notes)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::text[])
       ON CONFLICT DO NOTHING
       RETURNING id, name`,
      [records.map((r) => r.name), records.map((r) => r.inn), records.map((r) => r.email), records.map((r) => r.notes)],
    );
    const idOfName = new Map(inserted.map((row) => [row.name, row.id]));
    const phones = batch.flatMap((candidate) => {
      const id = idOfName.get(candidate.record.name);
      return id === undefined ? [] : candidate.record.phones.map((phone) => ({ id, ...phone }));
    });
    const insertedPhones: Array<{ company_id: number; normalized_number: string }> =
      phones.length === 0
        ? []
        : await runner.query(
            `INSERT INTO company_phones (company_id, phone_number, normalized_number)
             SELECT * FROM unnest($1::int[], $2::varchar[], $3::varchar[])
             ON CONFLICT DO NOTHING
             RETURNING company_id, normalized_number`,
            [phones.map((p) => p.id), phones.map((p) => p.phoneNumber), phones.map((p) => p.normalizedNumber)],
          );
    const storedNumbers = new Set(insertedPhones.map((row) => `${row.company_id}:${row.normalized_number}`));

    const createdIds: number[] = [];
    const removed: number[] = [];
    const duplicates: ImportRowProblemDto[] = [];
    for (const candidate of batch) {
      const id = idOfName.get(candidate.record.name);
      if (id === undefined) {
        duplicates.push({ row: candidate.row, reason: `a company with the name "${candidate.record.name}" or its INN was created meanwhile` });
        continue;
      }
      const taken = candidate.record.phones.find((phone) => !storedNumbers.has(`${id}:${phone.normalizedNumber}`));
      if (taken) {
        removed.push(id);
        duplicates.push({ row: candidate.row, reason: `phone ${taken.normalizedNumber} already belongs to a company` });
      } else {
        createdIds.push(id);
      }
    }
    if (removed.length > 0) await runner.query(`DELETE FROM companies WHERE id = ANY($1::int[])`, [removed]);
    return { createdIds, duplicates };
  }
}
