import type { CallEventMessage } from '@app/contracts';

export type CallEventListener = (message: CallEventMessage) => void;
export type Unsubscribe = () => void;

/**
 * The port through which stored call steps leave the ingest: the ingest publishes each step
 * once its write has committed; realtime, recordings and anyone else subscribe. The adapter
 * decides how far a message travels: this process only (role `all` without Redis), or every
 * process and instance through Redis. Either way a subscriber sees each published message
 * once, in the order it was published (so per call in `call.eventSeq` order).
 */
export abstract class CallEventBus {
  /** Where messages travel: `in-process` or `redis`. */
  abstract readonly transport: 'in-process' | 'redis';

  /** Hands a stored step to every subscriber; never throws (a transport failure is logged and counted). */
  abstract publish(message: CallEventMessage): void;

  /** Receives every message published from now on, in any process. A listener that throws is logged, the others still run. */
  abstract subscribe(listener: CallEventListener): Unsubscribe;

  /**
   * Receives only the messages this process publishes, synchronously and whatever the
   * transport: for work that must happen exactly once, where the write happened, and must not
   * depend on Redis being up (linking recordings to their call).
   */
  abstract subscribeLocal(listener: CallEventListener): Unsubscribe;

  /** Messages that could not be handed to the transport (Redis down): they reach nobody. */
  abstract readonly dropped: number;
}

/** Calls each listener, isolating failures: one broken subscriber must not starve the others. */
export function deliver<M>(listeners: Iterable<(message: M) => void>, message: M, onError: (error: unknown) => void): void {
  for (const listener of listeners) {
    try {
      listener(message);
    } catch (error) {
      onError(error);
    }
  }
}
