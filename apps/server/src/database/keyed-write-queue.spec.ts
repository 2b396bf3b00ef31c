import { KeyedWriteQueue, laneIndex } from './keyed-write-queue';

interface Item {
  key: string;
  n: number;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedWriteQueue', () => {
  it('keeps the order of one key across batches and lanes', async () => {
    const written: Item[] = [];
    const queue = new KeyedWriteQueue<Item>({
      keyOf: (i) => i.key,
      lanes: 3,
      maxBatch: 7,
      flush: async (batch) => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        written.push(...batch);
      },
    });
    const keys = Array.from({ length: 20 }, (_, i) => `pbx\u0000${i}`);
    for (let n = 0; n < 500; n++) queue.push({ key: keys[n % keys.length], n });
    await queue.drain();
    expect(written).toHaveLength(500);
    for (const key of keys) {
      const ns = written.filter((i) => i.key === key).map((i) => i.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    expect(queue.stats).toMatchObject({ pending: 0, written: 500, dropped: 0 });
  });

  it('batches what arrives while a flush is in flight', async () => {
    const batches: number[] = [];
    const gate = deferred();
    const queue = new KeyedWriteQueue<Item>({
      keyOf: (i) => i.key,
      flush: async (batch) => {
        batches.push(batch.length);
        if (batches.length === 1) await gate.promise;
      },
    });
    queue.push({ key: 'a', n: 0 });
    await new Promise((r) => setImmediate(r));
    for (let n = 1; n <= 50; n++) queue.push({ key: 'a', n });
    gate.resolve();
    await queue.drain();
    expect(batches).toEqual([1, 50]);
  });

  it('gathers what arrives during a write until its oldest item has waited gatherMs', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const batches: Array<{ at: number; ns: number[] }> = [];
      const queue = new KeyedWriteQueue<Item>({
        keyOf: (i) => i.key,
        gatherMs: 40,
        flush: async (batch) => {
          batches.push({ at: Date.now(), ns: batch.map((i) => i.n) });
          await new Promise((r) => setTimeout(r, 5));
        },
      });
      // An item every 2 ms for 200 ms: a moderate, steady load.
      for (let n = 0; n < 100; n++) {
        queue.push({ key: `k${n % 7}`, n });
        await jest.advanceTimersByTimeAsync(2);
      }
      await jest.advanceTimersByTimeAsync(200);
      // Each batch went when its first item was 40 ms old, not as soon as the write before it ended.
      expect(batches.length).toBeLessThanOrEqual(6);
      for (const { at, ns } of batches) expect(at - ns[0] * 2).toBeGreaterThanOrEqual(40);
      for (const { at, ns } of batches) expect(at - ns[0] * 2).toBeLessThanOrEqual(40 + 5 + 2);
      expect(batches.flatMap((b) => b.ns)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends a gathering window as soon as gatherItems items wait: a heavy load is not held for the whole window', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const batches: Array<{ at: number; size: number }> = [];
      const queue = new KeyedWriteQueue<Item>({
        keyOf: (i) => i.key,
        gatherMs: 60,
        gatherItems: 10,
        flush: async (batch) => {
          batches.push({ at: Date.now(), size: batch.length });
          await new Promise((r) => setTimeout(r, 5));
        },
      });
      // 10 items a millisecond: a full batch waits after 1 ms, long before the window ends.
      for (let ms = 0; ms < 20; ms++) {
        for (let n = 0; n < 10; n++) queue.push({ key: `k${n}`, n: ms * 10 + n });
        await jest.advanceTimersByTimeAsync(1);
      }
      await jest.advanceTimersByTimeAsync(200);
      expect(batches.reduce((sum, b) => sum + b.size, 0)).toBe(200);
      // The first went at once (10 waited), every later one with all that arrived meanwhile (40-50, more
      // than 10) as soon as the write before it ended (5 ms each): none waited out a 60 ms window.
      expect(batches).toEqual([0, 5, 10, 15, 20].map((at, i) => ({ at, size: [10, 40, 50, 50, 50][i] })));
    } finally {
      jest.useRealTimers();
    }
  });

  it('caps the batch size', async () => {
    const batches: number[] = [];
    const queue = new KeyedWriteQueue<Item>({ keyOf: (i) => i.key, maxBatch: 4, flush: async (b) => void batches.push(b.length) });
    for (let n = 0; n < 10; n++) queue.push({ key: 'k', n });
    await queue.drain();
    expect(batches).toEqual([4, 4, 2]);
  });

  it('retries a transient failure with the same batch until it lands', async () => {
    let failures = 2;
    const written: number[] = [];
    const queue = new KeyedWriteQueue<Item>({
      keyOf: (i) => i.key,
      isTransient: (e) => (e as Error).message === 'connection lost',
      retryDelayMs: { min: 1, max: 2 },
      flush: async (batch) => {
        if (failures-- > 0) throw new Error('connection lost');
        written.push(...batch.map((i) => i.n));
      },
    });
    queue.push({ key: 'a', n: 1 });
    queue.push({ key: 'a', n: 2 });
    await queue.drain();
    expect(written).toEqual([1, 2]);
    expect(queue.stats).toMatchObject({ retries: 2, dropped: 0, written: 2 });
  });

