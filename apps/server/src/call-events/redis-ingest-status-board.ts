import { Logger } from '@nestjs/common';
import { asIngestProcessStatus, INGEST_STATUS_TTL_MS, IngestStatusBoard, type IngestProcessStatus } from './ingest-status-board';
import type { RedisPubSub } from './redis-pub-sub';

/** The set of reporting processes is forgotten after a day without any report (a deployment gone, a test run's prefix). */
const KEEP_SET_SECONDS = 24 * 3600;

/**
 * Processes apart: each report is a key that expires after the TTL (Redis's clock decides, so
 * the hosts' clocks need not agree), listed in a set; members whose key expired are removed
 * from the set when read.
 */
export class RedisIngestStatusBoard extends IngestStatusBoard {
  private readonly logger = new Logger('IngestStatus');
  private readonly set: string;
  private readonly keyPrefix: string;
  private failing = false;

  constructor(
    private readonly redis: RedisPubSub,
    keyPrefix: string,
    private readonly ttlMs = INGEST_STATUS_TTL_MS,
  ) {
    super();
    this.set = `${keyPrefix}ingest-status`;
    this.keyPrefix = `${keyPrefix}ingest-status:`;
  }

  report(status: IngestProcessStatus): void {
    this.redis.client
      .multi()
      .set(this.keyPrefix + status.process, JSON.stringify(status), 'PX', this.ttlMs)
      .sadd(this.set, status.process)
      .expire(this.set, KEEP_SET_SECONDS)
      .exec()
      .then(
        () => {
          if (this.failing) this.logger.log('ingest status reported to Redis again');
          this.failing = false;
        },
        (error: Error) => {
          if (!this.failing) this.logger.warn(`ingest status not reported to Redis: ${error.message}`);
          this.failing = true;
        },
      );
  }

  async withdraw(process: string): Promise<void> {
    await this.redis.client.multi().del(this.keyPrefix + process).srem(this.set, process).exec();
  }

  async current(): Promise<IngestProcessStatus[]> {
    const processes = await this.redis.client.smembers(this.set);
    if (processes.length === 0) return [];
    const texts = await this.redis.client.mget(processes.map((p) => this.keyPrefix + p));
    const gone = processes.filter((_, i) => texts[i] === null);
    if (gone.length > 0) await this.redis.client.srem(this.set, ...gone);
    return texts.flatMap((text) => {
      if (text === null) return [];
      try {
        const status = asIngestProcessStatus(JSON.parse(text));
        return status ? [status] : [];
      } catch {
        return [];
      }
    });
  }
}
