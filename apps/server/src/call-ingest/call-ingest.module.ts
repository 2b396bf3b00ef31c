import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { CompaniesModule } from '../companies';
import { RecordingLinkingModule } from '../recordings';
import { UsersModule } from '../users';
import { CallIngestService } from './call-ingest.service';
import { CallDirectoryService } from './directory/call-directory.service';
import { CallStore } from './store/call-store';
import { DryRunCallStore } from './store/dry-run-call-store';
import { PgCallStore } from './store/pg-call-store';
import { WriterLiveness } from './writer-liveness.service';
import { CdrCompletionService } from './cdr/cdr-completion.service';
import { CallsPartitionJob } from './partitions/calls-partition-job.service';
import { CallStatsFlushJob } from './stats-flush/call-stats-flush-job.service';

/**
 * Tracker events in, call rows and timeline steps written, stored steps published on the
 * call-event bus (and their recordings linked). Shared by the AMI ingest (roles all, asterisk)
 * and the test-call simulator (roles all, server); TEST_MODE swaps the store. One elected
 * process of any role keeps the month partitions of `calls`; every process not in TEST_MODE applies
 * the statistics' pending changes once a second.
 */
@Module({
  // Users and companies answer who owns which extension and number (the call directory).
  imports: [UsersModule, CompaniesModule, RecordingLinkingModule],
  providers: [
    CallIngestService,
    CallDirectoryService,
    WriterLiveness,
    CdrCompletionService,
    CallsPartitionJob,
    CallStatsFlushJob,
    {
      provide: CallStore,
      inject: [AppConfig, DataSource],
      useFactory: (config: AppConfig, dataSource: DataSource): CallStore => (config.TEST_MODE ? new DryRunCallStore(dataSource) : new PgCallStore(dataSource)),
    },
  ],
  exports: [CallIngestService, CallDirectoryService, WriterLiveness, CdrCompletionService, CallsPartitionJob, CallStatsFlushJob],
})
export class CallIngestModule {}
