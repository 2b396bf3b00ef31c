import { Module } from '@nestjs/common';
import { RecordingsModule } from '../recordings';
import { CallsController } from './calls.controller';
import { CallsHistoryService } from './history/calls-history.service';

/** The calls REST API: history, CSV, live calls, one call with its timeline and recordings. */
@Module({
  imports: [RecordingsModule],
  controllers: [CallsController],
  providers: [CallsHistoryService],
  exports: [CallsHistoryService],
})
export class CallsModule {}
