import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '../metrics';
import { RealtimeHub } from './realtime-hub';

/** Socket.IO clients of this instance, as a Prometheus gauge read at scrape time. */
@Injectable()
export class RealtimeMetrics {
  constructor(metrics: MetricsRegistry, hub: RealtimeHub) {
    const clients: Gauge = new Gauge({
      name: 'crm_realtime_clients',
      help: 'Socket.IO connections (browsers) on this instance',
      registers: [metrics.registry],
      collect: () => clients.set(hub.localConnectionCount()),
    });
  }
}
