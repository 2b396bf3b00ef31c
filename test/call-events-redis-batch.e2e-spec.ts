import Redis from 'ioredis';
import type { CallEventMessage } from '@app/contracts';
import { RedisCallEventBus, RedisPubSub } from '../apps/server/src/call-events';
import { eventually } from './support/calls-e2e';
import { testRedisEnv } from './support/test-redis-env';

/**
 * The call event bus over a real Redis: what one event-loop turn publishes (a write batch's
 * stored steps) travels as one Redis message, in order, and every subscriber still receives
 * each message once.
 */
describe('RedisCallEventBus: a turn’s messages as one Redis message', () => {
  const { REDIS_URL, REDIS_KEY_PREFIX } = testRedisEnv();
  const channel = `${REDIS_KEY_PREFIX}call-events`;
  let publisherPubSub: RedisPubSub;
  let subscriberPubSub: RedisPubSub;
  let publisher: RedisCallEventBus;
  let subscriber: RedisCallEventBus;
  let raw: Redis;
  const rawMessages: unknown[] = [];
  const received: CallEventMessage[] = [];

  /** Not a call event's name: malformed. */
  const unknownName = (n: number): unknown => ({ name: 'call.updated', payload: { n } });
  const ringing = (n: number): CallEventMessage => ({ name: 'call.ringing', payload: { n } }) as unknown as CallEventMessage;
  /** The test numbers of messages, in order. */
  const numbers = (messages: unknown[]): number[] => messages.map((m) => (m as { payload: { n: number } }).payload.n);

  beforeAll(async () => {
    publisherPubSub = new RedisPubSub(REDIS_URL);
    subscriberPubSub = new RedisPubSub(REDIS_URL);
    publisher = new RedisCallEventBus(publisherPubSub, REDIS_KEY_PREFIX);
    subscriber = new RedisCallEventBus(subscriberPubSub, REDIS_KEY_PREFIX);
    subscriber.subscribe((m) => received.push(m));
    await subscriber.ready();
    raw = new Redis(REDIS_URL);
    raw.on('message', (_channel: string, text: string) => rawMessages.push(JSON.parse(text)));
    await raw.subscribe(channel);
  });

  afterAll(async () => {
    await Promise.all([publisherPubSub?.close(), subscriberPubSub?.close(), raw?.quit()]);
  });

  beforeEach(() => {
    rawMessages.length = 0;
    received.length = 0;
  });

  it('sends the messages of one turn as one array, in order, and delivers each once', async () => {
    for (let n = 0; n < 5; n++) publisher.publish(ringing(n));
    await eventually('the subscriber received the five messages', async () => received.length >= 5, 5000);
    expect(numbers(received)).toEqual([0, 1, 2, 3, 4]);
    expect(rawMessages).toHaveLength(1);
    expect(Array.isArray(rawMessages[0])).toBe(true);
    expect(numbers(rawMessages[0] as unknown[])).toEqual([0, 1, 2, 3, 4]);
  });

  it('sends a turn’s single message alone, as an object, and turns apart as messages apart', async () => {
    publisher.publish(ringing(10));
    await new Promise((resolve) => setImmediate(resolve));
    publisher.publish(ringing(11));
    publisher.publish(ringing(12));
    await eventually('the subscriber received the three messages', async () => received.length >= 3, 5000);
    expect(numbers(received)).toEqual([10, 11, 12]);
    expect(rawMessages).toHaveLength(2);
    expect(Array.isArray(rawMessages[0])).toBe(false);
    expect((rawMessages[1] as unknown[]).length).toBe(2);
  });

  it('delivers the well-formed elements of an array and skips a malformed one', async () => {
    const other = new Redis(REDIS_URL);
    await other.publish(channel, JSON.stringify([ringing(20), unknownName(21), { name: 'call.ended' }, 'junk', ringing(22)]));
    await other.quit();
    await eventually('the subscriber received the two good messages', async () => received.length >= 2, 5000);
    // Followed by a good single message, so the check is not racing a late delivery.
    publisher.publish(ringing(23));
    await eventually('and the next one', async () => received.length >= 3, 5000);
    expect(numbers(received)).toEqual([20, 22, 23]);
  });
});
