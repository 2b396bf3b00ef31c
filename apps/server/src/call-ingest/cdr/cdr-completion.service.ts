import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CallEventBus } from '../../call-events';
import { AppConfig } from '../../config/app-config';
import { lostEndMessage } from '../lost-end-message';
import { CallStore } from '../store/call-store';
import { CallIngestService } from '../call-ingest.service';
import { callFromCdr, callsInCdr } from './cdr-call';
import { completionFromCdr, type CdrCompletion, type UnobservedCall } from './cdr-completion';
import type { CdrRecord, CdrSource } from './cdr-record';
import { CsvCdrSource } from './csv-cdr-source';
import { PgCdrSource } from './pg-cdr-source';

/** How often the calls still unobserved are looked up again (a CDR row is written at the call's end, maybe later). */
const POLL_MS = 5000;
const BATCH = 500;
/** A gap is looked at again for this long after it closed (a backend may write its rows late). */
const GAP_RESCAN_MS = 60_000;
/** CDR times are whole seconds: a call that started in the gap's first second counts. */
const CDR_TIME_SLACK_MS = 1000;

interface Gap {
  from: number;
  to: number;
  until: number;
}

interface Watched {
  source: CdrSource;
  timer: NodeJS.Timeout;
  running: Promise<number> | null;
  gaps: Gap[];
}

/**
 * Completes the calls whose end the ingest did not see (`end_source = 'unobserved'`: they ended
 * while no ingest listened) from Asterisk's own CDR, for the PBXs that have one configured
 * (ASTERISK_CDR_DB_URL / ASTERISK_CDR_CSV): end, answer, status and talk as the CDR has them,
 * the end marked `cdr`. Looked up after every channel listing and then every few seconds, since
 * a CDR row appears only once its call has ended.
 *
 * Calls that started and ended while no ingest listened at all (a cut link, a restart) are
 * only in the CDR: the records that started in such a gap and belong to no stored call become
 * calls of their own, ended `cdr`, through the same write path as the tracker's.
 */
@Injectable()
export class CdrCompletionService implements OnApplicationShutdown {
  private readonly logger = new Logger('CdrCompletion');
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly config: AppConfig,
    private readonly store: CallStore,
    private readonly bus: CallEventBus,
    private readonly ingest: CallIngestService,
  ) {}

  /** Starts completing the PBX's unobserved calls, if it has a CDR source. */
  watch(pbxId: string): void {
    const settings = this.config.cdrSourceOf(pbxId);
    if (!settings || this.watched.has(pbxId)) return;
    const source = settings.dbUrl ? new PgCdrSource(settings.dbUrl, settings.table, settings.timeZone) : new CsvCdrSource(settings.csvPath!, settings.timeZone);
    const timer = setInterval(() => void this.complete(pbxId), POLL_MS);
    timer.unref();
    this.watched.set(pbxId, { source, timer, running: null, gaps: [] });
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

  /**
   * Nobody listened to the PBX from `from` to `to` (ms): its calls that started and ended then
   * are taken from the CDR now and for a minute more. Resolves with the calls completed or added.
   */
  recoverGap(pbxId: string, from: number, to: number): Promise<number> {
    const watched = this.watched.get(pbxId);
    if (!watched) return Promise.resolve(0);
    if (to > from) watched.gaps.push({ from, to, until: Date.now() + GAP_RESCAN_MS });
    return this.afterRunning(pbxId, watched);
  }

  /** One pass now (one at a time per PBX); resolves with the calls completed. Never throws. */
  complete(pbxId: string): Promise<number> {
    const watched = this.watched.get(pbxId);
    if (!watched) return Promise.resolve(0);
    watched.running ??= this.pass(pbxId, watched.source).finally(() => (watched.running = null));
    return watched.running;
  }

  /** A pass that starts after the one running, if any (it may have read the gap list already). */
  private async afterRunning(pbxId: string, watched: Watched): Promise<number> {
    await watched.running;
    return this.complete(pbxId);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.watched.keys()].map((pbxId) => this.unwatch(pbxId)));
  }

  private async addGapCalls(pbxId: string, source: CdrSource): Promise<number> {
    const watched = this.watched.get(pbxId);
    if (!watched) return 0;
    const now = Date.now();
    watched.gaps = watched.gaps.filter((g) => g.until > now);
    let added = 0;
    for (const gap of watched.gaps) {
      const calls = callsInCdr(await source.recordsStartedBetween(gap.from - CDR_TIME_SLACK_MS, gap.to));
      if (calls.size === 0) continue;
      // What the tracker has written (calls picked up from the listing) is known first.
      await this.ingest.drain();
      const known = await this.ingest.knownLinkedids(pbxId, [...calls.keys()]);
      for (const [linkedid, records] of calls) {
        if (known.has(linkedid)) continue;
        this.ingest.handleFromCdr(callFromCdr(pbxId, linkedid, records));
        added++;
      }
    }
    if (added > 0) {
      await this.ingest.drain();
      this.logger.warn(`${pbxId}: ${added} call(s) that started and ended while nobody listened taken from ${source.description}`);
    }
    return added;
  }

  /** The CDR's completion of one call; for a call picked up without its caller, also who called (CallIngestService.identityFromCdr). */
  private completion(pbxId: string, call: UnobservedCall, records: readonly CdrRecord[]): CdrCompletion | null {
    const completion = completionFromCdr(call, records);
    if (completion === null || !call.callerUnseen) return completion;
    const mine = records.filter((r) => r.uniqueid === call.linkedid || r.linkedid === call.linkedid);
    return { ...completion, identity: this.ingest.identityFromCdr(callFromCdr(pbxId, call.linkedid, mine)) };
  }

  private async pass(pbxId: string, source: CdrSource): Promise<number> {
    try {
      const added = await this.addGapCalls(pbxId, source);
      const pending = await this.store.unobservedCalls(pbxId, BATCH);
      if (pending.length === 0) return added;
      const records = await source.recordsOf(pending.map((c) => c.linkedid));
      const completions = pending.map((c) => this.completion(pbxId, c, records)).filter((c) => c !== null);
      const completed = await this.store.completeFromCdr(completions);
      for (const call of completed) this.bus.publish(lostEndMessage(call, call.endedAt!, this.store.dryRun));
      if (completed.length > 0) this.logger.log(`${pbxId}: ${completed.length} call(s) completed from ${source.description}`);
      return added + completed.length;
    } catch (error) {
      this.logger.warn(`${pbxId}: reading ${source.description} failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
