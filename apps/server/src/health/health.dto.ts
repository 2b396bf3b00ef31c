import { ApiProperty } from '@nestjs/swagger';
import { APP_ROLES, type AppRole } from '../config/app-config';

export class ProcessModeDto {
  @ApiProperty({ description: 'TEST_MODE: calls are tracked but not stored', example: false })
  testMode: boolean;

  @ApiProperty({ enum: APP_ROLES, example: 'all' })
  role: AppRole;
}

export class LivenessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';

  @ApiProperty({ type: ProcessModeDto })
  mode: ProcessModeDto;

  @ApiProperty({ description: 'Seconds since the process started', example: 3600 })
  uptimeSeconds: number;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'degraded'], description: 'degraded: ready, but a check has something to report (e.g. no ingest process follows a PBX)', example: 'ok' })
  status: 'ok' | 'degraded';

  @ApiProperty({
    description:
      'Every check by name, each with its status (up, degraded, down) and details: database, redis (when configured), ' +
      'ami:<pbx id> and writeQueue in a process that runs the ingest, ingest (what the ingest processes report) in APP_ROLE=server',
    example: {
      database: { status: 'up', responseTime: 1 },
      redis: { status: 'up', responseTime: 0 },
      'ami:main': { status: 'up', state: 'ingesting', amiState: 'ready', readingPaused: false },
      writeQueue: { status: 'up', pending: 0, capacity: 50000, full: false },
    },
  })
  checks: Record<string, unknown>;

  @ApiProperty({ type: ProcessModeDto })
  mode: ProcessModeDto;
}
