import { Global, Module } from '@nestjs/common';
import { HttpMetrics } from './http-metrics';
import { MetricsAccess } from './metrics-access';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { MetricsRegistry } from './metrics-registry';

/**
 * Prometheus metrics (every role): the registry contexts add their metrics to, GET /metrics on
 * the API port, and the METRICS_PORT listener. Global so that any context can register metrics.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, MetricsAccess, HttpMetrics, MetricsListener],
  exports: [MetricsRegistry, HttpMetrics],
})
export class MetricsModule {}
