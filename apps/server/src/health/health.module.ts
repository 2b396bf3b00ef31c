import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DependencyIndicators } from './dependency-indicators';
import { HealthController } from './health.controller';
import { ReadinessIndicators } from './readiness-indicators';
import { ReadinessService } from './readiness.service';

/**
 * Liveness and readiness (every role: the ingest role serves them on METRICS_PORT). Global so
 * that a context owning a dependency can add its check to {@link ReadinessIndicators}.
 */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessIndicators, ReadinessService, DependencyIndicators],
  exports: [ReadinessIndicators, ReadinessService, TerminusModule],
})
export class HealthModule {}
