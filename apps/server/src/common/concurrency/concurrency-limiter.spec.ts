import { ConcurrencyLimiter, LimiterFullError } from './concurrency-limiter';

/** A task that finishes when told to, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { open: () => open(), run: (limiter: ConcurrencyLimiter) => limiter.run(async () => (log.push(name), await done, name)) };
}

describe('ConcurrencyLimiter', () => {
  it('runs at most N at once, in arrival order, and hands a freed slot to the next waiter', async () => {
    const limiter = new ConcurrencyLimiter(2, 10);
    const log: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((name) => gate(log, name));
    const results = gates.map((g) => g.run(limiter));
    await Promise.resolve();
    expect(log).toEqual(['a', 'b']);
    expect(limiter.load()).toEqual({ running: 2, queued: 2, peakRunning: 2 });
    gates[1].open();
    await results[1];
    // A task arriving while c takes b's slot must not overtake d or exceed the bound.
    const late = gate(log, 'e');
    const lateResult = late.run(limiter);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a', 'b', 'c']);
    for (const g of [gates[0], gates[2], gates[3], late]) g.open();
    expect(await Promise.all([...results, lateResult])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(limiter.load()).toEqual({ running: 0, queued: 0, peakRunning: 2 });
  });

  it('refuses a task at once when the queue is full, and frees the slot of a task that failed', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const log: string[] = [];
    const first = gate(log, 'first');
    const running = first.run(limiter);
    const queued = limiter.run(async () => 'queued');
    await expect(limiter.run(async () => 'refused')).rejects.toBeInstanceOf(LimiterFullError);
    first.open();
    await running;
    expect(await queued).toBe('queued');
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'after')).toBe('after');
    expect(limiter.load()).toMatchObject({ running: 0, queued: 0, peakRunning: 1 });
  });
});
