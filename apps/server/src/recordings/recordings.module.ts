import { Module } from '@nestjs/common';
import { AuthModule } from '../auth';
import { RecordingsController } from './recordings.controller';
import { PlaybackAudit } from './streaming/playback-audit';
import { RecordingPlaybackService } from './streaming/recording-playback.service';
import { RecordingStores } from './storage/recording-stores';
import { AudioProbe } from './files/audio-probe';
import { MediaTools } from './files/media-tools';
import { OpusCompressor } from './jobs/opus-compressor';
import { RecordingsJobService } from './jobs/recordings-job.service';
import { RecordingsMetrics } from './jobs/recordings-metrics';
import { RecordingReadinessService } from './readiness/recording-readiness.service';
import { RecordingLinkerService } from './recording-linker.service';
import { RecordingsService } from './recordings.service';
import { LocalRecordingFiles } from './storage/local-recording-files';

/** The files and the tools to read them, one instance per process for every recordings module. */
@Module({
  providers: [LocalRecordingFiles, RecordingStores, MediaTools, AudioProbe, RecordingsMetrics],
  exports: [LocalRecordingFiles, RecordingStores, MediaTools, AudioProbe, RecordingsMetrics],
})
export class RecordingFilesModule {}

/** The recordings API: lists, streaming with Range, signed URLs (every role with the HTTP API). */
@Module({
  imports: [RecordingFilesModule, AuthModule],
  controllers: [RecordingsController],
  providers: [RecordingsService, RecordingPlaybackService, PlaybackAudit],
  exports: [RecordingsService],
})
export class RecordingsModule {}

/**
 * Where the calls are written: links recordings to their calls, waits for their files, and runs
 * the background job (retention, compression, upload; one elected process does it).
 */
@Module({
  imports: [RecordingFilesModule],
  providers: [RecordingLinkerService, RecordingReadinessService, OpusCompressor, RecordingsJobService],
  exports: [RecordingLinkerService, RecordingReadinessService, RecordingsJobService],
})
export class RecordingLinkingModule {}
