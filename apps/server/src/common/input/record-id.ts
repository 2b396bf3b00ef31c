import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error';

/** Ids are PostgreSQL `integer`/`serial`: 1 to 2^31-1. */
export const MAX_RECORD_ID = 2_147_483_647;

/** Plain decimal digits, no sign, no leading zero, no exponent, fraction, hex or blank. */
const ID_TEXT = /^[1-9][0-9]{0,9}$/;

/**
 * The record id written in `text`, or null when it is not written as one. `0x3`, `003`, `+3`,
 * `3.0` and ` 3` are not id 3: a loose parse makes two spellings address one record, which
 * lets a request slip past a check made on the other spelling.
 */
export function parseRecordId(text: unknown): number | null {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 1 && text <= MAX_RECORD_ID ? text : null;
  if (typeof text !== 'string' || !ID_TEXT.test(text)) return null;
  const id = Number(text);
  return id <= MAX_RECORD_ID ? id : null;
}

/**
 * class-transformer hook for integer query parameters (`?limit=50`): plain decimal digits
 * become a number, anything else stays as sent and fails the property's IsInt. Unlike
 * `Type(() => Number)`, `0x10`, `1e1` and ` 16` are not 16.
 */
export const toStrictInteger = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^(0|-?[1-9][0-9]{0,14})$/.test(value) ? Number(value) : value);

export const RECORD_ID_MESSAGE = `must be a record id: a positive integer up to ${MAX_RECORD_ID} in plain decimal digits`;

/** Every `:id` of the API: a 400 naming the parameter unless it is a record id. */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    const id = parseRecordId(value);
    if (id === null) {
      const field = metadata.data ?? 'id';
      throw new ValidationFailedError([{ field, messages: [`${field} ${RECORD_ID_MESSAGE}`] }]);
    }
    return id;
  }
}
