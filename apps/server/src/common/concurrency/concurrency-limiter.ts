/** The limiter's queue was full: the task was not started. */
export class LimiterFullError extends Error {
  constructor() {
    super('Too many tasks are waiting');
    this.name = 'LimiterFullError';
  }
}

export interface LimiterLoad {
  running: number;
  queued: number;
  /** The most tasks that ever ran at once. */
  peakRunning: number;
}

/**
 * Runs at most `concurrency` tasks at once, in arrival order, with at most `maxQueued`
 * waiting; a task arriving past that is refused at once (LimiterFullError) instead of
 * piling up. A finishing task hands its slot straight to the next one, so a task arriving
 * in between cannot overtake it and exceed the bound.
 */
export class ConcurrencyLimiter {
  private running = 0;
  private peakRunning = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxQueued) throw new LimiterFullError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.peakRunning = Math.max(this.peakRunning, this.running);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  load(): LimiterLoad {
    return { running: this.running, queued: this.waiting.length, peakRunning: this.peakRunning };
  }
}
