export * from './auth.module';
export * from './auth.errors';
export * from './authenticator';
export * from './signed-urls';
