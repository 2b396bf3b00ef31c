import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { likePattern } from '../dto/page.dto';
import { DomainError, ValidationFailedError } from '../errors/domain-error';
import { PhoneNormalizer, uniqueByNormalizedNumber } from './phone-normalizer';

/** Who owns a phone list: the table, its owner column and how the owner is named in messages. */
export interface PhoneOwnerKind<E extends ObjectLiteral> {
  /** `user` or `company`: in error codes and messages. */
  name: 'user' | 'company';
  entity: EntityTarget<E>;
  table: string;
  /** SQL column naming the owner, e.g. `user_id`. */
  ownerColumn: string;
  /** Entity property naming the owner, e.g. `userId`. */
  ownerProperty: keyof E & string;
  /** The unique constraint on the normalised number. */
  uniqueConstraint: string;
}

/** How one page of owners is searched and ordered. */
export interface OwnerSearch {
  /** Query alias of the owner (e.g. `u`, `company`). */
  alias: string;
  /** The text search over the owner's own columns; `:pattern` is the LIKE pattern of the text. */
  textCondition: string;
  /** Further parameters the condition names. */
  textParams?: Record<string, unknown>;
  /** ORDER BY columns, stable (end with the id where names may repeat). */
  order: string[];
}

/** A number one owner holds, as the call directory needs it. */
export interface PhoneOwnership {
  normalizedNumber: string;
  ownerId: number;
}

/** A number already belongs to another owner of the same kind (409; the code is the API's). */
export class PhoneTakenError extends DomainError {
  constructor(owner: 'user' | 'company', normalizedNumber: string | null) {
    super(
      owner === 'user' ? 'PHONE_TAKEN' : 'COMPANY_PHONE_TAKEN',
      HttpStatus.CONFLICT,
      `Phone number ${normalizedNumber ? `${normalizedNumber} ` : ''}already belongs to a ${owner}`,
      normalizedNumber ? { normalizedNumber } : undefined,
    );
  }
}

/** The stored part of a phone the API returns. */
export class OwnedPhoneDto {
  @ApiProperty({ example: 7 })
  id: number;

  @ApiProperty({ example: '+7 (495) 123-45-67' })
  phoneNumber: string;

  @ApiProperty({ description: 'E.164, or the digits of an extension', example: '+74951234567' })
  normalizedNumber: string;
}

/**
 * The one implementation of a phone list (users' and companies'): validating and normalising
 * input, storing and replacing a list in a transaction, searching owners by a number in any
 * spelling, and listing who owns which number.
 */
@Injectable()
export class OwnedPhones {
  constructor(private readonly normalizer: PhoneNormalizer) {}

  /**
   * Normalises each phone; a number that is not one is a 400 naming its field (`field(index)`).
   * One number written twice for one owner is kept once (the first spelling).
   */
  prepare<P extends { phoneNumber: string }>(phones: P[], field: (index: number) => string, message: string): Array<P & { normalizedNumber: string }> {
    const normalized = phones.map((phone) => this.normalizer.normalize(phone.phoneNumber));
    const problems = normalized.flatMap((value, index) => (value === null ? [{ field: field(index), messages: [message] }] : []));
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return uniqueByNormalizedNumber(phones.map((phone, index) => ({ ...phone, phoneNumber: phone.phoneNumber.trim(), normalizedNumber: normalized[index]! })));
  }

  async insert<E extends ObjectLiteral>(manager: EntityManager, kind: PhoneOwnerKind<E>, ownerId: number, phones: object[]): Promise<void> {
    if (phones.length === 0) return;
    await manager.insert(kind.entity, phones.map((phone) => ({ ...phone, [kind.ownerProperty]: ownerId })) as never);
  }

  async replace<E extends ObjectLiteral>(manager: EntityManager, kind: PhoneOwnerKind<E>, ownerId: number, phones: object[]): Promise<void> {
    await manager.delete(kind.entity, { [kind.ownerProperty]: ownerId } as never);
    await this.insert(manager, kind, ownerId, phones);
  }

  /**
   * An SQL condition "the owner `alias` has a phone written like `:pattern` or equal to
   * `:normalized`", with the value for `:normalized` (the text normalised, or '' when it is
   * not a number).
   */
  searchCondition<E extends ObjectLiteral>(kind: PhoneOwnerKind<E>, alias: string, text: string): { sql: string; normalized: string } {
    return {
      sql: `EXISTS (SELECT 1 FROM ${kind.table} phone WHERE phone.${kind.ownerColumn} = ${alias}.id
              AND (phone.phone_number ILIKE :pattern OR phone.normalized_number = :normalized))`,
      normalized: this.normalizer.normalize(text) ?? '',
    };
  }

  /**
   * One page of owners with their phones: searched by `text` in their own columns or in a phone
   * written any way, counted, then loaded with the phones (two queries: paging a join would cut
   * an owner's phone list).
   */
  async page<P extends ObjectLiteral, O extends ObjectLiteral & { id: number }>(
    kind: PhoneOwnerKind<P>,
    repository: Repository<O>,
    search: OwnerSearch,
    text: string | undefined,
    window: { offset: number; limit: number },
  ): Promise<{ rows: O[]; total: number }> {
    const { alias, order } = search;
    const ids = repository.createQueryBuilder(alias).select(`${alias}.id`);
    if (text) {
      const phone = this.searchCondition(kind, alias, text);
      ids.where(`(${search.textCondition} OR ${phone.sql})`, { pattern: likePattern(text), normalized: phone.normalized, ...search.textParams });
    }
    const sorted = <Q extends { orderBy: (c: string) => Q; addOrderBy: (c: string) => Q }>(q: Q): Q => order.slice(1).reduce((acc, c) => acc.addOrderBy(c), q.orderBy(order[0]));
    const total = await ids.getCount();
    const found = await sorted(ids).offset(window.offset).limit(window.limit).getMany();
    if (found.length === 0) return { rows: [], total };
    const rows = await sorted(repository.createQueryBuilder(alias).leftJoinAndSelect(`${alias}.phones`, 'phone').whereInIds(found.map((row) => row.id)))
      .addOrderBy('phone.id')
      .getMany();
    return { rows, total };
  }

  owners<E extends ObjectLiteral>(dataSource: DataSource, kind: PhoneOwnerKind<E>): Promise<PhoneOwnership[]> {
    return dataSource.query<PhoneOwnership[]>(`SELECT normalized_number AS "normalizedNumber", ${kind.ownerColumn} AS "ownerId" FROM ${kind.table}`);
  }

  /** The domain error for a unique violation of this kind's numbers. */
  takenError<E extends ObjectLiteral>(kind: PhoneOwnerKind<E>): Record<string, (value: string | null) => DomainError> {
    return { [kind.uniqueConstraint]: (value) => new PhoneTakenError(kind.name, value) };
  }
}
