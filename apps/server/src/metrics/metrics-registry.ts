import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { APP_VERSION } from '../common/app-version';
import { AppConfig } from '../config/app-config';

let processRegistry: Registry | null = null;

/**
 * The process's own figures (CPU, memory, event-loop delay, GC, handles): prom-client's default
 * metrics, created once per process however many applications it runs (the tests run several),
 * since each set hooks the runtime for good.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * This application's Prometheus metrics: contexts register theirs in `registry` (or `include` a
 * registry of their own, as the recordings context does), and a scrape serves them all with the
 * process's default metrics. Labels are bounded by design: PBX ids, route templates, states and
 * reasons, never a call, a number or a user.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly contentType: string = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly included: Registry[] = [];

  constructor(config: AppConfig) {
    const info = new Gauge({ name: 'crm_info', help: 'This process: its role and version (always 1)', labelNames: ['role', 'version'], registers: [this.registry] });
    info.set({ role: config.APP_ROLE, version: APP_VERSION }, 1);
  }

  include(registry: Registry): void {
    this.included.push(registry);
  }

  /** Every metric in Prometheus's text format. */
  metrics(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry, ...this.included]).metrics();
  }
}
