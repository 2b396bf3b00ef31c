/**
 * The last `limit` ids seen, in a fixed ring: O(1) add and lookup, memory bounded however
 * long the tracker runs. Used to drop events that arrive after their channel hung up
 * (a `Cdr` after the final `Hangup`, a stray `VarSet`) instead of resurrecting the channel.
 */
export class RecentIds {
  private readonly ring: (string | undefined)[];
  private readonly ids = new Set<string>();
  private head = 0;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`RecentIds limit must be a positive integer, got ${limit}`);
    this.ring = new Array<string | undefined>(limit);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    const evicted = this.ring[this.head];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.ring[this.head] = id;
    this.head = (this.head + 1) % this.limit;
    this.ids.add(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
