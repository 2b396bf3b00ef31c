// Public surface of @app/ami/testing: what specs, e2e tests and benchmarks use to drive the AMI
// layer with the real captures. Never imported by production code.
export * from '../protocol/ami-fixtures';
export * from '../connection/ami-test-server';
export * from '../tracker/testing/ami-event-script';
export * from '../tracker/testing/fixture-calls';
export * from '../tracker/testing/script-run';
