import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { DatabaseConnection } from './database-connection';
import { openDatabase, OpenDatabase } from './database-server';

/**
 * Owns the database server for the Nest app. Its module is imported by TypeORM's, so Nest
 * runs this shutdown hook after TypeORM has closed its pool: PostgreSQL stops last.
 */
@Injectable()
export class DatabaseLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private database: OpenDatabase | null = null;

  constructor(private readonly config: AppConfig) {}

  async open(): Promise<DatabaseConnection> {
    this.database ??= await openDatabase(this.config, this.logger);
    return this.database.connection;
  }

  async onApplicationShutdown(): Promise<void> {
    const database = this.database;
    this.database = null;
    await database?.close();
  }
}
