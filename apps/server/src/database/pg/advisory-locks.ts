import { Client, type ClientConfig } from 'pg';

/**
 * PostgreSQL session advisory locks in one namespace, e.g. the election of one writer per PBX
 * (only the process holding a PBX's lock ingests its calls). The locks live as long as this
 * dedicated connection; if it drops, every lock is gone at once and `onLost` fires so the
 * owner stops what the locks guarded before another process takes over.
 */
export class AdvisoryLocks {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private readonly held = new Set<string>();
  private lostListener: (() => void) | null = null;
  /** One query at a time on the session (pg queues them anyway, but deprecates doing so). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: ClientConfig,
    /** Namespace of the keys (the lock's first int4 is its hash). */
    private readonly namespace: string,
  ) {}

  onLost(listener: () => void): void {
    this.lostListener = listener;
  }

  /** True when this process now holds (or already held) the lock of `key`. Never waits for the holder. */
  tryAcquire(key: string): Promise<boolean> {
    return this.serial(async () => {
      if (this.held.has(key)) return true;
      const client = await this.connection();
      const [row] = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok`, [this.namespace, key])).rows;
      if (row?.ok) this.held.add(key);
      return row?.ok === true;
    });
  }

  release(key: string): Promise<void> {
    return this.serial(async () => {
      if (!this.held.delete(key) || !this.client) return;
      await this.client.query(`SELECT pg_advisory_unlock(hashtext($1), hashtext($2))`, [this.namespace, key]).catch(() => undefined);
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the session, which releases every lock. */
  async close(): Promise<void> {
    this.held.clear();
    const client = this.client;
    this.client = null;
    this.lostListener = null;
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client(this.config);
      const lost = () => this.lost(client);
      client.on('error', lost);
      client.on('end', lost);
      try {
        await client.connect();
      } catch (error) {
        silence(client);
        throw error;
      } finally {
        this.connecting = null;
      }
      this.client = client;
      return client;
    })();
    return this.connecting;
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    silence(client);
    client.end().catch(() => undefined);
    if (this.held.size === 0) return;
    this.held.clear();
    this.lostListener?.();
  }
}

/** Detaches a dead client; a late 'error' on it must not become an uncaught exception. */
function silence(client: Client): void {
  client.removeAllListeners();
  client.on('error', () => undefined);
}
