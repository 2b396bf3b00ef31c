import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AdvisoryLocks, pgClientConfig } from '../../database';

/** Namespace of the advisory lock that elects the one process keeping the partitions. */
const PARTITION_JOB_LOCK = 'crm-calls-partitions';
const INTERVAL_MS = 60 * 60_000;
/** Months created after the current one, so a month never starts without its partition. */
export const MONTHS_AHEAD = 3;

export interface CallsPartitionRun {
  /** Months (`YYYY-MM`) whose partition was created. */
  created: string[];
  /** Months archived into `calls_archive` (or whose archiving, cut short before, was finished). */
  archived: string[];
}

/**
 * Keeps the month partitions of `calls` (ADR 0009), in one process elected by an advisory lock,
 * at start and every hour: creates the current month and the MONTHS_AHEAD next ones (calls of a
 * month without its partition wait in `calls_default` and move in when it is created) and, with
 * CALLS_RETENTION_MONTHS, archives the months before the retention window: each is detached
 * into the schema `calls_archive` with its timeline and recordings rows (crm_calls_archive_month;
 * docs/database.md says how to dump and restore them). TEST_MODE writes nothing, so never.
 */
@Injectable()
export class CallsPartitionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CallsPartitions');
  private readonly lock: AdvisoryLocks;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CallsPartitionRun> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    this.lock = new AdvisoryLocks(pgClientConfig(dataSource, PARTITION_JOB_LOCK), PARTITION_JOB_LOCK);
  }

  onApplicationBootstrap(): void {
    if (this.config.TEST_MODE) return;
    this.timer = setInterval(() => void this.tick(), INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.lock.close();
  }

  /** One pass when this process is (or becomes) the elected one. */
  async tick(): Promise<CallsPartitionRun | null> {
    if (this.stopped) return null;
    try {
      if (!(await this.lock.tryAcquire('maintenance'))) return null;
      return await this.runOnce();
    } catch (error) {
      this.logger.warn(`calls partition maintenance failed, retried within the hour: ${(error as Error).message}`);
      return null;
    }
  }

  /** One pass as of `now` (runs never overlap). Public for tests. */
  runOnce(now = new Date()): Promise<CallsPartitionRun> {
    this.running ??= this.pass(now).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(now: Date): Promise<CallsPartitionRun> {
    const run: CallsPartitionRun = { created: [], archived: [] };
    for (let ahead = 0; ahead <= MONTHS_AHEAD; ahead++) {
      const month = monthStart(now, ahead);
      const [{ created }] = await this.dataSource.query<Array<{ created: boolean }>>(`SELECT crm_calls_add_partition($1::date) AS created`, [month]);
      if (created) run.created.push(month.slice(0, 7));
    }
    const months = this.config.CALLS_RETENTION_MONTHS;
    if (months > 0) {
      for (const month of await this.monthsToArchive(monthStart(now, -months))) {
        // A procedure that commits as it goes: never inside a transaction, and one month at a time.
        await this.dataSource.query(`CALL crm_calls_archive_month($1::date)`, [month]);
        run.archived.push(month.slice(0, 7));
      }
    }
    if (run.created.length) this.logger.log(`created the calls partitions of ${run.created.join(', ')}`);
    if (run.archived.length) this.logger.log(`archived the calls of ${run.archived.join(', ')} into calls_archive (CALLS_RETENTION_MONTHS=${months})`);
    return run;
  }

  /**
   * Months before `cutoff` still attached to `calls`, and months whose archiving was cut short
   * (the detached table is in calls_archive, its timeline not yet).
   */
  private async monthsToArchive(cutoff: string): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ month: string }>>(
      `SELECT to_char(to_date(substr(c.relname, 8), 'YYYY_MM'), 'YYYY-MM-DD') AS month
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'calls'::regclass AND c.relname ~ '^calls_p[0-9]{4}_[0-9]{2}$'
       UNION
       SELECT to_char(to_date(substr(t.tablename, 7), 'YYYY_MM'), 'YYYY-MM-DD')
       FROM pg_tables t
       WHERE t.schemaname = 'calls_archive' AND t.tablename ~ '^calls_[0-9]{4}_[0-9]{2}$'
         AND to_regclass('calls_archive.call_events_' || substr(t.tablename, 7)) IS NULL
       ORDER BY 1`,
    );
    return rows.map((r) => r.month).filter((month) => month < cutoff);
  }
}

/** The first day (`YYYY-MM-DD`, UTC) of the month `offset` months from `now`'s. */
export function monthStart(now: Date, offset: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}
