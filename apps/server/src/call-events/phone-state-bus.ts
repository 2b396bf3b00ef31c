import type { PhoneState } from '@app/contracts';
import type { Unsubscribe } from './call-event-bus';

export type PhoneStateListener = (state: PhoneState) => void;

/**
 * The call-event bus's sibling for the phones' device states (`ExtensionStatus`,
 * `DeviceStateChange`): they reach only the ingest process, which publishes each change here;
 * every server process subscribes and relays it to browsers. Unlike call steps, which live in
 * the database, the latest state of each phone lives with the bus (a map in-process, a hash in
 * Redis), so a server started later still knows every phone's state.
 */
export abstract class PhoneStateBus {
  /** Records the phone's latest state and hands it to every subscriber; never throws. */
  abstract publish(state: PhoneState): void;

  /** Receives every state published from now on, in any process, in publication order. */
  abstract subscribe(listener: PhoneStateListener): Unsubscribe;

  /** The latest state of every phone reported so far (by any process). */
  abstract current(): Promise<PhoneState[]>;
}

/** Where a phone's latest state is kept: one entry per PBX and extension. */
export function phoneStateKey(state: Pick<PhoneState, 'pbxId' | 'extension'>): string {
  return `${state.pbxId}/${state.extension}`;
}
