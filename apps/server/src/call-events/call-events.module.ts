import { Global, Inject, Injectable, Module, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CallEventBus } from './call-event-bus';
import { InProcessCallEventBus } from './in-process-call-event-bus';
import { InProcessIngestStatusBoard } from './in-process-ingest-status-board';
import { InProcessPhoneStateBus } from './in-process-phone-state-bus';
import { IngestStatusBoard } from './ingest-status-board';
import { PhoneStateBus } from './phone-state-bus';
import { RedisCallEventBus } from './redis-call-event-bus';
import { RedisIngestStatusBoard } from './redis-ingest-status-board';
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
 * The buses of the whole process: the call-event bus, its sibling the phone-state bus, and the
 * ingest processes' status board (their heartbeat). Redis when REDIS_URL is set (required when
 * the roles run apart), sharing one pair of connections; else in-process. Global: the ingest
 * publishes, any context subscribes. The Redis link itself is exported for readiness checks.
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
    {
      provide: IngestStatusBoard,
      inject: [AppConfig, RedisPubSub],
      useFactory: (config: AppConfig, redis: RedisPubSub | null): IngestStatusBoard =>
        redis ? new RedisIngestStatusBoard(redis, config.redisKeyPrefix) : new InProcessIngestStatusBoard(),
    },
    RedisPubSubLifecycle,
  ],
  // RedisPubSub (null without REDIS_URL) also carries call control's requests between processes.
  exports: [CallEventBus, PhoneStateBus, IngestStatusBoard, RedisPubSub],
})
export class CallEventsModule {}
