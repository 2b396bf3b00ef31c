import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/auth';
import { DomainError } from '../common/errors/domain-error';
import { ApiErrorResponses } from '../common/swagger/api-error-responses';
import { APP_ROLES, AppConfig, type AppRole } from '../config/app-config';

class HealthModeDto {
  @ApiProperty({ description: 'TEST_MODE: calls are tracked but not stored', example: false })
  testMode: boolean;

  @ApiProperty({ enum: APP_ROLES, example: 'all' })
  role: AppRole;
}

class HealthDto {
  @ApiProperty({ example: 'ok' })
  status: string;

  @ApiProperty({ example: { database: { status: 'up' } } })
  checks: Record<string, unknown>;

  @ApiProperty({ type: HealthModeDto })
  mode: HealthModeDto;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database reachability, with the process mode' })
  @ApiResponse({ status: 200, type: HealthDto })
  @ApiErrorResponses(503)
  async check(): Promise<HealthDto> {
    try {
      const result = await this.health.check([() => this.database.pingCheck('database', { timeout: 3000 })]);
      return { status: result.status, checks: result.details, mode: this.mode() };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as { details?: Record<string, unknown> };
      throw new DomainError('SERVICE_UNHEALTHY', HttpStatus.SERVICE_UNAVAILABLE, 'A dependency is down', {
        checks: result.details,
        mode: this.mode(),
      });
    }
  }

  private mode(): HealthModeDto {
    return { testMode: this.config.TEST_MODE, role: this.config.APP_ROLE };
  }
}
