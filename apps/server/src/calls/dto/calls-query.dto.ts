import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CALL_DIRECTIONS, CALL_STATUSES, type CallDirection, type CallStatus } from '@app/contracts';
import { OptionalIdQuery, PageCursorQuery, PageLimitQuery, PeriodFilterDto, toList } from '../../common/dto/list-filter.dto';


export const CALL_SORTS = ['-startedAt', 'startedAt', '-duration', 'duration'] as const;
export type CallSort = (typeof CALL_SORTS)[number];

/** Filters shared by the history page and the CSV export. */
export class CallsFilterDto extends PeriodFilterDto {
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

  @OptionalIdQuery('Assigned user (operators always see only their own calls)')
  userId?: number;

  @OptionalIdQuery("Caller's company")
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
  @PageLimitQuery()
  limit: number = 50;

  @PageCursorQuery()
  cursor?: string;

  @ApiPropertyOptional({ type: String, enum: ['json', 'csv'], default: 'json', description: 'csv streams every matching call (no paging)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}
