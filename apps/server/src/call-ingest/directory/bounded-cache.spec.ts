import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  it('computes once per key and forgets the least recently used past its capacity', () => {
    const cache = new BoundedCache<string, string>(2);
    const computed: string[] = [];
    const get = (k: string) => cache.getOrCompute(k, (key) => (computed.push(key), key.toUpperCase()));
    expect(get('a')).toBe('A');
    expect(get('b')).toBe('B');
    expect(get('a')).toBe('A');
    expect(get('c')).toBe('C');
    expect(cache.size).toBe(2);
    get('a');
    get('b');
    expect(computed).toEqual(['a', 'b', 'c', 'b']);
  });

  it('caches null answers too', () => {
    const cache = new BoundedCache<string, string | null>(10);
    let calls = 0;
    cache.getOrCompute('x', () => (calls++, null));
    cache.getOrCompute('x', () => (calls++, null));
    expect(calls).toBe(1);
  });

  it('rejects a zero capacity', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});
