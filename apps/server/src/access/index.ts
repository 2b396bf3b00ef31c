export * from './access.module';
export * from './call-access';
