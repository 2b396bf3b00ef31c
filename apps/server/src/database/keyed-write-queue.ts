/**
 * Batches writes for the database without reordering the writes of one key.
 *
 * Items are routed to a lane by a hash of their key, so all items of one call
 * go through the same lane in arrival order, while different calls can be
 * written by several lanes at once. Each lane has at most one flush in flight;
 * items that arrive meanwhile accumulate and go out together in the next
 * flush, so batches grow by themselves under load. An idle lane waits
 * `gatherMs` after its first item before flushing, so a moderate load makes a
 * few larger statements instead of one tiny statement per event-loop turn
 * (each statement costs the database far more than each of its rows); 0
 * flushes on the next turn. A window ends early once `gatherItems` items
 * wait: a heavy load fills batches by itself, and holding them longer would
 * only add delay (and make each statement longer).
 *
 * A failed flush is never silently lost: a transient failure (the database is
 * down, a connection dropped) retries the same batch with capped backoff until
 * it succeeds; any other failure splits the batch per key, so one bad call is
 * reported through `onDropped` and the other calls of the batch still land.
 *
 * The queue never refuses an item (its producer, a PBX's event stream, cannot be told "no"),
 * so it is bounded by asking the producer to stop: `onPressure(true)` once `highWater` items
 * are queued or being written, `onPressure(false)` once they are back under half of it.
 * `close` can give up after a deadline and hands back what was not written.
 */
export interface KeyedWriteQueueOptions<T> {
  flush: (batch: T[]) => Promise<void>;
  keyOf: (item: T) => string;
  /** Parallel flushes; one lane keeps a strict global order. */
  lanes?: number;
  /** Most items per flush. */
  maxBatch?: number;
  /** How long an idle lane gathers items before it flushes (default 0: the next event-loop turn). */
  gatherMs?: number;
  /** A gathering window ends as soon as this many items wait (default `maxBatch`). */
  gatherItems?: number;
  isTransient?: (error: unknown) => boolean;
  /** Items given up on after a non-transient failure of their key alone. */
  onDropped?: (items: T[], error: unknown) => void;
  /** Told about every failed attempt before the retry or split. */
  onFlushError?: (error: unknown, batchSize: number, transient: boolean) => void;
  retryDelayMs?: { min: number; max: number };
  /** Items queued or in flight at which `onPressure(true)` fires; `onPressure(false)` fires back under half. */
  highWater?: number;
  onPressure?: (full: boolean) => void;
}

export interface KeyedWriteQueueStats {
  pending: number;
  written: number;
  batches: number;
  dropped: number;
  retries: number;
  largestBatch: number;
}

interface Lane<T> {
  items: T[];
  /** The batch being written. */
  inFlight: T[];
  flushing: boolean;
  /** Items ever pushed to / finished by this lane: `drain` waits on these, not on idleness. */
  pushed: number;
  done: number;
  /** When the oldest item waiting in `items` arrived (Date.now()). */
  oldestAt: number;
  /** Ends the lane's current gathering wait early (set while it waits): closing writes at once. */
  stopGathering: (() => void) | null;
}

interface DrainWaiter {
  targets: number[];
  resolve: () => void;
}

export class KeyedWriteQueue<T> {
  private readonly lanes: Lane<T>[];
  private readonly maxBatch: number;
  private readonly gatherItems: number;
  private readonly retryDelay: { min: number; max: number };
  private drainWaiters: DrainWaiter[] = [];
  private closed = false;
  /** Closing gave up: flushes stop retrying, their items are handed back by `close`. */
  private abandoned = false;
  private full = false;
  private readonly counters = { written: 0, batches: 0, dropped: 0, retries: 0, largestBatch: 0 };

