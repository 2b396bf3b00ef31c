import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpStatus, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';

/**
 * Who may scrape /metrics, and where (docs/deployment.md, "Metrics"):
 *
 * - METRICS_PORT set: on that port only (an internal listener; the API port answers 404).
 * - otherwise on the API port, when METRICS_TOKEN is set or outside production; in production
 *   without either, nowhere (404), so an internet-facing API never publishes them by accident.
 * - METRICS_TOKEN set: a scrape must send `Authorization: Bearer <token>` wherever it is served.
 *
 * The metrics hold no secrets and no phone numbers either way; the token keeps call volumes and
 * the deployment's shape to those who run it.
 */
@Injectable()
export class MetricsAccess implements OnApplicationBootstrap {
  private readonly logger = new Logger('Metrics');
  private readonly tokenDigest: Buffer | null;

  constructor(private readonly config: AppConfig) {
    this.tokenDigest = config.METRICS_TOKEN ? digest(config.METRICS_TOKEN) : null;
  }

  /** Whether the API port serves /metrics. */
  get onApiPort(): boolean {
    return this.config.METRICS_PORT === undefined && (this.tokenDigest !== null || !this.config.isProduction) && this.config.APP_ROLE !== 'asterisk';
  }

  onApplicationBootstrap(): void {
    const token = this.tokenDigest ? ', with METRICS_TOKEN' : '';
    if (this.config.METRICS_PORT !== undefined) this.logger.log(`metrics on port ${this.config.METRICS_PORT} at /metrics${token}`);
    else if (this.onApiPort) this.logger.log(`metrics on the API port at /metrics${token}`);
    else if (this.config.APP_ROLE === 'asterisk') this.logger.log('metrics and readiness not served: set METRICS_PORT (this role has no other HTTP port)');
    else this.logger.log('metrics not served: set METRICS_PORT (an internal port) or METRICS_TOKEN (to serve them on the API port)');
  }

  /** Throws 401 unless the request carries the token (when one is configured). */
  check(authorization: string | undefined): void {
    if (!this.tokenDigest) return;
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (match && timingSafeEqual(digest(match[1]), this.tokenDigest)) return;
    throw new DomainError('UNAUTHORIZED', HttpStatus.UNAUTHORIZED, 'Metrics need the METRICS_TOKEN as a bearer token');
  }
}

/** Equal-length inputs for the constant-time comparison. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
