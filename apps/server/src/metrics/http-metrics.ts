import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * HTTP latency by route on the API port: the route's template (`/api/calls/:id`), never the URL
 * itself, so ids, numbers and query strings never become labels. A request no route matched
 * (an unknown path, a static file of the web UI) is `route="unmatched"` (404) or `"other"`.
 */
@Injectable()
export class HttpMetrics {
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(metrics: MetricsRegistry) {
    this.duration = new Histogram({
      name: 'crm_http_request_duration_seconds',
      help: 'HTTP requests of the API port by method, route template and status, until the response is sent',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
  }

  /** Express middleware timing every request from its arrival to the last byte of its response. */
  middleware(): (request: Request, response: Response, next: NextFunction) => void {
    return (request, response, next) => {
      const end = this.duration.startTimer();
      response.once('finish', () => end({ method: METHODS.has(request.method) ? request.method : 'OTHER', route: routeOf(request, response), status: String(response.statusCode) }));
      next();
    };
  }
}

function routeOf(request: Request, response: Response): string {
  const route = (request as { route?: { path?: unknown } }).route;
  const notFound = response.statusCode === 404;
  // Nest answers unknown paths under the prefix from a catch-all route (`/api*path`).
  if (typeof route?.path === 'string' && !(notFound && route.path.includes('*'))) return `${request.baseUrl}${route.path}`;
  return notFound ? 'unmatched' : 'other';
}
