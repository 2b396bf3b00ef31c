import { Module } from '@nestjs/common';
import { CallIngestModule } from '../call-ingest.module';
import { PhoneStatePublisher } from '../phone-states/phone-state-publisher';
import { AmiIngestService } from './ami-ingest.service';
import { IngestHealth } from './ingest-health';
import { IngestMetrics } from './ingest-metrics';

/** AMI ingest (roles all and asterisk): every configured PBX's events into the calls pipeline, its phones' states onto the phone-state bus, its state into readiness and metrics. */
@Module({
  imports: [CallIngestModule],
  providers: [AmiIngestService, PhoneStatePublisher, IngestHealth, IngestMetrics],
  exports: [AmiIngestService],
})
export class AmiIngestModule {}
