import { Logger } from '@nestjs/common';
import { CALL_EVENT_NAMES, type CallEventMessage } from '@app/contracts';
import Redis, { type RedisOptions } from 'ioredis';
import { CallEventBus, deliver, type CallEventListener, type Unsubscribe } from './call-event-bus';

/** Publishes waiting for Redis at most: past it (Redis away for long) new messages are dropped and counted. */
const MAX_IN_FLIGHT = 20_000;

export interface RedisCallEventBusOptions {
  url: string;
  /** Namespaces the channel, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

/**
 * Processes apart (roles `asterisk` and `server`, several server instances): each message is
 * PUBLISHed on one channel from one connection per process, so Redis delivers it to every
 * subscribed process in publication order. Local subscribers also receive it through Redis,
 * never directly, so every process sees the same stream exactly once.
 *
 * Pub/sub keeps nothing: a subscriber that is disconnected misses messages. Clients recover
 * from the database (the realtime snapshot on reconnect); the ingest's rows are the truth.
 */
export class RedisCallEventBus extends CallEventBus {
  readonly transport = 'redis';
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private readonly channel: string;
  private readonly publisher: Redis;
  private subscriber: Redis | null = null;
  private readonly listeners = new Set<CallEventListener>();
  private readonly localListeners = new Set<CallEventListener>();
  private inFlight = 0;
  private droppedCount = 0;
  private idle: Array<() => void> = [];

  constructor(private readonly options: RedisCallEventBusOptions) {
    super();
    this.logger = options.logger ?? new Logger('CallEvents');
    this.channel = `${options.keyPrefix}call-events`;
    this.publisher = this.connect('publisher');
  }

  get dropped(): number {
    return this.droppedCount;
  }

  publish(message: CallEventMessage): void {
    deliver(this.localListeners, message, (error) => this.logger.error(`a local ${message.name} subscriber failed: ${(error as Error).message}`));
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.drop(`${MAX_IN_FLIGHT} messages already wait for Redis`);
      return;
    }
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      this.drop((error as Error).message);
      return;
    }
    this.inFlight++;
    this.publisher
      .publish(this.channel, text)
      .catch((error: Error) => this.drop(error.message))
      .finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
  }

  subscribe(listener: CallEventListener): Unsubscribe {
    this.listeners.add(listener);
    this.subscriber ??= this.openSubscriber();
    return () => this.listeners.delete(listener);
  }

  subscribeLocal(listener: CallEventListener): Unsubscribe {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  /** Resolves once the subscription is active (a message published after it is received). */
  async ready(): Promise<void> {
    const subscriber = (this.subscriber ??= this.openSubscriber());
    await subscriber.subscribe(this.channel);
  }

  /** Waits for the messages handed to Redis so far, then closes both connections. */
  async close(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await Promise.all([this.publisher, this.subscriber].map((c) => c?.quit().catch(() => c.disconnect())));
  }

  private openSubscriber(): Redis {
    const subscriber = this.connect('subscriber');
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const message = parseMessage(text);
      if (!message) {
        this.logger.warn(`ignored a malformed message on ${this.channel}`);
        return;
      }
      deliver(this.listeners, message, (error) => this.logger.error(`a ${message.name} subscriber failed: ${(error as Error).message}`));
    });
    // ioredis re-subscribes after a reconnect by itself.
    subscriber.subscribe(this.channel).catch((error: Error) => this.logger.warn(`cannot subscribe to ${this.channel} yet: ${error.message}`));
    return subscriber;
  }

  private connect(role: string): Redis {
    const options: RedisOptions = {
      // Reconnect quickly and forever: a returning Redis is used at once.
      retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
      maxRetriesPerRequest: 3,
      connectionName: `crm-call-events-${role}`,
    };
    const client = new Redis(this.options.url, options);
    let down = false;
    client.on('error', (error: Error) => {
      if (!down) this.logger.warn(`Redis (${role}) unreachable: ${error.message}`);
      down = true;
    });
    client.on('ready', () => {
      if (down) this.logger.log(`Redis (${role}) back`);
      down = false;
    });
    return client;
  }

  private drop(reason: string): void {
    this.droppedCount++;
    if (this.droppedCount === 1 || this.droppedCount % 1000 === 0) {
      this.logger.warn(`call event not published (${this.droppedCount} so far): ${reason}`);
    }
  }
}

const EVENT_NAMES = new Set<string>(Object.values(CALL_EVENT_NAMES));

function parseMessage(text: string): CallEventMessage | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { name, payload } = value as { name?: unknown; payload?: unknown };
    if (typeof name !== 'string' || !EVENT_NAMES.has(name) || typeof payload !== 'object' || payload === null) return null;
    return value as CallEventMessage;
  } catch {
    return null;
  }
}
