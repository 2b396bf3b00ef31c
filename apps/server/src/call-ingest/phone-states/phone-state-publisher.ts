import { Injectable } from '@nestjs/common';
import type { DeviceStateReport } from '@app/ami';
import { PhoneStateBus, phoneStateKey } from '../../call-events';
import { AppConfig } from '../../config/app-config';
import { CallDirectoryService } from '../directory/call-directory.service';

/**
 * The phones' device states from the ingest's AMI stream onto the phone-state bus, with the
 * user owning each extension. Asterisk may report one change twice (`ExtensionStatus` and
 * `DeviceStateChange`) and repeats states after a reconnect: only changes are published.
 */
@Injectable()
export class PhoneStatePublisher {
  private readonly last = new Map<string, string>();

  constructor(
    private readonly bus: PhoneStateBus,
    private readonly directory: CallDirectoryService,
    private readonly config: AppConfig,
  ) {}

  report(pbxId: string, report: DeviceStateReport): void {
    const key = phoneStateKey({ pbxId, extension: report.extension });
    if (this.last.get(key) === report.state) return;
    this.last.set(key, report.state);
    this.bus.publish({
      pbxId,
      extension: report.extension,
      userId: this.directory.userOf(report.extension),
      state: report.state,
      at: new Date(report.at).toISOString(),
      test: this.config.TEST_MODE,
    });
  }
}
