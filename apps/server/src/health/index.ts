// Public surface of the health context: liveness and readiness, and the registry where other
// contexts add the readiness checks of what they own.
export * from './health.module';
export * from './readiness-indicators';
export * from './readiness.service';
export { notReadyError } from './not-ready';
