import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseLifecycle } from './database-lifecycle';
import { runPendingMigrations } from './migration-runner';

@Module({ providers: [DatabaseLifecycle], exports: [DatabaseLifecycle] })
class DatabaseLifecycleModule {}

/** TypeORM over the configured (or embedded) PostgreSQL; pending migrations run before the app serves. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseLifecycleModule],
      inject: [DatabaseLifecycle, AppConfig],
      useFactory: async (lifecycle: DatabaseLifecycle, config: AppConfig) => ({
        ...buildDataSourceOptions(await lifecycle.open(), config.databaseName),
        retryAttempts: 5,
        retryDelay: 2000,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        try {
          const applied = await runPendingMigrations(dataSource);
          if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        } catch (error) {
          // TypeORM retries this factory: do not leave a pool behind per attempt.
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
