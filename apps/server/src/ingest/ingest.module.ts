import { Module } from '@nestjs/common';
import { CallsPipelineModule } from '../calls/calls-pipeline.module';
import { AmiIngestService } from './ami-ingest.service';

/** AMI ingest (roles all and asterisk): every configured PBX's events into the calls pipeline. */
@Module({
  imports: [CallsPipelineModule],
  providers: [AmiIngestService],
  exports: [AmiIngestService],
})
export class IngestModule {}
