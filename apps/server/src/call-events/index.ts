export * from './call-event-bus';
export * from './call-events.module';
export * from './phone-state-bus';
export { InProcessCallEventBus } from './in-process-call-event-bus';
export { InProcessPhoneStateBus } from './in-process-phone-state-bus';
export { RedisCallEventBus } from './redis-call-event-bus';
export { RedisPhoneStateBus } from './redis-phone-state-bus';
export { RedisPubSub } from './redis-pub-sub';
