// Public surface of the database context: the Nest module, the SQL and pg helpers other
// contexts use. Entities belong to their contexts; entities.ts only lists them for TypeORM.
export * from './database.module';
export * from './sql-statement';
export * from './pg/pg-client-config';
export * from './pg/pg-notification-listener';
export * from './pg/advisory-locks';
export * from './keyed-write-queue';
export * from './transient-db-error';
export * from './pg/pg-time-zones';
export * from './call-stats-flush';
