import type { AmiMessage, CallTrackerEvent } from '@app/ami';
import type { PbxMessageListener } from '../../call-ingest';

/** What a watch needs from the ingest: its message stream. */
export interface ObservedPbx {
  observe(listener: PbxMessageListener): () => void;
}

/** Looks at one message (and the call events it caused); a value other than undefined confirms. */
export type ConfirmationTest<T> = (msg: AmiMessage, events: readonly CallTrackerEvent[]) => T | undefined;

export interface Confirmation<T> {
  value: T;
  /** Arrival of the confirming message (ms since epoch). */
  at: number;
}

/**
 * Waits for the PBX's events to show a command's effect: started before the action is sent,
 * since the events come on the ingest's connection and may overtake the action's response on
 * the control login. Resolves with the first value `test` returns, or null at the deadline or
 * when cancelled.
 */
export class ConfirmationWatch<T> {
  readonly result: Promise<Confirmation<T> | null>;
  private settle!: (confirmation: Confirmation<T> | null) => void;
  private readonly stop: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(pbx: ObservedPbx, test: ConfirmationTest<T>, timeoutMs: number) {
    let done = false;
    this.result = new Promise((resolve) => {
      this.settle = (confirmation) => {
        if (done) return;
        done = true;
        clearTimeout(this.timer);
        this.stop();
        resolve(confirmation);
      };
    });
    this.stop = pbx.observe((msg, events) => {
      const value = test(msg, events);
      if (value !== undefined) this.settle({ value, at: msg.receivedAt });
    });
    this.timer = setTimeout(() => this.settle(null), timeoutMs);
  }

  cancel(): void {
    this.settle(null);
  }
}

/** The first tracker event of `type` about call `callId` in a message's events. */
export function callEvent<K extends CallTrackerEvent['type']>(events: readonly CallTrackerEvent[], callId: string, type: K): Extract<CallTrackerEvent, { type: K }> | undefined {
  return events.find((e): e is Extract<CallTrackerEvent, { type: K }> => e.type === type && e.call.callId === callId);
}
