import { AmiMessage } from '../protocol/ami-message';
import { AmiActionError, AmiActionTimeoutError } from '../protocol/ami-errors';
import { AmiActionResult } from './ami-action-result';

export type AmiActionSettle = (error: Error | null, result?: AmiActionResult) => void;

export interface AmiPendingOptions {
  /** The action answers with a list (`EventList: start` ... `...Complete`); covers Asterisk versions that omit `EventList`. */
  list?: boolean;
  /** 0 = no timeout (the caller watches the time itself). */
  timeoutMs: number;
}

interface Entry {
  action: string;
  actionId: string;
  list: boolean;
  response?: AmiMessage;
  events: AmiMessage[];
  timer?: NodeJS.Timeout;
  settle: AmiActionSettle;
}

const LIST_START = /^start$/i;
const LIST_END = /^(complete|cancelled)$/i;

/**
 * Actions written and not yet answered, by ActionID. A plain response settles its
 * action; `Response: Error` settles it with Asterisk's message; a list response
 * collects the events carrying the same ActionID until the `...Complete` event.
 * Settling is synchronous, so whoever handles the answer runs before the next
 * message of the same read is looked at (the login answer and the events behind it).
 */
export class AmiPendingActions {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  register(action: string, actionId: string, options: AmiPendingOptions, settle: AmiActionSettle): void {
    const entry: Entry = { action, actionId, list: options.list ?? false, events: [], settle };
    if (options.timeoutMs > 0) {
      entry.timer = setTimeout(() => this.finish(entry, new AmiActionTimeoutError(action, actionId, options.timeoutMs)), options.timeoutMs);
    }
    this.entries.set(actionId, entry);
  }

  /** Takes the message if it answers a pending action; returns whether it did. */
  handle(message: AmiMessage): boolean {
    const actionId = message.actionId;
    if (actionId === undefined) return false;
    const entry = this.entries.get(actionId);
    if (!entry) return false;

    if (message.kind === 'response') {
      if (entry.response) return false;
      if (message.name === 'Error') {
        this.finish(entry, new AmiActionError(entry.action, actionId, message.get('Message') ?? ''));
      } else if (entry.list || LIST_START.test(message.get('EventList') ?? '')) {
        entry.response = message;
        entry.list = true;
      } else {
        this.finish(entry, null, new AmiActionResult(entry.action, actionId, message));
      }
      return true;
    }

    // Only list items belong to the action; an `OriginateResponse` with the same ActionID is an ordinary event.
    if (message.kind !== 'event' || !entry.list) return false;
    if (LIST_END.test(message.get('EventList') ?? '') || message.name.endsWith('Complete')) {
      const response = entry.response ?? message;
      this.finish(entry, null, new AmiActionResult(entry.action, actionId, response, entry.events, message));
    } else {
      entry.events.push(message);
    }
    return true;
  }

  /** Settles one action early (the caller gave up on it). */
  cancel(actionId: string, error: Error): void {
    const entry = this.entries.get(actionId);
    if (entry) this.finish(entry, error);
  }

  /** Settles every pending action with the error made for it (the connection went away). */
  rejectAll(makeError: (action: string, actionId: string) => Error): void {
    for (const entry of [...this.entries.values()]) this.finish(entry, makeError(entry.action, entry.actionId));
  }

  private finish(entry: Entry, error: Error | null, result?: AmiActionResult): void {
    if (this.entries.get(entry.actionId) !== entry) return;
    this.entries.delete(entry.actionId);
    clearTimeout(entry.timer);
    entry.settle(error, result);
  }
}
