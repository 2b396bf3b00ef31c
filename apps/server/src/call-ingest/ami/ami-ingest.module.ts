import { Module } from '@nestjs/common';
import { CallIngestModule } from '../call-ingest.module';
import { AmiIngestService } from './ami-ingest.service';

/** AMI ingest (roles all and asterisk): every configured PBX's events into the calls pipeline. */
@Module({
  imports: [CallIngestModule],
  providers: [AmiIngestService],
  exports: [AmiIngestService],
})
export class AmiIngestModule {}
