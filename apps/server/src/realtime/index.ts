// Public surface of the realtime context: the module and the IO adapter main.ts installs.
export * from './realtime.module';
export * from './realtime-io.adapter';
