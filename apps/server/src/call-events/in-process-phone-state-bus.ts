import { Logger } from '@nestjs/common';
import type { PhoneState } from '@app/contracts';
import { deliver, type Unsubscribe } from './call-event-bus';
import { PhoneStateBus, phoneStateKey, type PhoneStateListener } from './phone-state-bus';

/** Role `all` without Redis: the ingest and the gateway share this process. */
export class InProcessPhoneStateBus extends PhoneStateBus {
  private readonly logger = new Logger('PhoneStates');
  private readonly listeners = new Set<PhoneStateListener>();
  private readonly latest = new Map<string, PhoneState>();

  publish(state: PhoneState): void {
    this.latest.set(phoneStateKey(state), state);
    deliver(this.listeners, state, (error) => this.logger.error(`a phone-state subscriber failed: ${(error as Error).message}`));
  }

  subscribe(listener: PhoneStateListener): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  current(): Promise<PhoneState[]> {
    return Promise.resolve([...this.latest.values()]);
  }
}
