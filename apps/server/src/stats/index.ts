export * from './stats.module';
export * from './stats.service';
export * from './call-stats';