  it('drops only the key whose writes fail for good', async () => {
    const written: string[] = [];
    const dropped: string[] = [];
    const queue = new KeyedWriteQueue<Item>({
      keyOf: (i) => i.key,
      onDropped: (items) => dropped.push(...items.map((i) => `${i.key}${i.n}`)),
      flush: async (batch) => {
        if (batch.some((i) => i.key === 'bad')) throw new Error('value too long');
        written.push(...batch.map((i) => `${i.key}${i.n}`));
      },
    });
    queue.push({ key: 'a', n: 1 });
    queue.push({ key: 'bad', n: 1 });
    queue.push({ key: 'b', n: 1 });
    queue.push({ key: 'bad', n: 2 });
    await queue.drain();
    expect(written.sort()).toEqual(['a1', 'b1']);
    expect(dropped).toEqual(['bad1', 'bad2']);
    expect(queue.stats.dropped).toBe(2);
  });

  it('refuses items after close and resolves close after the queued ones', async () => {
    const written: number[] = [];
    const queue = new KeyedWriteQueue<Item>({ keyOf: (i) => i.key, flush: async (b) => void written.push(...b.map((i) => i.n)) });
    queue.push({ key: 'a', n: 1 });
    await queue.close();
    expect(written).toEqual([1]);
    expect(() => queue.push({ key: 'a', n: 2 })).toThrow('closed');
  });

  it('rejects nonsense options', () => {
    expect(() => new KeyedWriteQueue<Item>({ keyOf: (i) => i.key, flush: async () => undefined, lanes: 0 })).toThrow(RangeError);
    expect(() => new KeyedWriteQueue<Item>({ keyOf: (i) => i.key, flush: async () => undefined, maxBatch: 0 })).toThrow(RangeError);
    expect(() => new KeyedWriteQueue<Item>({ keyOf: (i) => i.key, flush: async () => undefined, gatherItems: 0.5 })).toThrow(RangeError);
  });

  it('spreads keys over lanes deterministically', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[laneIndex(`pbx-1\u00001795696${i}.${i * 2}`, 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(laneIndex('same', 7)).toBe(laneIndex('same', 7));
  });
});

describe('KeyedWriteQueue.drain under continuous traffic', () => {
  it('resolves once the items pushed before it are written, while new ones keep arriving', async () => {
    const written: number[] = [];
    const queue = new KeyedWriteQueue<Item>({
      keyOf: (i) => i.key,
      lanes: 2,
      flush: async (batch) => {
        await new Promise((r) => setTimeout(r, 2));
        written.push(...batch.map((i) => i.n));
      },
    });
    for (let n = 0; n < 20; n++) queue.push({ key: `k${n % 5}`, n });
    let n = 20;
    const feeder = setInterval(() => queue.push({ key: `k${n % 5}`, n: n++ }), 1);
    await queue.drain();
    clearInterval(feeder);
    for (let i = 0; i < 20; i++) expect(written).toContain(i);
    await queue.drain();
    expect(written).toHaveLength(n);
  });

  it('asks its producer to stop at the high-water mark and to go on back under half of it', async () => {
    const gate = deferred();
    const signals: boolean[] = [];
    const queue = new KeyedWriteQueue<Item>({
      keyOf: (i) => i.key,
      maxBatch: 10,
      highWater: 40,
      onPressure: (full) => signals.push(full),
      flush: () => gate.promise,
    });
    for (let n = 0; n < 39; n++) queue.push({ key: `k${n}`, n });
    expect(signals).toEqual([]);
    queue.push({ key: 'k39', n: 39 });
    expect(signals).toEqual([true]);
    for (let n = 40; n < 60; n++) queue.push({ key: `k${n}`, n });
    expect(signals).toEqual([true]);
    gate.resolve();
    await queue.drain();
    expect(signals).toEqual([true, false]);
    expect(queue.pending).toBe(0);
  });

  it('gives up closing after its deadline while the database stays down, handing back what was not written', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const queue = new KeyedWriteQueue<Item>({
      keyOf: (i) => i.key,
      isTransient: () => true,
      retryDelayMs: { min: 5, max: 20 },
      flush: () => Promise.reject(down),
    });
    for (let n = 0; n < 5; n++) queue.push({ key: `k${n}`, n });
    const started = Date.now();
    const left = await queue.close(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(left.map((i) => i.n).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(() => queue.push({ key: 'late', n: 9 })).toThrow(/closed/);
  });

  it('writes what waits in a gathering window as soon as it is closed, not when the window ends', async () => {
    const batches: number[][] = [];
    const queue = new KeyedWriteQueue<Item>({ keyOf: (i) => i.key, gatherMs: 60_000, flush: async (batch) => void batches.push(batch.map((i) => i.n)) });
    for (let n = 0; n < 3; n++) queue.push({ key: `k${n}`, n });
    const started = Date.now();
    expect(await queue.close(5000)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(batches).toEqual([[0, 1, 2]]);
  });

  it('closes with nothing left when everything is written in time', async () => {
    const queue = new KeyedWriteQueue<Item>({ keyOf: (i) => i.key, flush: async () => undefined });
    queue.push({ key: 'a', n: 1 });
    expect(await queue.close(1000)).toEqual([]);
  });
});
