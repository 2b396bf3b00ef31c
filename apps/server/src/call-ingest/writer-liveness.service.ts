import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdvisoryLocks, pgClientConfig } from '../database';

/** Namespace of the advisory locks each live call writer holds on its own `calls.writer` id. */
export const WRITER_LOCK_NAMESPACE = 'crm-call-writer';
const REHOLD_MS = 1000;

/**
 * Tells live call writers from gone ones across processes: each process holds a session
 * advisory lock on its writer id for as long as it lives, so a lock anyone can take belongs
 * to a process that stopped (or lost its database session), whose open calls nobody will end.
 */
@Injectable()
export class WriterLiveness implements OnApplicationShutdown {
  private readonly logger = new Logger(WriterLiveness.name);
  private readonly locks: AdvisoryLocks;
  private own: string | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(dataSource: DataSource) {
    this.locks = new AdvisoryLocks(pgClientConfig(dataSource, 'crm-call-writer'), WRITER_LOCK_NAMESPACE);
    this.locks.onLost(() => {
      this.logger.warn('the writer lock connection dropped; taking the lock again');
      this.scheduleHold();
    });
  }

  /** Holds `writer`'s lock for the life of the process (taken again if its session drops). */
  async hold(writer: string): Promise<void> {
    this.own = writer;
    if (!(await this.locks.tryAcquire(writer))) throw new Error(`writer ${writer} is held by another session`);
  }

  /** The ones among `writers` no live process holds. */
  async gone(writers: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const writer of writers) {
      if (writer === this.own || !(await this.locks.tryAcquire(writer))) continue;
      await this.locks.release(writer);
      out.push(writer);
    }
    return out;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.own = null;
    await this.locks.close();
  }

  private scheduleHold(): void {
    if (this.retry || this.own === null) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.own !== null) this.hold(this.own).catch(() => this.scheduleHold());
    }, REHOLD_MS);
    this.retry.unref();
  }
}
