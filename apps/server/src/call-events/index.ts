export * from './call-event-bus';
export * from './call-events.module';
export { InProcessCallEventBus } from './in-process-call-event-bus';
export { RedisCallEventBus } from './redis-call-event-bus';
