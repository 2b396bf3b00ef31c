import { Module } from '@nestjs/common';
import { CallsController } from './calls.controller';
import { CallsPipelineModule } from './calls-pipeline.module';
import { CallsHistoryService } from './history/calls-history.service';
import { CallSimulatorController } from './simulator/call-simulator.controller';
import { CallSimulatorService } from './simulator/call-simulator.service';

/** The calls REST API: history, CSV, live calls, one call's timeline, and the test call. */
@Module({
  imports: [CallsPipelineModule],
  controllers: [CallSimulatorController, CallsController],
  providers: [CallsHistoryService, CallSimulatorService],
  exports: [CallsHistoryService],
})
export class CallsModule {}
