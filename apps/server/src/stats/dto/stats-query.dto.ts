import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength, registerDecorator } from 'class-validator';
import { OptionalIdQuery } from '../../common/dto/list-filter.dto';

/** An IANA time zone both Node and PostgreSQL know (`Europe/Moscow`, `UTC`). */
function IsTimeZone(): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: String(key),
      options: { message: 'tz must be an IANA time zone such as Europe/Moscow or UTC' },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) return false;
          try {
            new Intl.DateTimeFormat('en', { timeZone: value });
            return true;
          } catch {
            return false;
          }
        },
      },
    });
}

export class StatsQueryDto {
  @ApiProperty({ description: 'Calls that started at or after this instant (ISO-8601)', example: '2026-11-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  from: string;

  @ApiProperty({ description: 'Calls that started before this instant (ISO-8601)', example: '2026-12-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  to: string;

  @OptionalIdQuery('Only calls assigned to this user (operators always get their own)')
  userId?: number;

  @ApiPropertyOptional({ type: String, description: 'Time zone of the per-hour and per-day buckets', default: 'UTC', example: 'Europe/Moscow' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsTimeZone()
  tz: string = 'UTC';
}
