import { Module } from '@nestjs/common';
import { AmiIngestModule, CallIngestModule } from '../call-ingest';
import { CallControlExecutorModule } from '../call-control';
import { CompaniesModule } from '../companies';
import { UsersModule } from '../users';
import { DemoPbx } from './demo-pbx.service';
import { DemoSeeder } from './demo-seeder.service';
import { DemoService } from './demo.service';

/** The zero-config demo (AppConfig.demoEnabled): demo data and the in-process PBX simulator. */
@Module({
  imports: [UsersModule, CompaniesModule, AmiIngestModule, CallIngestModule, CallControlExecutorModule],
  providers: [DemoSeeder, DemoPbx, DemoService],
})
export class DemoModule {}
