import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AmiIngestService, type PbxIngest } from '../../call-ingest';
import { AppConfig, type CallControlPbxSettings } from '../../config/app-config';
import { CallControlLink } from '../link/call-control-link';
import { PbxController } from './pbx-controller';

/**
 * Call control where the calls are ingested (roles all and asterisk): a {@link PbxController}
 * for each PBX this process ingests, offered through the {@link CallControlLink} for as long as
 * it holds the PBX's ingest lock. A process on standby controls nothing; the one that takes the
 * PBX over starts controlling it (docs/adr/0008-call-control.md).
 */
@Injectable()
export class CallControlExecutor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CallControl');
  private readonly controllers = new Map<string, { controller: PbxController; unserve: () => Promise<void> }>();
  private readonly overrides = new Map<string, Partial<CallControlPbxSettings>>();
  private stopListening: (() => void) | null = null;

  constructor(
    private readonly ingest: AmiIngestService,
    private readonly link: CallControlLink,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.ingest.onAdded((pbx) => this.attach(pbx));
    for (const pbx of this.ingest.all()) this.attach(pbx);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    await Promise.all([...this.controllers.keys()].map((pbxId) => this.release(pbxId)));
  }

  /** Settings of one PBX that its configuration cannot know (the demo's simulator: which channel technology it plays). */
  configure(pbxId: string, settings: Partial<CallControlPbxSettings>): void {
    this.overrides.set(pbxId, settings);
  }

  /** The PBXs this process controls now. */
  get controlled(): string[] {
    return [...this.controllers.keys()];
  }

  private attach(pbx: PbxIngest): void {
    pbx.onStateChange((state) => {
      if (state === 'ingesting') this.take(pbx);
      else void this.release(pbx.pbxId);
    });
    if (pbx.state === 'ingesting') this.take(pbx);
  }

  private take(pbx: PbxIngest): void {
    if (this.controllers.has(pbx.pbxId)) return;
    const controller = new PbxController({
      pbx,
      server: pbx.server,
      settings: { ...this.config.callControlOf(pbx.pbxId), ...this.overrides.get(pbx.pbxId) },
      confirmWithinMs: this.config.callControlConfirmTimeoutMs,
      connection: pbx.connectionOverrides,
      logger: new Logger(`CallControl ${pbx.pbxId}`),
    });
    const unserve = this.link.serve(pbx.pbxId, (command, notify) => controller.run(command, notify));
    this.controllers.set(pbx.pbxId, { controller, unserve });
    this.logger.log(`controlling PBX ${pbx.pbxId} (commands go through a login of its own, Events: off, opened with the first)`);
  }

  private async release(pbxId: string): Promise<void> {
    const entry = this.controllers.get(pbxId);
    if (!entry) return;
    this.controllers.delete(pbxId);
    await entry.unserve();
    await entry.controller.close();
  }
}
