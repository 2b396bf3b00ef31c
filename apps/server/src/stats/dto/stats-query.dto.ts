import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength, registerDecorator } from 'class-validator';
import { OptionalIdQuery } from '../../common/dto/list-filter.dto';
import { isTimeZone } from '../../common/time/time-zone';

/** An IANA time zone both Node and PostgreSQL know (`Europe/Moscow`, `UTC`). */
function IsTimeZone(): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: String(key),
      options: { message: 'tz must be an IANA time zone such as Europe/Moscow or UTC' },
      validator: { validate: (value: unknown) => isTimeZone(value) },
    });
}

export class StatsQueryDto {
  @ApiPropertyOptional({ description: 'Calls that started at or after this instant (ISO-8601); default: the start of today in tz', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Calls that started before this instant (ISO-8601); default: the start of tomorrow in tz', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @OptionalIdQuery('Only calls assigned to this user (operators always get their own)')
  userId?: number;

  @ApiPropertyOptional({
    type: String,
    description: 'IANA time zone of "today" and of the per-hour and per-day buckets; default: the server\'s TIME_ZONE. The answer names it as timeZone.',
    example: 'Europe/Moscow',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsTimeZone()
  tz?: string;
}
