import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CALL_DIRECTIONS, TERMINAL_CALL_STATUSES, type CallDirection, type TerminalCallStatus } from '@app/contracts';
import { DataSource } from 'typeorm';
import { toCallListItem } from '../calls';
import type { CallStats } from '@app/contracts';
import { ValidationFailedError } from '../common/errors/domain-error';
import { flushCallStats, PgTimeZones } from '../database';
import { AppConfig } from '../config/app-config';
import { rawStatsFigures } from './raw-stats-query';
import { rollupStatsFigures } from './rollup-stats-query';
import type { StatsFigures, StatsScope } from './stats-figures';
import { planPeriod } from './stats-periods';

export interface StatsRequest extends StatsScope {
  /**
   * Where the figures come from: the rollups (the default; `calls` only for the partial hours
   * at the edges) or `calls` alone, the definition the rollups equal (tests and benchmarks).
   */
  source?: 'rollup' | 'raw';
}

/** Call statistics computed in PostgreSQL: a few aggregate queries over the period, run side by side. */
@Injectable()
export class StatsService implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly timeZones: PgTimeZones,
    private readonly config: AppConfig,
  ) {}

  /** TIME_ZONE (the default of tz) checked against PostgreSQL at start: a zone only Node knows would fail every default request. */
  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.timeZones.knows(this.config.TIME_ZONE))) {
      throw new Error(`TIME_ZONE=${this.config.TIME_ZONE} is not a time zone this PostgreSQL knows (pg_timezone_names); use another name for it, e.g. America/Los_Angeles`);
    }
  }

  async stats(request: StatsRequest): Promise<CallStats> {
    if (!(await this.timeZones.knows(request.timeZone))) {
      throw new ValidationFailedError([{ field: 'tz', messages: [`tz "${request.timeZone}" is not a time zone the database knows`] }]);
    }
    const { outcomes, ring, talk, perUser, perHour, perDay, missed } = await this.figures(request);
    const byStatus = Object.fromEntries(TERMINAL_CALL_STATUSES.map((s) => [s, 0])) as Record<TerminalCallStatus, number>;
    const byDirection = Object.fromEntries(CALL_DIRECTIONS.map((d) => [d, 0])) as Record<CallDirection, number>;
    let calls = 0;
    for (const row of outcomes) {
      calls += row.calls;
      if (row.status in byStatus) byStatus[row.status] += row.calls;
      byDirection[row.direction] += row.calls;
    }
    const hours = new Map(perHour.map((h) => [h.hour, h]));
    return {
      from: request.from.toISOString(),
      to: request.to.toISOString(),
      timeZone: request.timeZone,
      userId: request.userId === undefined ? null : String(request.userId),
      totals: { calls, answered: byStatus.answered, answerRate: calls === 0 ? 0 : byStatus.answered / calls, byStatus, byDirection },
      ringSeconds: ring,
      talkSeconds: talk,
      perUser: perUser.map((u) => ({
        userId: String(u.user_id),
        userName: u.user_name,
        calls: u.calls,
        answered: u.answered,
        unanswered: u.unanswered,
        talkSeconds: u.talk,
        averageTalkSeconds: u.talk_avg,
      })),
      perHour: Array.from({ length: 24 }, (_, hour) => ({ hour, calls: hours.get(hour)?.calls ?? 0, answered: hours.get(hour)?.answered ?? 0 })),
      perDay: perDay.map((d) => ({ day: d.day, calls: d.calls, answered: d.answered })),
      missedNotCalledBack: { count: missed[0]?.total ?? 0, calls: missed.map(toCallListItem) },
    };
  }

  /**
   * The rollups when the period holds a whole UTC hour; `calls` for shorter periods (a few
   * thousand calls at most) and for zones whose offset is no whole number of quarter hours.
   */
  private async figures(request: StatsRequest): Promise<StatsFigures> {
    const scope: StatsScope = { from: request.from, to: request.to, userId: request.userId, timeZone: request.timeZone };
    const plan = request.source === 'raw' ? null : planPeriod(request.from, request.to, request.userId !== undefined);
    // The writes append their changes; the rollups hold them once applied (CallStatsFlushJob, or here:
    // what was committed before this request is counted). TEST_MODE writes nothing, this included.
    if (plan && !this.config.TEST_MODE) await flushCallStats(this.dataSource, true);
    return (plan && (await rollupStatsFigures(this.dataSource, scope, plan))) ?? rawStatsFigures(this.dataSource, scope);
  }
}
