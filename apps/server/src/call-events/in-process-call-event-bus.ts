import { Logger } from '@nestjs/common';
import type { CallEventMessage } from '@app/contracts';
import { CallEventBus, deliver, type CallEventListener, type Unsubscribe } from './call-event-bus';

/** Role `all` without Redis: the ingest and its subscribers share this process. */
export class InProcessCallEventBus extends CallEventBus {
  readonly transport = 'in-process';
  readonly dropped = 0;
  private readonly logger = new Logger('CallEvents');
  private readonly listeners = new Set<CallEventListener>();

  publish(message: CallEventMessage): void {
    deliver(this.listeners, message, (error) => this.logger.error(`a ${message.name} subscriber failed: ${(error as Error).message}`));
  }

  subscribe(listener: CallEventListener): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeLocal(listener: CallEventListener): Unsubscribe {
    return this.subscribe(listener);
  }
}
