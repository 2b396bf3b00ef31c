import { Logger } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';

/** Publishes waiting for Redis at most: past it (Redis away for long) new messages are dropped and counted. */
const MAX_IN_FLIGHT = 20_000;

export type PubSubLogger = Pick<Logger, 'log' | 'warn' | 'error'>;

/**
 * The process's Redis pub/sub: one connection that publishes (and runs the buses' other
 * commands), one that subscribes, shared by every bus. Each message is PUBLISHed from that one
 * connection, so Redis delivers a channel's messages to every subscribed process in
 * publication order.
 *
 * Pub/sub keeps nothing: a subscriber that is disconnected misses messages. Clients recover
 * from the database (the realtime snapshot on reconnect); the ingest's rows are the truth.
 */
export class RedisPubSub {
  private readonly logger: PubSubLogger;
  /** The publishing connection; buses also run their keyed commands (HSET, HGETALL) on it. */
  readonly client: Redis;
  private subscriber: Redis | null = null;
  private readonly handlers = new Map<string, (value: unknown) => void>();
  private inFlight = 0;
  private droppedCount = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly url: string,
    logger?: PubSubLogger,
  ) {
    this.logger = logger ?? new Logger('Redis');
    this.client = this.connect('publisher');
  }

  /** Messages that could not be handed to Redis: they reach nobody. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Sends a JSON message on a channel; never throws (a failure is logged and counted). `count` is
   * how many messages of the caller's it carries (a batch sent as one array), for the bound and
   * the dropped count.
   */
  publish(channel: string, message: unknown, count = 1): void {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.drop(channel, `${MAX_IN_FLIGHT} messages already wait for Redis`, count);
      return;
    }
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      this.drop(channel, (error as Error).message, count);
      return;
    }
    this.inFlight += count;
    this.client
      .publish(channel, text)
      .catch((error: Error) => this.drop(channel, error.message, count))
      .finally(() => {
        this.inFlight -= count;
        if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
  }

  /**
   * Hands every message of `channel` (parsed JSON; malformed text is logged and skipped) to
   * `handler`, from any process. One handler per channel: a bus fans out to its listeners.
   */
  subscribe(channel: string, handler: (value: unknown) => void): void {
    if (this.handlers.has(channel)) throw new Error(`${channel} already has a subscriber`);
    this.handlers.set(channel, handler);
    // ioredis re-subscribes after a reconnect by itself.
    this.openSubscriber()
      .subscribe(channel)
      .catch((error: Error) => this.logger.warn(`cannot subscribe to ${channel} yet: ${error.message}`));
  }

  /** Stops handing `channel`'s messages to its handler (a later `subscribe` may take it again). */
  async unsubscribe(channel: string): Promise<void> {
    if (!this.handlers.delete(channel)) return;
    await this.subscriber?.unsubscribe(channel).catch((error: Error) => this.logger.warn(`cannot unsubscribe from ${channel}: ${error.message}`));
  }

  /**
   * Sends a JSON message and resolves with how many subscribed processes received it (0: nobody
   * listens); rejects when Redis cannot take it. For requests whose sender must know that.
   */
  async publishCounted(channel: string, message: unknown): Promise<number> {
    return this.client.publish(channel, JSON.stringify(message));
  }

  /** Resolves once `channel` is subscribed (a message published after it is received). */
  async ready(channel: string): Promise<void> {
    await this.openSubscriber().subscribe(channel);
  }

  /** Waits for the messages handed to Redis so far, then closes both connections. */
  async close(): Promise<void> {
    // A bus hands what it gathered in the current turn over in a microtask: let it, first.
    await null;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await Promise.all([this.client, this.subscriber].map((c) => c?.quit().catch(() => c.disconnect())));
  }

  private openSubscriber(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.connect('subscriber');
    subscriber.on('message', (channel: string, text: string) => {
      const handler = this.handlers.get(channel);
      if (!handler) return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        this.logger.warn(`ignored a malformed message on ${channel}`);
        return;
      }
      handler(value);
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  private connect(role: string): Redis {
    const options: RedisOptions = {
      // Reconnect quickly and forever: a returning Redis is used at once.
      retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
      maxRetriesPerRequest: 3,
      connectionName: `crm-${role}`,
      // The ingest publishes a message per stored step, hundreds per batch: commands issued in one
      // event-loop turn go out in one socket write instead of a write each (same order). A
      // subscribing connection cannot pipeline.
      enableAutoPipelining: role === 'publisher',
    };
    const client = new Redis(this.url, options);
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

  private drop(channel: string, reason: string, count: number): void {
    const before = this.droppedCount;
    this.droppedCount += count;
    if (before === 0 || Math.floor(before / 1000) !== Math.floor(this.droppedCount / 1000)) {
      this.logger.warn(`message on ${channel} not published (${this.droppedCount} so far): ${reason}`);
    }
  }
}
