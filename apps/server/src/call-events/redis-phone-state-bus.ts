import { Logger } from '@nestjs/common';
import { DEVICE_STATES, type PhoneState } from '@app/contracts';
import { deliver, type Unsubscribe } from './call-event-bus';
import { PhoneStateBus, phoneStateKey, type PhoneStateListener } from './phone-state-bus';
import type { RedisPubSub } from './redis-pub-sub';

/** The states are forgotten after a week without any phone changing (a deployment gone, a test run's prefix). */
const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * Processes apart: each state is written to a Redis hash (the latest per phone) and published
 * on a channel, both from the one publishing connection, so a reader of the hash and a
 * subscriber of the channel agree.
 */
export class RedisPhoneStateBus extends PhoneStateBus {
  private readonly logger = new Logger('PhoneStates');
  private readonly channel: string;
  private readonly hash: string;
  private readonly listeners = new Set<PhoneStateListener>();
  private subscribed = false;

  constructor(
    private readonly redis: RedisPubSub,
    keyPrefix: string,
  ) {
    super();
    this.channel = `${keyPrefix}phone-states`;
    this.hash = `${keyPrefix}phone-states`;
  }

  publish(state: PhoneState): void {
    this.redis.client
      .multi()
      .hset(this.hash, phoneStateKey(state), JSON.stringify(state))
      .expire(this.hash, KEEP_SECONDS)
      .exec()
      .catch((error: Error) => this.logger.warn(`phone state of ${phoneStateKey(state)} not kept: ${error.message}`));
    this.redis.publish(this.channel, state);
  }

  subscribe(listener: PhoneStateListener): Unsubscribe {
    this.listeners.add(listener);
    if (!this.subscribed) {
      this.subscribed = true;
      this.redis.subscribe(this.channel, (value) => {
        const state = asPhoneState(value);
        if (state) deliver(this.listeners, state, (error) => this.logger.error(`a phone-state subscriber failed: ${(error as Error).message}`));
        else this.logger.warn(`ignored a malformed message on ${this.channel}`);
      });
    }
    return () => this.listeners.delete(listener);
  }

  async current(): Promise<PhoneState[]> {
    const entries = await this.redis.client.hgetall(this.hash);
    return Object.values(entries).flatMap((text) => {
      try {
        const state = asPhoneState(JSON.parse(text));
        return state ? [state] : [];
      } catch {
        return [];
      }
    });
  }

  /** Resolves once the subscription is active. */
  ready(): Promise<void> {
    return this.redis.ready(this.channel);
  }
}

const STATES = new Set<string>(DEVICE_STATES);

function asPhoneState(value: unknown): PhoneState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Partial<Record<keyof PhoneState, unknown>>;
  const ok =
    typeof v.pbxId === 'string' &&
    typeof v.extension === 'string' &&
    (v.userId === null || typeof v.userId === 'string') &&
    typeof v.state === 'string' &&
    STATES.has(v.state) &&
    typeof v.at === 'string' &&
    typeof v.test === 'boolean';
  return ok ? (value as PhoneState) : null;
}
