interface Entry<V> {
  expiresAt: number;
  value: Promise<V | null>;
}

/**
 * Cards (a company's or a user's name) read in batches and kept for a short while: a popup
 * must not wait for PostgreSQL on every ring, and a renamed company shows its new name within
 * `ttlMs`. Concurrent requests for one id share one read; a failed read is not kept.
 */
export class CardCache<V extends { id: string }> {
  private readonly entries = new Map<number, Entry<V>>();

  constructor(
    private readonly load: (ids: number[]) => Promise<V[]>,
    private readonly ttlMs: number,
    private readonly capacity: number,
  ) {}

  async get(id: number | string | null): Promise<V | null> {
    if (id === null) return null;
    return (await this.getMany([Number(id)])).get(String(id)) ?? null;
  }

  async getMany(ids: number[]): Promise<Map<string, V>> {
    const now = Date.now();
    const missing = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && !((this.entries.get(id)?.expiresAt ?? 0) > now));
    if (missing.length > 0) this.read(missing, now);
    const found = new Map<string, V>();
    for (const id of ids) {
      const value = await (this.entries.get(id)?.value ?? null);
      if (value) found.set(value.id, value);
    }
    return found;
  }

  private read(ids: number[], now: number): void {
    const loaded = this.load(ids).then((cards) => new Map(cards.map((card) => [card.id, card])));
    for (const id of ids) {
      this.entries.delete(id);
      this.entries.set(id, { expiresAt: now + this.ttlMs, value: loaded.then((cards) => cards.get(String(id)) ?? null, () => null) });
    }
    loaded.catch(() => {
      for (const id of ids) this.entries.delete(id);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as number);
  }
}
