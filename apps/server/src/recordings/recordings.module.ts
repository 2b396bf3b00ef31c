import { Module } from '@nestjs/common';
import { RecordingLinkerService } from './recording-linker.service';
import { RecordingsService } from './recordings.service';

/** Read side of the recordings (every role with the HTTP API). */
@Module({ providers: [RecordingsService], exports: [RecordingsService] })
export class RecordingsModule {}

/** Links recordings to their calls where the ingest writes (roles all and asterisk). */
@Module({ providers: [RecordingLinkerService], exports: [RecordingLinkerService] })
export class RecordingLinkingModule {}
