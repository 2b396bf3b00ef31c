import { Logger } from '@nestjs/common';
import { CALL_EVENT_NAMES, type CallEventMessage } from '@app/contracts';
import { CallEventBus, deliver, type CallEventListener, type Unsubscribe } from './call-event-bus';
import type { RedisPubSub } from './redis-pub-sub';

/**
 * Processes apart (roles `asterisk` and `server`, several server instances): each message
 * goes through one Redis channel, so every subscribed process receives it in publication
 * order. Local subscribers also receive it through Redis, never directly, so every process
 * sees the same stream exactly once.
 */
export class RedisCallEventBus extends CallEventBus {
  readonly transport = 'redis';
  private readonly logger = new Logger('CallEvents');
  private readonly channel: string;
  private readonly listeners = new Set<CallEventListener>();
  private readonly localListeners = new Set<CallEventListener>();
  private subscribed = false;

  /** `keyPrefix` namespaces the channel, so several deployments (or test runs) can share one Redis. */
  constructor(
    private readonly redis: RedisPubSub,
    keyPrefix: string,
  ) {
    super();
    this.channel = `${keyPrefix}call-events`;
  }

  get dropped(): number {
    return this.redis.dropped;
  }

  publish(message: CallEventMessage): void {
    deliver(this.localListeners, message, (error) => this.logger.error(`a local ${message.name} subscriber failed: ${(error as Error).message}`));
    this.redis.publish(this.channel, message);
  }

  subscribe(listener: CallEventListener): Unsubscribe {
    this.listeners.add(listener);
    if (!this.subscribed) {
      this.subscribed = true;
      this.redis.subscribe(this.channel, (value) => this.receive(value));
    }
    return () => this.listeners.delete(listener);
  }

  subscribeLocal(listener: CallEventListener): Unsubscribe {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  /** Resolves once the subscription is active (a message published after it is received). */
  ready(): Promise<void> {
    return this.redis.ready(this.channel);
  }

  private receive(value: unknown): void {
    const message = asMessage(value);
    if (!message) {
      this.logger.warn(`ignored a malformed message on ${this.channel}`);
      return;
    }
    deliver(this.listeners, message, (error) => this.logger.error(`a ${message.name} subscriber failed: ${(error as Error).message}`));
  }
}

const EVENT_NAMES = new Set<string>(Object.values(CALL_EVENT_NAMES));

function asMessage(value: unknown): CallEventMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const { name, payload } = value as { name?: unknown; payload?: unknown };
  if (typeof name !== 'string' || !EVENT_NAMES.has(name) || typeof payload !== 'object' || payload === null) return null;
  return value as CallEventMessage;
}
