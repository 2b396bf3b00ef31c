import { Controller, Get, Headers, HttpStatus, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/auth';
import { DomainError } from '../common/errors/domain-error';
import { ErrorResponseDto } from '../common/errors/error-response.dto';
import { MetricsAccess } from './metrics-access';
import { MetricsRegistry } from './metrics-registry';

/** The Swagger security scheme of /metrics: METRICS_TOKEN, not a user's JWT. */
export const METRICS_SECURITY = 'metrics-token';

/** GET /metrics on the API port (outside /api, where Prometheus looks by default). */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly registry: MetricsRegistry,
    private readonly access: MetricsAccess,
  ) {}

  @Get()
  // No user's JWT: the route checks METRICS_TOKEN itself.
  @Public()
  @ApiBearerAuth(METRICS_SECURITY)
  @ApiOperation({
    summary: 'Prometheus metrics: AMI connections, events, lag, active calls, writes, sockets, HTTP latency',
    description:
      'Prometheus text format. Public unless METRICS_TOKEN is set (then send it as a bearer token). Served here when METRICS_PORT ' +
      'is unset and either METRICS_TOKEN is set or NODE_ENV is not production; otherwise 404 (see docs/deployment.md, "Metrics"). ' +
      'Labels carry PBX ids, route templates and states, never a call, a number or a user.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics, Prometheus text format 0.0.4', schema: { type: 'string' } })
  @ApiResponse({ status: 401, description: 'METRICS_TOKEN is set and the request does not carry it (UNAUTHORIZED)', type: ErrorResponseDto })
  @ApiResponse({ status: 404, description: 'Metrics are not served on this port (METRICS_PORT, or production without METRICS_TOKEN)', type: ErrorResponseDto })
  async metrics(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) response: Response): Promise<string> {
    if (!this.access.onApiPort) throw new DomainError('NOT_FOUND', HttpStatus.NOT_FOUND, 'Metrics are not served on this port');
    this.access.check(authorization);
    response.type(this.registry.contentType);
    return this.registry.metrics();
  }
}
