/** A Map that forgets its oldest entries past `capacity` (insertion order; hits are refreshed). */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.map.size;
  }

  getOrCompute(key: K, compute: (key: K) => V): V {
    if (this.map.has(key)) {
      const hit = this.map.get(key) as V;
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const value = compute(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
    return value;
  }

  clear(): void {
    this.map.clear();
  }
}
