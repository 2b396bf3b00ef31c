import { Module } from '@nestjs/common';
import { CallsPipelineModule } from '../calls/calls-pipeline.module';
import { CompaniesModule } from '../companies/companies.module';
import { IngestModule } from '../ingest/ingest.module';
import { UsersModule } from '../users/users.module';
import { DemoPbx } from './demo-pbx.service';
import { DemoSeeder } from './demo-seeder.service';
import { DemoService } from './demo.service';

/** The zero-config demo (AppConfig.demoEnabled): demo data and the in-process PBX simulator. */
@Module({
  imports: [UsersModule, CompaniesModule, IngestModule, CallsPipelineModule],
  providers: [DemoSeeder, DemoPbx, DemoService],
})
export class DemoModule {}
