import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { CallEventMessage } from '@app/contracts';
import { CallAccess } from '../access';
import { CallEventBus, type Unsubscribe } from '../call-events';
import { CallCardsService } from './call-cards.service';
import { callPushes, type IncomingCards } from './call-pushes';
import { RealtimeHub } from './realtime-hub';

const NO_CARDS: IncomingCards = { company: null, assignedUser: null };

/**
 * Stored call steps from the call-event bus to the browsers of those who may see the call.
 * A ringing step first looks up the company and user cards (cached); the steps of one call
 * wait for each other meanwhile, so a call's pushes leave in the order of its steps.
 */
@Injectable()
export class CallEventRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private unsubscribe: Unsubscribe | null = null;
  /** Per call: the last step still being prepared; later steps of the call queue behind it. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly bus: CallEventBus,
    private readonly hub: RealtimeHub,
    private readonly access: CallAccess,
    private readonly cards: CallCardsService,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((message) => this.take(message));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private take(message: CallEventMessage): void {
    const key = message.payload.call.id;
    const before = this.pending.get(key);
    if (!before && message.name !== 'call.ringing') {
      this.send(message, NO_CARDS);
      return;
    }
    const done = (before ?? Promise.resolve())
      .then(() => (message.name === 'call.ringing' ? this.incomingCards(message) : NO_CARDS))
      .then((cards) => this.send(message, cards))
      .catch((error: Error) => this.logger.error(`pushing ${message.name} of call ${key} failed: ${error.message}`))
      .finally(() => {
        if (this.pending.get(key) === done) this.pending.delete(key);
      });
    this.pending.set(key, done);
  }

  private async incomingCards(message: CallEventMessage): Promise<IncomingCards> {
    const { call } = message.payload;
    const [company, assignedUser] = await Promise.all([this.cards.company(call.callerCompanyId), this.cards.user(call.assignedUserId)]);
    return { company, assignedUser };
  }

  private send(message: CallEventMessage, cards: IncomingCards): void {
    for (const push of callPushes(message, this.access.viewerIds(message.payload.call), cards)) this.hub.push(push);
  }
}
