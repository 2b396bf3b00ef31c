import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CallsModule } from './calls/calls.module';
import { LoggingModule } from './common/logging/logging.module';
import { PhoneModule } from './common/phone/phone.module';
import { CompaniesModule } from './companies/companies.module';
import { AppConfig, AppRole } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { StatsModule } from './stats/stats.module';
import { UsersModule } from './users/users.module';

type ModuleImports = NonNullable<ModuleMetadata['imports']>;

/** Every role: configuration, logs, database (migrated at start), shared services. */
const CORE_MODULES: ModuleImports = [LoggingModule, DatabaseModule, PhoneModule, AuditModule, EventEmitterModule.forRoot()];

/** HTTP API and realtime (roles all, server). A new REST or Socket.IO context is one line here. */
const SERVER_MODULES: ModuleImports = [AuthModule, UsersModule, CompaniesModule, HealthModule, CallsModule, StatsModule];

/**
 * AMI ingest: call tracking into the database (roles all, asterisk). The ingest module goes
 * here; it imports what it uses (e.g. CompaniesModule for caller lookup) itself.
 */
const INGEST_MODULES: ModuleImports = [IngestModule];

export function modulesForRole(role: AppRole): ModuleImports {
  const byRole: Record<AppRole, ModuleImports> = {
    all: [...SERVER_MODULES, ...INGEST_MODULES],
    server: SERVER_MODULES,
    asterisk: INGEST_MODULES,
  };
  return [...CORE_MODULES, ...new Set(byRole[role])];
}

/** The application for one process role (APP_ROLE). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const demo = config.demoEnabled ? [DemoModule] : [];
    return { module: AppModule, imports: [AppConfigModule.forRoot(config), ...modulesForRole(config.APP_ROLE), ...demo] };
  }
}
