import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpStatus, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { describeError, errorPayload } from '../common/errors/api-exception.filter';
import { closeListener, listenOn } from '../common/http/side-listener';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { notReadyError, ReadinessService } from '../health';
import { MetricsAccess } from './metrics-access';
import { MetricsRegistry } from './metrics-registry';

/**
 * METRICS_PORT: a small internal HTTP listener with `GET /metrics`, `/api/health` and `/api/ready`,
 * answering as the API port does (the same bodies and error shape). It is the only HTTP port of
 * APP_ROLE=asterisk, which has no API, so its container can be probed and scraped; the other roles
 * get it too, to keep metrics off a public API port. It listens on every interface: publish it
 * to the scraper's network only.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: MetricsRegistry,
    private readonly access: MetricsAccess,
    private readonly readiness: ReadinessService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.METRICS_PORT;
    if (port === undefined) return;
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.logger.error(`${request.url}: ${(error as Error).message}`);
        send(response, request, describeError(error));
      });
    });
    await listenOn(server, port);
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await closeListener(server);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(response, request, describeError(new DomainError('METHOD_NOT_ALLOWED', HttpStatus.METHOD_NOT_ALLOWED, 'Only GET is served here')));
    }
    if (path === '/metrics') {
      this.access.check(request.headers.authorization);
      response.writeHead(200, { 'content-type': this.registry.contentType }).end(await this.registry.metrics());
      return;
    }
    if (path === '/api/health') return json(response, 200, this.readiness.liveness());
    if (path === '/api/ready') {
      const report = await this.readiness.readiness();
      if (!report.ready) return send(response, request, describeError(notReadyError(report)));
      return json(response, 200, { status: report.status, checks: report.checks, mode: report.mode });
    }
    send(response, request, describeError(new DomainError('NOT_FOUND', HttpStatus.NOT_FOUND, `${path} is not served here: /metrics, /api/health, /api/ready`)));
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function send(response: ServerResponse, request: IncomingMessage, error: ReturnType<typeof describeError>): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  json(response, error.status, errorPayload(error, request.url ?? '/'));
}
