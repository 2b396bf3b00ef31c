import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CallEventBus } from '../../call-events';
import { AppConfig } from '../../config/app-config';
import { lostEndMessage } from '../lost-end-message';
import { CallStore } from '../store/call-store';
import { completionFromCdr } from './cdr-completion';
import type { CdrSource } from './cdr-record';
import { CsvCdrSource } from './csv-cdr-source';
import { PgCdrSource } from './pg-cdr-source';

/** How often the calls still unobserved are looked up again (a CDR row is written at the call's end, maybe later). */
const POLL_MS = 5000;
const BATCH = 500;

interface Watched {
  source: CdrSource;
  timer: NodeJS.Timeout;
  running: Promise<number> | null;
}

/**
 * Completes the calls whose end the ingest did not see (`end_source = 'unobserved'`: they ended
 * while no ingest listened) from Asterisk's own CDR, for the PBXs that have one configured
 * (ASTERISK_CDR_DB_URL / ASTERISK_CDR_CSV): end, answer, status and talk as the CDR has them,
 * the end marked `cdr`. Looked up after every channel listing and then every few seconds, since
 * a CDR row appears only once its call has ended.
 */
@Injectable()
export class CdrCompletionService implements OnApplicationShutdown {
  private readonly logger = new Logger('CdrCompletion');
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly config: AppConfig,
    private readonly store: CallStore,
    private readonly bus: CallEventBus,
  ) {}

  /** Starts completing the PBX's unobserved calls, if it has a CDR source. */
  watch(pbxId: string): void {
    const settings = this.config.cdrSourceOf(pbxId);
    if (!settings || this.watched.has(pbxId)) return;
    const source = settings.dbUrl ? new PgCdrSource(settings.dbUrl, settings.table, settings.timeZone) : new CsvCdrSource(settings.csvPath!, settings.timeZone);
    const timer = setInterval(() => void this.complete(pbxId), POLL_MS);
    timer.unref();
    this.watched.set(pbxId, { source, timer, running: null });
    this.logger.log(`${pbxId}: calls whose end the ingest did not see are completed from ${source.description}`);
  }

  async unwatch(pbxId: string): Promise<void> {
    const watched = this.watched.get(pbxId);
    if (!watched) return;
    this.watched.delete(pbxId);
    clearInterval(watched.timer);
    await watched.running?.catch(() => undefined);
    await watched.source.close();
  }

  /** One pass now (one at a time per PBX); resolves with the calls completed. Never throws. */
  complete(pbxId: string): Promise<number> {
    const watched = this.watched.get(pbxId);
    if (!watched) return Promise.resolve(0);
    watched.running ??= this.pass(pbxId, watched.source).finally(() => (watched.running = null));
    return watched.running;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.watched.keys()].map((pbxId) => this.unwatch(pbxId)));
  }

  private async pass(pbxId: string, source: CdrSource): Promise<number> {
    try {
      const pending = await this.store.unobservedCalls(pbxId, BATCH);
      if (pending.length === 0) return 0;
      const records = await source.recordsOf(pending.map((c) => c.linkedid));
      const completions = pending.map((c) => completionFromCdr(c, records)).filter((c) => c !== null);
      const completed = await this.store.completeFromCdr(completions);
      for (const call of completed) this.bus.publish(lostEndMessage(call, call.endedAt!, this.store.dryRun));
      if (completed.length > 0) this.logger.log(`${pbxId}: ${completed.length} call(s) completed from ${source.description}`);
      return completed.length;
    } catch (error) {
      this.logger.warn(`${pbxId}: reading ${source.description} failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
