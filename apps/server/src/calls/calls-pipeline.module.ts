import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { CallIngestService } from './call-ingest.service';
import { CallDirectoryService } from './directory/call-directory.service';
import { CallStore } from './store/call-store';
import { DryRunCallStore } from './store/dry-run-call-store';
import { PgCallStore } from './store/pg-call-store';

/**
 * Tracker events in, call rows and `call.*` Nest events out. Shared by the AMI ingest
 * (role asterisk) and the test-call simulator (role server); TEST_MODE swaps the store.
 */
@Module({
  providers: [
    CallIngestService,
    CallDirectoryService,
    {
      provide: CallStore,
      inject: [AppConfig, DataSource],
      useFactory: (config: AppConfig, dataSource: DataSource): CallStore => (config.TEST_MODE ? new DryRunCallStore(dataSource) : new PgCallStore(dataSource)),
    },
  ],
  exports: [CallIngestService, CallDirectoryService],
})
export class CallsPipelineModule {}
