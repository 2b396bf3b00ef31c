import { Global, Inject, Injectable, Module, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CallEventBus } from './call-event-bus';
import { InProcessCallEventBus } from './in-process-call-event-bus';
import { InProcessPhoneStateBus } from './in-process-phone-state-bus';
import { PhoneStateBus } from './phone-state-bus';
import { RedisCallEventBus } from './redis-call-event-bus';
import { RedisPhoneStateBus } from './redis-phone-state-bus';
import { RedisPubSub } from './redis-pub-sub';

@Injectable()
class RedisPubSubLifecycle implements OnApplicationShutdown {
  constructor(@Optional() @Inject(RedisPubSub) private readonly redis: RedisPubSub | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/**
 * The buses of the whole process: the call-event bus and its sibling, the phone-state bus.
 * Redis when REDIS_URL is set (required when the roles run apart), sharing one pair of
 * connections; else in-process. Global: the ingest publishes, any context subscribes.
 */
@Global()
@Module({
  providers: [
    {
      provide: RedisPubSub,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RedisPubSub | null => (config.REDIS_URL ? new RedisPubSub(config.REDIS_URL) : null),
    },
    {
      provide: CallEventBus,
      inject: [AppConfig, RedisPubSub],
      useFactory: (config: AppConfig, redis: RedisPubSub | null): CallEventBus =>
        redis ? new RedisCallEventBus(redis, config.redisKeyPrefix) : new InProcessCallEventBus(),
    },
    {
      provide: PhoneStateBus,
      inject: [AppConfig, RedisPubSub],
      useFactory: (config: AppConfig, redis: RedisPubSub | null): PhoneStateBus =>
        redis ? new RedisPhoneStateBus(redis, config.redisKeyPrefix) : new InProcessPhoneStateBus(),
    },
    RedisPubSubLifecycle,
  ],
  exports: [CallEventBus, PhoneStateBus],
})
export class CallEventsModule {}
