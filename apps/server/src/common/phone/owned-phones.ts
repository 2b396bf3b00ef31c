import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
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

  owners<E extends ObjectLiteral>(dataSource: DataSource, kind: PhoneOwnerKind<E>): Promise<PhoneOwnership[]> {
    return dataSource.query<PhoneOwnership[]>(`SELECT normalized_number AS "normalizedNumber", ${kind.ownerColumn} AS "ownerId" FROM ${kind.table}`);
  }

  /** The domain error for a unique violation of this kind's numbers. */
  takenError<E extends ObjectLiteral>(kind: PhoneOwnerKind<E>): Record<string, (value: string | null) => DomainError> {
    return { [kind.uniqueConstraint]: (value) => new PhoneTakenError(kind.name, value) };
  }
}
