import { Controller, Get, Header, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CallAccess } from '../access';
import { type AuthUser, CurrentUser } from '../common/auth';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { InvalidPeriodError } from '../common/errors/domain-error';
import { CallDetailDto, CallDto, CallPageDto } from './dto/call.dto';
import { CallsFilterDto, CallsQueryDto } from './dto/calls-query.dto';
import { type CallHistoryRequest, CallsHistoryService } from './history/calls-history.service';
import { callsCsvStream, primed } from './history/calls-csv';
import type { CallHistoryPage } from './history/call-history-query';
import { ParseIdPipe } from '../common/input';

@ApiTags('calls')
@ApiBearerAuth()
@ApiErrorResponses(401)
@ApiExtraModels(CallPageDto)
@Controller('calls')
export class CallsController {
  constructor(
    private readonly history: CallsHistoryService,
    private readonly access: CallAccess,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Call history: filters, sorting, keyset pages, CSV',
    description:
      'Newest first by default. Pages are keyset-based: pass the returned nextCursor as cursor to get the next page; ' +
      'calls that arrive meanwhile never shift or repeat rows. format=csv streams every matching call instead of a page. ' +
      'Operators only see the calls they took part in.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ schema: { $ref: getSchemaPath(CallPageDto) }, description: 'A page (JSON) or every matching call (format=csv)' })
  @ApiErrorResponses(400)
  async list(@Query() query: CallsQueryDto, @CurrentUser() user: AuthUser): Promise<CallPageDto | StreamableFile> {
    if (query.format === 'csv') return this.csv(query, user);
    return this.history.page(this.request(query, user), { ...sortOf(query), limit: query.limit, cursor: query.cursor });
  }

  @Get('export.csv')
  @ApiOperation({ summary: 'Every matching call as CSV (same filters as the list)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row', schema: { type: 'string' } })
  @ApiErrorResponses(400)
  export(@Query() query: CallsFilterDto, @CurrentUser() user: AuthUser): Promise<StreamableFile> {
    return this.csv(query, user);
  }

  @Get('active')
  @ApiOperation({ summary: 'Calls in progress (ringing, talking, on hold), newest first' })
  @ApiOkResponse({ type: [CallDto] })
  active(@CurrentUser() user: AuthUser): Promise<CallDto[]> {
    return this.history.active(this.access.listScope(user));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One call with its timeline and recordings', description: 'An operator gets 404 for a call they took no part in.' })
  @ApiOkResponse({ type: CallDetailDto })
  @ApiErrorResponses(400, 404)
  @Header('Cache-Control', 'no-store')
  detail(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<CallDetailDto> {
    return this.history.detail(id, this.access.listScope(user));
  }

  private async csv(query: CallsFilterDto, user: AuthUser): Promise<StreamableFile> {
    const stream = callsCsvStream(await primed(this.history.all(this.request(query, user), sortOf(query))));
    return new StreamableFile(stream, { type: 'text/csv; charset=utf-8', disposition: 'attachment; filename="calls.csv"' });
  }

  private request(query: CallsFilterDto, user: AuthUser): CallHistoryRequest {
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from >= to) throw new InvalidPeriodError('from must be before to');
    return {
      from,
      to,
      directions: query.direction,
      statuses: query.status,
      userId: query.userId,
      companyId: query.companyId,
      number: query.number,
      ...this.access.listScope(user),
    };
  }
}

function sortOf(query: CallsFilterDto): Pick<CallHistoryPage, 'sort' | 'order'> {
  const desc = query.sort.startsWith('-');
  return { sort: desc ? (query.sort.slice(1) as CallHistoryPage['sort']) : (query.sort as CallHistoryPage['sort']), order: desc ? 'desc' : 'asc' };
}
