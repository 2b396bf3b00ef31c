import type { AmiMessage } from '../protocol/ami-message';
import type { CallRecord, CallTrackerEvent } from '../tracker/call-record';
import { CallTracker } from '../tracker/call-tracker';
import { type Capture, loadCapture, parseCapture } from './capture';

export interface CaptureReplayOptions {
  /** PBX id every message is tagged with (default `pbx`). */
  pbx?: string;
  /** Tracker to feed (default: a new one with default options). */
  tracker?: CallTracker;
  /** Only the messages it accepts reach the tracker, e.g. what a login with fewer read classes would receive. */
  filter?: (msg: AmiMessage) => boolean;
}

export interface CaptureReplayResult {
  /** Ended calls, in the order they ended. */
  ended: CallRecord[];
  /** Calls still open after the last capture. */
  open: CallRecord[];
  events: CallTrackerEvent[];
}

/**
 * Replays captures, in the given order, into ONE tracker: each message at the arrival time
 * recorded in its `.timing.jsonl`. A capture that ends without `Response: Goodbye` was cut
 * off: that is a lost connection, and the next capture's greeting a reconnect.
 */
export function replayCaptures(captures: (string | Capture)[], options: CaptureReplayOptions = {}): CaptureReplayResult {
  const pbx = options.pbx ?? 'pbx';
  const tracker = options.tracker ?? new CallTracker();
  const events: CallTrackerEvent[] = [];
  let lastAt = 0;
  for (const source of captures) {
    const capture = typeof source === 'string' ? loadCapture(source) : source;
    const messages = parseCapture(capture, pbx);
    for (const msg of messages) {
      if (options.filter && !options.filter(msg)) continue;
      for (const e of tracker.handle(msg)) events.push(e);
    }
    const last = capture.chunks[capture.chunks.length - 1];
    lastAt = last?.at ?? lastAt;
    const saidGoodbye = messages.some((m) => m.kind === 'response' && m.name === 'Goodbye');
    if (!saidGoodbye) for (const e of tracker.connectionLost(pbx, lastAt)) events.push(e);
  }
  return {
    ended: events.filter((e) => e.type === 'ended').map((e) => e.call),
    open: tracker.openCalls(pbx, lastAt),
    events,
  };
}
