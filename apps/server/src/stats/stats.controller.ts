import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '../common/auth';
import { RoleRequiredError } from '../auth';
import { InvalidPeriodError } from '../common/errors/domain-error';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { dayIn } from '../common/time/time-zone';
import { AppConfig } from '../config/app-config';
import { StatsQueryDto } from './dto/stats-query.dto';
import { StatsDto } from './dto/stats.dto';
import { StatsService } from './stats.service';

@ApiTags('stats')
@ApiBearerAuth()
@ApiErrorResponses(401)
@Controller('stats')
export class StatsController {
  constructor(
    private readonly stats: StatsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Call statistics for a period',
    description:
      'Totals by status and direction, answer rate, average and p90 ring and talk time, per user, per hour of day, per day, ' +
      'and inbound missed calls nobody called back. Counts ended calls that started in [from, to); without from/to, today in tz (default TIME_ZONE). ' +
      "Operators get their own figures; asking for another user's is refused.",
  })
  @ApiOkResponse({ type: StatsDto })
  @ApiErrorResponses(400, 403)
  get(@Query() query: StatsQueryDto, @CurrentUser() user: AuthUser): Promise<StatsDto> {
    const timeZone = query.tz ?? this.config.TIME_ZONE;
    const today = dayIn(timeZone, new Date());
    const from = query.from ? new Date(query.from) : today.from;
    const to = query.to ? new Date(query.to) : today.to;
    if (from >= to) throw new InvalidPeriodError('from must be before to');
    if (user.role === 'operator' && query.userId !== undefined && query.userId !== user.id) throw new RoleRequiredError(['supervisor', 'admin']);
    const userId = user.role === 'operator' ? user.id : query.userId;
    return this.stats.stats({ from, to, userId, timeZone });
  }
}
