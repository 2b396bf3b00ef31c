import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CallEventBus } from './call-event-bus';
import { InProcessCallEventBus } from './in-process-call-event-bus';
import { RedisCallEventBus } from './redis-call-event-bus';

@Injectable()
class CallEventBusLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CallEventBus) private readonly bus: CallEventBus) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.bus instanceof RedisCallEventBus) await this.bus.close();
  }
}

/**
 * The call-event bus for the whole process: Redis when REDIS_URL is set (required when the
 * roles run apart), else in-process. Global: the ingest publishes, any context subscribes.
 */
@Global()
@Module({
  providers: [
    {
      provide: CallEventBus,
      inject: [AppConfig],
      useFactory: (config: AppConfig): CallEventBus =>
        config.REDIS_URL ? new RedisCallEventBus({ url: config.REDIS_URL, keyPrefix: config.redisKeyPrefix }) : new InProcessCallEventBus(),
    },
    CallEventBusLifecycle,
  ],
  exports: [CallEventBus],
})
export class CallEventsModule {}
