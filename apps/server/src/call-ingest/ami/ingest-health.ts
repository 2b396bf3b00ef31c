import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { INGEST_STATUS_INTERVAL_MS, IngestStatusBoard, type IngestProcessStatus } from '../../call-events';
import { AppConfig } from '../../config/app-config';
import { ReadinessIndicators } from '../../health';
import { CallIngestService } from '../call-ingest.service';
import { AmiIngestService } from './ami-ingest.service';

/**
 * The ingest's part of readiness, in the processes that run it (roles all and asterisk):
 *
 * - `ami:<pbx>` per PBX: ready while this process is logged in to it, or stands by while another
 *   process ingests it; down while its AMI connection is being re-established (a cut link or a
 *   stopped Asterisk shows at once; a silent peer once the keepalive gives up on it).
 * - `writeQueue`: down while the queue is at INGEST_MAX_QUEUED_EVENTS and the PBXs are not read.
 *
 * The same status goes to the {@link IngestStatusBoard} every second, so that processes without
 * the ingest (APP_ROLE=server) can report it too.
 */
@Injectable()
export class IngestHealth implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ami: AmiIngestService,
    private readonly calls: CallIngestService,
    private readonly indicators: ReadinessIndicators,
    private readonly indicator: HealthIndicatorService,
    private readonly board: IngestStatusBoard,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.indicators.add(
      () => this.amiCheck(),
      () => this.queueCheck(),
    );
  }

  onApplicationBootstrap(): void {
    this.board.report(this.status());
    this.timer = setInterval(() => this.board.report(this.status()), INGEST_STATUS_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Expires by itself anyway: a failure here (Redis away) costs a few seconds of a stale report.
    await this.board.withdraw(this.calls.writerId).catch(() => undefined);
  }

  status(): IngestProcessStatus {
    return { process: this.calls.writerId, at: new Date().toISOString(), pbxs: this.ami.status(), writeQueue: this.writeQueue() };
  }

  private amiCheck(): HealthIndicatorResult {
    const result: HealthIndicatorResult = {};
    for (const { pbxId, state, amiState, readingPaused } of this.ami.status()) {
      const data = { state, amiState, readingPaused };
      const session = this.indicator.check(`ami:${pbxId}`);
      if (state === 'standby') Object.assign(result, session.up({ ...data, message: 'standby: another process ingests this PBX' }));
      else if (state === 'ingesting' && amiState === 'ready') Object.assign(result, session.up(data));
      else Object.assign(result, session.down({ ...data, message: state === 'stopped' ? 'stopped' : `not logged in (${amiState ?? 'no connection'})` }));
    }
    return result;
  }

  private queueCheck(): HealthIndicatorResult {
    const queue = this.writeQueue();
    const session = this.indicator.check('writeQueue');
    return queue.full ? session.down({ ...queue, message: 'full: the PBXs are not read until half of it is written' }) : session.up(queue);
  }

  private writeQueue(): IngestProcessStatus['writeQueue'] {
    return { pending: this.calls.stats.pending, capacity: this.config.INGEST_MAX_QUEUED_EVENTS, full: this.calls.isFull };
  }
}
