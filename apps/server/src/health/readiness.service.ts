import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { AppConfig, type AppRole } from '../config/app-config';
import { DependencyIndicators } from './dependency-indicators';
import { ReadinessIndicators } from './readiness-indicators';

/** `ok`: all up; `degraded`: up, with something to say (HTTP 200); `error`: a check is down; `shutting_down`: the process is stopping. */
export type ReadinessStatus = HealthCheckResult['status'];

export interface ProcessMode {
  /** TEST_MODE: calls are tracked but not stored. */
  testMode: boolean;
  role: AppRole;
}

export interface ReadinessReport {
  /** Whether this process should receive work (HTTP 200 on /api/ready) or not (503). */
  ready: boolean;
  status: ReadinessStatus;
  /** Every check by name (`database`, `redis`, `ami:<pbx>`, `writeQueue`, `ingest`), each with its `status`. */
  checks: HealthIndicatorResult;
  mode: ProcessMode;
}

export interface LivenessReport {
  status: 'ok';
  mode: ProcessMode;
  uptimeSeconds: number;
}

/**
 * Liveness and readiness of this process (docs/deployment.md, "Health and readiness").
 *
 * Liveness asks nothing of the dependencies: a process whose database or PBX is away is alive
 * and must not be restarted for it (an ingest restarted with events still queued for the
 * database would lose them). Readiness runs every check at once, each bounded by its timeout,
 * and is computed on every request, so it turns not-ready as soon as a check fails. Changes
 * of readiness are logged once each, not on every probe.
 */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger('Readiness');
  private lastProblems: string | null = null;

  constructor(
    private readonly health: HealthCheckService,
    private readonly dependencies: DependencyIndicators,
    private readonly indicators: ReadinessIndicators,
    private readonly config: AppConfig,
  ) {}

  liveness(): LivenessReport {
    return { status: 'ok', mode: this.mode(), uptimeSeconds: Math.round(process.uptime()) };
  }

  async readiness(): Promise<ReadinessReport> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([...this.dependencies.list(), ...this.indicators.list()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    const report: ReadinessReport = { ready: result.status === 'ok' || result.status === 'degraded', status: result.status, checks: result.details, mode: this.mode() };
    this.logChange(report);
    return report;
  }

  private mode(): ProcessMode {
    return { testMode: this.config.TEST_MODE, role: this.config.APP_ROLE };
  }

  private logChange(report: ReadinessReport): void {
    const problems = problemsOf(report);
    if (problems === (this.lastProblems ?? '')) return;
    const first = this.lastProblems === null;
    this.lastProblems = problems;
    if (problems === '' && !first) this.logger.log('ready: every check passes');
    else if (problems !== '') this.logger.warn(`${report.ready ? 'ready, degraded' : 'not ready'}: ${problems}`);
  }
}

/** "name (status: message), ..." of the checks that are not up. */
export function problemsOf(report: Pick<ReadinessReport, 'checks'>): string {
  return Object.entries(report.checks)
    .filter(([, check]) => check.status !== 'up')
    .map(([name, check]) => `${name} (${check.status}${typeof check.message === 'string' ? `: ${check.message}` : ''})`)
    .join(', ');
}
