export * from './stats.module';
export * from './stats.service';
