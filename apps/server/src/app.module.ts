import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { AccessModule } from './access';
import { AuditModule } from './audit';
import { AuthModule } from './auth';
import { AmiIngestModule, CallSimulatorModule } from './call-ingest';
import { CallEventsModule } from './call-events';
import { CallControlExecutorModule, CallControlLinkModule, CallControlModule } from './call-control';
import { CallsModule } from './calls';
import { LoggingModule } from './common/logging/logging.module';
import { PhoneModule } from './common/phone/phone.module';
import { CompaniesModule } from './companies';
import { AppConfig, AppRole } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database';
import { RecordingsModule } from './recordings';
import { HealthModule } from './health';
import { MetaModule } from './meta';
import { MetricsModule } from './metrics';
import { RealtimeModule } from './realtime';
import { StatsModule } from './stats';
import { UsersModule } from './users';
import { WebModule } from './web';

type ModuleImports = NonNullable<ModuleMetadata['imports']>;

/** Every role: configuration, logs, database (migrated at start), the call-event bus, health, metrics, shared services. */
const CORE_MODULES: ModuleImports = [LoggingModule, DatabaseModule, PhoneModule, AuditModule, AccessModule, CallEventsModule, CallControlLinkModule, HealthModule, MetricsModule];

/** HTTP API and realtime (roles all, server). A new REST or Socket.IO context is one line here. */
const SERVER_MODULES: ModuleImports = [
  AuthModule,
  UsersModule,
  CompaniesModule,
  MetaModule,
  CallsModule,
  RecordingsModule,
  CallSimulatorModule,
  StatsModule,
  CallControlModule,
  RealtimeModule,
];

/** AMI ingest: call tracking into the database, and the control of the PBXs it follows (roles all, asterisk). */
const INGEST_MODULES: ModuleImports = [AmiIngestModule, CallControlExecutorModule];

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
  static async forRoot(config: AppConfig): Promise<DynamicModule> {
    // Loaded only when the demo runs: a real deployment never loads the PBX simulator.
    const demo = config.demoEnabled ? [(await import('./demo')).DemoModule] : [];
    // The web UI (dist/web) is looked for now, not at import time: main.ts may have just built it.
    const web = config.APP_ROLE === 'asterisk' ? [] : [WebModule.forRoot()];
    return { module: AppModule, imports: [AppConfigModule.forRoot(config), ...modulesForRole(config.APP_ROLE), ...demo, ...web] };
  }
}
