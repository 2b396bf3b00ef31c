import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth';
import { ErrorResponseDto } from '../common/errors/error-response.dto';
import { LivenessDto, ReadinessDto } from './health.dto';
import { notReadyError } from './not-ready';
import { ReadinessService } from './readiness.service';

/**
 * Liveness and readiness on the API port. Both are public on purpose: load balancers and
 * container probes call them without credentials, and they show states and counts, never
 * secrets, hosts or phone numbers. The ingest role, which has no API port, serves the same two
 * on METRICS_PORT.
 */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('health')
  @Public()
  @ApiOperation({
    summary: 'Liveness: the process runs and answers',
    description: 'Public. Checks no dependency: a process whose database or PBX is away is alive and should not be restarted for it. Use /api/ready to route traffic.',
  })
  @ApiOkResponse({ type: LivenessDto })
  health(): LivenessDto {
    return this.readiness.liveness();
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'Readiness: the database, Redis and, where the ingest runs, each PBX`s AMI login and the write queue',
    description:
      'Public. 200 when this process can do its work, 503 NOT_READY (details: the checks) when a check is down: PostgreSQL or Redis ' +
      'unreachable, a PBX this process ingests not logged in, the write queue full, or the process shutting down. ' +
      'An APP_ROLE=server process also reports what the ingest processes last said (check "ingest"); a PBX nobody follows ' +
      'makes it "degraded", not unready, since the API still serves.',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiResponse({ status: 503, description: 'Not ready (NOT_READY); details.checks says which check is down and why', type: ErrorResponseDto })
  async ready(): Promise<ReadinessDto> {
    const report = await this.readiness.readiness();
    if (!report.ready) throw notReadyError(report);
    return { status: report.status as ReadinessDto['status'], checks: report.checks, mode: report.mode };
  }
}
