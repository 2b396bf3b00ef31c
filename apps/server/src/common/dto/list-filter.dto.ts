import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_RECORD_ID, parseRecordId, RECORD_ID_MESSAGE, toStrictInteger } from '../input/record-id';

/** `a,b` or a repeated parameter (`?x=a&x=b`) become one list. */
export const toList = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');

/** The period filter of the lists (calls, recordings): by when the item started. */
export class PeriodFilterDto {
  @ApiPropertyOptional({ description: 'Started at or after this instant (ISO-8601)', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Started before this instant (ISO-8601)', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** An optional record id in a query string (`?userId=7`): parsed strictly (see parseRecordId); anything else fails IsInt. */
export function OptionalIdQuery(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Number, description, minimum: 1, maximum: MAX_RECORD_ID }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => parseRecordId(value) ?? value),
    IsInt({ message: ({ property }) => `${property} ${RECORD_ID_MESSAGE}` }),
  );
}

/** `limit` of a keyset-paged list: 1-200 (the default, 50, is the property's initial value). */
export function PageLimitQuery(): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ type: Number, minimum: 1, maximum: 200, default: 50 }), IsOptional(), Transform(toStrictInteger), IsInt(), Min(1), Max(200));
}

/** `cursor` of a keyset-paged list: the previous page's nextCursor. */
export function PageCursorQuery(): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ description: 'nextCursor of the previous page (opaque)' }), IsOptional(), IsString(), MaxLength(512));
}
