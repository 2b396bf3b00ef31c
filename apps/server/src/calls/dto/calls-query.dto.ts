import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CALL_DIRECTIONS, CALL_STATUSES, type CallDirection, type CallStatus } from '@app/contracts';

/** `a,b` or a repeated parameter (`?x=a&x=b`) become one list. */
const toList = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');

export const CALL_SORTS = ['-startedAt', 'startedAt', '-duration', 'duration'] as const;
export type CallSort = (typeof CALL_SORTS)[number];

/** Filters shared by the history page and the CSV export. */
export class CallsFilterDto {
  @ApiPropertyOptional({ description: 'Calls that started at or after this instant (ISO-8601)', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Calls that started before this instant (ISO-8601)', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ type: String, enum: CALL_DIRECTIONS, isArray: true, description: 'One or more, comma-separated or repeated' })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(CALL_DIRECTIONS, { each: true })
  direction?: CallDirection[];

  @ApiPropertyOptional({ type: String, enum: CALL_STATUSES, isArray: true, description: 'One or more, comma-separated or repeated' })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(CALL_STATUSES, { each: true })
  status?: CallStatus[];

  @ApiPropertyOptional({ type: Number, description: 'Assigned user (operators always see only their own calls)', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  userId?: number;

  @ApiPropertyOptional({ type: Number, description: "Caller's company", minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  companyId?: number;

  @ApiPropertyOptional({
    description: 'Part of the caller or receiver number, any formatting (at least 3 digits); a full number also matches its other spellings',
    example: '495 123',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  @Matches(/^[+\d\s().-]*$/, { message: 'number may contain only digits, spaces, +, (, ), . and -' })
  @Matches(/(?:\d\D*){3}/, { message: 'number must contain at least 3 digits' })
  number?: string;

  @ApiPropertyOptional({ type: String, enum: CALL_SORTS, default: '-startedAt', description: 'Sort key; a leading "-" sorts descending' })
  @IsOptional()
  @IsIn(CALL_SORTS)
  sort: CallSort = '-startedAt';
}

export class CallsQueryDto extends CallsFilterDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (opaque)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ type: String, enum: ['json', 'csv'], default: 'json', description: 'csv streams every matching call (no paging)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}
