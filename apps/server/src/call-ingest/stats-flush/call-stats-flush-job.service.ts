import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { flushCallStats } from '../../database';

/**
 * Applies the statistics' pending changes every STATS_FLUSH_INTERVAL_MS (migration
 * CallStatsDeferred1795659500000): the write statements only append them, so the rollups cost
 * one statement group a second instead of one per write. GET /api/stats flushes before reading,
 * so this only bounds how much waits; a process stopping leaves the rest to the next flush of
 * any process. Several processes may run it: the one finding a flush under way skips its turn.
 * TEST_MODE writes nothing, so never.
 */
@Injectable()
export class CallStatsFlushJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CallStatsFlush');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number | null> | null = null;
  private failing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.TEST_MODE) return;
    this.timer = setInterval(() => void this.tick(), this.config.STATS_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One flush unless one is still running here; the number of pending rows applied, -1 when another process was flushing, null when it failed. */
  tick(): Promise<number | null> {
    this.running ??= this.flush().finally(() => (this.running = null));
    return this.running;
  }

  private async flush(): Promise<number | null> {
    try {
      const applied = await flushCallStats(this.dataSource, false);
      if (this.failing) this.logger.log('statistics flush works again');
      this.failing = false;
      return applied;
    } catch (error) {
      // Once per outage: the database being away is reported by readiness and the ingest already.
      if (!this.failing) this.logger.warn(`statistics flush failed, retried every ${this.config.STATS_FLUSH_INTERVAL_MS} ms: ${(error as Error).message}`);
      this.failing = true;
      return null;
    }
  }
}
