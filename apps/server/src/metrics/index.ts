// Public surface of the metrics context: the module, the registry other contexts add their
// metrics to, and the HTTP latency middleware the HTTP application installs.
export * from './metrics.module';
export * from './metrics-registry';
export * from './http-metrics';
export { METRICS_SECURITY } from './metrics.controller';
