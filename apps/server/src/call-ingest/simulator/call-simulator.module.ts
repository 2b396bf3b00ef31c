import { Module } from '@nestjs/common';
import { CallsModule } from '../../calls';
import { CallIngestModule } from '../call-ingest.module';
import { CallSimulatorController } from './call-simulator.controller';
import { CallSimulatorService } from './call-simulator.service';

/** The specification's "Test call": synthetic calls through the real pipeline (roles all, server). */
@Module({
  imports: [CallIngestModule, CallsModule],
  controllers: [CallSimulatorController],
  providers: [CallSimulatorService],
})
export class CallSimulatorModule {}