  constructor(private readonly options: KeyedWriteQueueOptions<T>) {
    const lanes = options.lanes ?? 1;
    if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`lanes must be a positive integer, got ${lanes}`);
    this.maxBatch = options.maxBatch ?? 1000;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer`);
    this.gatherItems = options.gatherItems ?? this.maxBatch;
    if (!Number.isInteger(this.gatherItems) || this.gatherItems < 1) throw new RangeError(`gatherItems must be a positive integer`);
    this.retryDelay = options.retryDelayMs ?? { min: 50, max: 5000 };
    this.lanes = Array.from({ length: lanes }, () => ({ items: [], inFlight: [], flushing: false, pushed: 0, done: 0, oldestAt: 0, stopGathering: null }));
  }

  push(item: T): void {
    if (this.closed) throw new Error('KeyedWriteQueue is closed');
    const lane = this.lanes[this.lanes.length === 1 ? 0 : laneIndex(this.options.keyOf(item), this.lanes.length)];
    if (lane.items.length === 0 && this.options.gatherMs) lane.oldestAt = Date.now();
    lane.items.push(item);
    lane.pushed++;
    // Enough items wait: the window is there to make statements larger, and under a heavy load
    // they are large already, so the batch goes now instead of a window later.
    if (lane.stopGathering !== null && lane.items.length >= this.gatherItems) lane.stopGathering();
    const highWater = this.options.highWater;
    if (highWater !== undefined && !this.full && this.pending >= highWater) {
      this.full = true;
      this.options.onPressure?.(true);
    }
    if (!lane.flushing) {
      lane.flushing = true;
      // Let the rest of the current socket read (and, with gatherMs, the next few) enqueue first, so they share one batch.
      const gatherMs = this.options.gatherMs ?? 0;
      if (gatherMs > 0) void this.gather(lane, gatherMs).then(() => this.run(lane));
      else setImmediate(() => void this.run(lane));
    }
  }

  get stats(): KeyedWriteQueueStats {
    return { pending: this.pending, ...this.counters };
  }

  /** Items queued or being written. */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes) n += lane.items.length + lane.inFlight.length;
    return n;
  }

  /**
   * Resolves once every item pushed so far is written or dropped; items pushed later do
   * not delay it, so it also settles under continuous traffic.
   */
  drain(): Promise<void> {
    const targets = this.lanes.map((lane) => lane.pushed);
    if (this.reached(targets)) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ targets, resolve }));
  }

  /**
   * Refuses new items and waits for the ones already queued, for at most `deadlineMs`: then it
   * stops retrying and resolves with the items not written (empty when all were).
   */
  async close(deadlineMs = Infinity): Promise<T[]> {
    this.closed = true;
    // What waits in a gathering window is written now: a process that is stopping has no
    // window to spare (the database may be about to go).
    for (const lane of this.lanes) lane.stopGathering?.();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.drain().then(() => false),
      new Promise<boolean>((resolve) => {
        if (Number.isFinite(deadlineMs)) timer = setTimeout(() => resolve(true), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (!timedOut) return [];
    this.abandoned = true;
    return this.lanes.flatMap((lane) => [...lane.inFlight, ...lane.items.splice(0)]);
  }

  private reached(targets: number[]): boolean {
    return this.lanes.every((lane, i) => lane.done >= targets[i]);
  }

  private async run(lane: Lane<T>): Promise<void> {
    const gatherMs = this.options.gatherMs ?? 0;
    while (lane.items.length > 0 && !this.abandoned) {
      const batch = lane.items.splice(0, this.maxBatch);
      lane.inFlight = batch;
      await this.write(batch);
      lane.inFlight = [];
      lane.done += batch.length;
      this.wakeDrainers();
      this.relievePressure();
      // What arrived during the write gathers too, until its oldest item has waited gatherMs or
      // gatherItems wait (then it goes at once): written straight away, a moderate load became a
      // statement after every statement (bench:load at 100 calls/s: ~44 a second, not the ~25 of 40 ms).
      if (gatherMs > 0 && lane.items.length > 0 && lane.items.length < this.gatherItems && !this.abandoned) {
        const wait = lane.oldestAt + gatherMs - Date.now();
        if (wait > 0) await this.gather(lane, wait);
      }
    }
    lane.flushing = false;
  }

  /** Waits `ms` for more items, or less once the queue is closing. */
  private gather(lane: Lane<T>, ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        lane.stopGathering = null;
        resolve();
      }
      lane.stopGathering = done;
    });
  }

  private relievePressure(): void {
    if (!this.full || this.pending > (this.options.highWater ?? 0) / 2) return;
    this.full = false;
    this.options.onPressure?.(false);
  }

  private wakeDrainers(): void {
    if (this.drainWaiters.length === 0) return;
    const ready = this.drainWaiters.filter((w) => this.reached(w.targets));
    if (ready.length === 0) return;
    this.drainWaiters = this.drainWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  private async write(batch: T[]): Promise<void> {
    let attempt = 0;
    for (;;) {
      try {
        await this.options.flush(batch);
        this.counters.written += batch.length;
        this.counters.batches++;
        if (batch.length > this.counters.largestBatch) this.counters.largestBatch = batch.length;
        return;
      } catch (error) {
        const transient = this.options.isTransient?.(error) ?? false;
        this.options.onFlushError?.(error, batch.length, transient);
        if (transient) {
          if (this.abandoned) return;
          this.counters.retries++;
          await delay(Math.min(this.retryDelay.max, this.retryDelay.min * 2 ** attempt++));
          if (this.abandoned) return;
          continue;
        }
        await this.isolate(batch, error);
        return;
      }
    }
  }

  /** Writes each key's items on their own, so only the key that fails is dropped. */
  private async isolate(batch: T[], error: unknown): Promise<void> {
    const groups = groupByKey(batch, this.options.keyOf);
    if (groups.length === 1) {
      this.counters.dropped += batch.length;
      this.options.onDropped?.(batch, error);
      return;
    }
    for (const group of groups) await this.write(group);
  }
}

function groupByKey<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/** FNV-1a: cheap, stable across processes, spreads short keys well. */
export function laneIndex(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % lanes;
}

function delay(ms: number): Promise<void> {
  // Unref'd: a retry pause never keeps a process that is shutting down alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
