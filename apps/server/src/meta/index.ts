export * from './meta.module';
