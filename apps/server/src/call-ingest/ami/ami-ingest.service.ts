import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AmiServerConfig } from '@app/ami';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AdvisoryLocks, pgClientConfig } from '../../database';
import { CallIngestService } from '../call-ingest.service';
import { CdrCompletionService } from '../cdr/cdr-completion.service';
import { PhoneStatePublisher } from '../phone-states/phone-state-publisher';
import { IngestMetrics } from './ingest-metrics';
import { PbxIngest, type PbxIngestOptions, type PbxIngestState } from './pbx-ingest';

/** Namespace of the advisory locks that elect one ingest per PBX (the lock's first int4 is its hash). */
export const INGEST_LOCK_NAMESPACE = 'crm-call-ingest';
/** The longest time without an ingest whose calls are taken from the CDR at a login. */
const MAX_RECOVERED_GAP_MS = 24 * 3600_000;

export interface PbxIngestStatus {
  pbxId: string;
  state: PbxIngestState;
  amiState: string | null;
  /** The write queue is full: the PBX's socket is not read meanwhile. */
  readingPaused: boolean;
  /** Calls in progress on the PBX, as its tracker follows them. */
  activeCalls: number;
}

/**
 * Runs one {@link PbxIngest} per configured PBX (`ASTERISK_SERVERS`, or `ASTERISK_HOST`),
 * all feeding the calls pipeline. Outside TEST_MODE each PBX is written by one process only,
 * elected with a PostgreSQL advisory lock; TEST_MODE writes nothing and needs no election.
 */
@Injectable()
export class AmiIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AmiIngest');
  private readonly pbxs = new Map<string, PbxIngest>();
  private readonly lock: AdvisoryLocks | null;
  private readonly addedListeners = new Set<(pbx: PbxIngest) => void>();

  constructor(
    private readonly config: AppConfig,
    private readonly calls: CallIngestService,
    private readonly phoneStates: PhoneStatePublisher,
    private readonly cdr: CdrCompletionService,
    private readonly metrics: IngestMetrics,
    dataSource: DataSource,
  ) {
    metrics.watch(() => this.status());
    this.lock = config.TEST_MODE ? null : new AdvisoryLocks(pgClientConfig(dataSource, 'crm-call-ingest'), INGEST_LOCK_NAMESPACE);
    calls.onPressure((full) => {
      for (const pbx of this.pbxs.values()) pbx.pauseReading(full);
    });
    this.lock?.onLost(() => {
      this.logger.warn('the ingest lock connection dropped');
      for (const pbx of this.pbxs.values()) void pbx.lockLost();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const servers = this.config.asteriskServers;
    if (servers.length === 0) this.logger.log('no Asterisk server configured (ASTERISK_HOST / ASTERISK_SERVERS)');
    for (const server of servers) await this.add(server);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pbxs.values()].map((pbx) => pbx.stop()));
    this.pbxs.clear();
    await this.lock?.close();
  }

  /** Starts ingesting one more PBX (the in-process demo simulator registers itself here). */
  async add(server: AmiServerConfig, overrides: Pick<PbxIngestOptions, 'connection' | 'standbyRetryMs'> = {}): Promise<PbxIngest> {
    if (this.pbxs.has(server.id)) throw new Error(`PBX ${server.id} is already ingested`);
    const pbx = new PbxIngest({
      ...overrides,
      server,
      lock: this.lock,
      sink: (event) => this.calls.handle(event),
      tracker: { monitorDir: this.config.monitorDirOf(server.id) },
      phoneStates: (report) => this.phoneStates.report(server.id, report),
      lostCalls: {
        mark: () => this.calls.lostCallsMark(),
        lastHeard: (pbxId) => this.calls.lastEventAt(pbxId),
        storedRecordings: (pbxId) => this.calls.openCallRecordings(pbxId),
        // The calls just ended unobserved, and those that started and ended while nobody
        // listened, may already be in Asterisk's CDR.
        close: async (pbxId, live, mark, since) => {
          await this.calls.closeLost(pbxId, live, mark);
          const to = Date.parse(mark);
          const from = since ?? to;
          await this.cdr.recoverGap(pbxId, Math.max(from, to - MAX_RECOVERED_GAP_MS), to);
        },
      },
      logger: new Logger(`AMI ${server.id}`),
      observer: this.metrics.observerFor(server.id),
    });
    this.pbxs.set(server.id, pbx);
    this.cdr.watch(server.id);
    pbx.pauseReading(this.calls.isFull);
    for (const listener of this.addedListeners) listener(pbx);
    await pbx.start();
    return pbx;
  }

  /** Told of every PBX added from now on, before it starts (its state changes say when it is ingested). */
  onAdded(listener: (pbx: PbxIngest) => void): () => void {
    this.addedListeners.add(listener);
    return () => this.addedListeners.delete(listener);
  }

  /** The PBXs added so far. */
  all(): PbxIngest[] {
    return [...this.pbxs.values()];
  }

  async remove(pbxId: string): Promise<void> {
    const pbx = this.pbxs.get(pbxId);
    this.pbxs.delete(pbxId);
    await pbx?.stop();
    await this.cdr.unwatch(pbxId);
  }

  status(): PbxIngestStatus[] {
    return [...this.pbxs.values()].map((pbx) => ({
      pbxId: pbx.pbxId,
      state: pbx.state,
      amiState: pbx.ami?.state ?? null,
      readingPaused: pbx.ami?.isPaused ?? false,
      activeCalls: pbx.trackerStats.calls,
    }));
  }
}
