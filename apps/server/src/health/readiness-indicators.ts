import { Injectable } from '@nestjs/common';
import type { HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * The readiness checks this process runs for /api/ready, beyond the database and Redis that
 * every process needs: a context that owns a dependency adds its check here (the AMI ingest:
 * each PBX's login and the write queue), so the health context needs to know none of them.
 */
@Injectable()
export class ReadinessIndicators {
  private readonly indicators: HealthIndicatorFunction[] = [];

  add(...indicators: HealthIndicatorFunction[]): void {
    this.indicators.push(...indicators);
  }

  list(): readonly HealthIndicatorFunction[] {
    return this.indicators;
  }
}
