import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { RecordingStorageKind } from '@app/contracts';
import { AppConfig } from '../../config/app-config';
import { LocalRecordingFiles } from './local-recording-files';
import type { RecordingStore } from './recording-store';
import { S3RecordingStore } from './s3-recording-store';

/** The stores a recording's `storage` names: the recordings folder always, S3 when RECORDINGS_S3_BUCKET is set. */
@Injectable()
export class RecordingStores implements OnApplicationShutdown {
  readonly s3: S3RecordingStore | null;

  constructor(
    config: AppConfig,
    readonly local: LocalRecordingFiles,
  ) {
    this.s3 = config.RECORDINGS_S3_BUCKET ? new S3RecordingStore(config) : null;
  }

  /** The store of a recording, or null when it is in S3 and S3 is no longer configured. */
  of(kind: RecordingStorageKind): RecordingStore | null {
    return kind === 'local' ? this.local : this.s3;
  }

  onApplicationShutdown(): void {
    this.s3?.close();
  }
}
