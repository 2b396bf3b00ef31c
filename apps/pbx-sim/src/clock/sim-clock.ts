/**
 * Time source for the simulated PBX. The engine never reads `Date.now()` or calls
 * `setTimeout` itself, so the same call flows run in real time (the server demo,
 * the CLI) or on a virtual clock that tests advance instantly and deterministically.
 */
export interface SimTimer {
  cancel(): void;
}

export interface SimClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `ms`; timers due at the same instant run in the order they were set. */
  setTimer(ms: number, fn: () => void): SimTimer;
}

export class RealClock implements SimClock {
  now(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): SimTimer {
    const handle = setTimeout(fn, Math.max(0, ms));
    // A pending ring or talk timer must not keep a finished process alive.
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. `advance(ms)` runs every timer due in that
 * window in (time, creation) order, so a test can replay ten minutes of calls in
 * milliseconds and get the same event stream on every run.
 */
export class VirtualClock implements SimClock {
  private current: number;
  private seq = 0;
  private readonly heap: PendingTimer[] = [];

  constructor(startAt: number = Date.UTC(2026, 10, 26, 12, 0, 0)) {
    this.current = startAt;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): SimTimer {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    this.runUntil(this.current + ms);
  }

  /** Runs timers until none is left or `limitMs` of virtual time has passed; returns the time reached. */
  runUntilIdle(limitMs = 24 * 3600_000): number {
    const limit = this.current + limitMs;
    while (this.heap.length > 0) {
      const next = this.peekLive();
      if (!next || next.at > limit) break;
      this.runUntil(next.at);
    }
    return this.current;
  }

  /** Number of timers still waiting (cancelled ones excluded). */
  get pending(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  private runUntil(target: number): void {
    for (;;) {
      const next = this.peekLive();
      if (!next || next.at > target) break;
      this.pop();
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = Math.max(this.current, target);
  }

  private peekLive(): PendingTimer | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    return this.heap[0];
  }

  private push(t: PendingTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): PendingTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: PendingTimer, b: PendingTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
