export * from './audit.module';
export * from './audit.service';
export * from './actor';
export * from './entities/audit-log.entity';
