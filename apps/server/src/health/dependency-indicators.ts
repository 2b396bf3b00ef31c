import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, TypeOrmHealthIndicator, type HealthCheckAttempt, type HealthIndicatorFunction, type HealthIndicatorResult } from '@nestjs/terminus';
import { IngestStatusBoard, RedisPubSub, type IngestProcessStatus } from '../call-events';
import { AppConfig } from '../config/app-config';
import { timeLimit } from './time-limit';

/** The longest one check may take: /api/ready answers within it, inside a probe's usual 5 s timeout. */
export const CHECK_TIMEOUT_MS = 2000;

/**
 * The checks every process makes: PostgreSQL (a `SELECT 1` within the timeout), Redis when
 * configured (connected and answering PING), and, in a process that runs no ingest
 * (APP_ROLE=server), what the ingest processes last reported on the status board. That last one
 * never fails readiness: an API instance still serves history and users while nobody follows a
 * PBX, so it is `degraded` (HTTP 200) and says why.
 */
@Injectable()
export class DependencyIndicators {
  constructor(
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly board: IngestStatusBoard,
    private readonly config: AppConfig,
    @Optional() @Inject(RedisPubSub) private readonly redis: RedisPubSub | null,
  ) {}

  list(): HealthIndicatorFunction[] {
    return [
      () => this.database.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
      ...(this.redis ? [() => this.redisCheck(this.redis!)] : []),
      ...(this.config.APP_ROLE === 'server' ? [() => this.ingestReport()] : []),
    ];
  }

  private redisCheck(redis: RedisPubSub): HealthIndicatorResult | HealthCheckAttempt {
    const session = this.indicator.check('redis');
    const state = redis.client.status;
    // A link that is down queues commands instead of failing them: say so at once.
    if (state !== 'ready') return session.down({ message: `not connected (${state})` });
    return session.attempt(() => redis.client.ping().then(() => undefined)).withTimeout(CHECK_TIMEOUT_MS);
  }

  private async ingestReport(): Promise<HealthIndicatorResult> {
    const session = this.indicator.check('ingest');
    let processes: IngestProcessStatus[];
    try {
      processes = await timeLimit(this.board.current(), CHECK_TIMEOUT_MS, 'the ingest status board');
    } catch (error) {
      return session.degraded({ message: `the ingest processes' status cannot be read (${(error as Error).message})` });
    }
    const problems = ingestProblems(processes, this.config.asteriskServers.map((s) => s.id));
    const data = { processes: processes.map(({ process, pbxs, writeQueue }) => ({ process, pbxs, writeQueue })) };
    return problems.length === 0 ? session.up(data) : session.degraded({ message: problems.join('; '), ...data });
  }
}

/** What is wrong with the PBXs as the ingest processes report them (`configured`: the PBX ids this process knows of). */
export function ingestProblems(processes: IngestProcessStatus[], configured: string[]): string[] {
  if (processes.length === 0) return ['no ingest process has reported its status (is APP_ROLE=asterisk running, on the same Redis?)'];
  const problems: string[] = [];
  const ingesting = new Map<string, IngestProcessStatus['pbxs'][number]>();
  for (const { pbxs } of processes) for (const pbx of pbxs) if (pbx.state === 'ingesting') ingesting.set(pbx.pbxId, pbx);
  for (const pbxId of configured) if (!ingesting.has(pbxId)) problems.push(`PBX ${pbxId}: no ingest process follows it`);
  for (const pbx of ingesting.values()) {
    if (pbx.amiState !== 'ready') problems.push(`PBX ${pbx.pbxId}: not logged in to AMI (${pbx.amiState ?? 'no connection'})`);
    if (pbx.readingPaused) problems.push(`PBX ${pbx.pbxId}: not read, the write queue is full`);
  }
  return problems;
}
