import { Client, type ClientConfig } from 'pg';

/**
 * PostgreSQL session advisory locks that elect one writer per PBX: only the process
 * holding a PBX's lock ingests its calls (DESIGN.md section 1). The locks live as long
 * as this dedicated connection; if it drops, every lock is gone at once and `onLost`
 * fires so the owner stops ingesting before another process takes over.
 */
export class IngestLock {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private readonly held = new Set<string>();
  private lostListener: (() => void) | null = null;
  /** One query at a time on the session (pg queues them anyway, but deprecates doing so). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: ClientConfig) {}

  onLost(listener: () => void): void {
    this.lostListener = listener;
  }

  /** True when this process now holds (or already held) the PBX's lock. Never waits for the holder. */
  tryAcquire(pbxId: string): Promise<boolean> {
    return this.serial(async () => {
      if (this.held.has(pbxId)) return true;
      const client = await this.connection();
      const [row] = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('crm-call-ingest'), hashtext($1)) AS ok`, [pbxId])).rows;
      if (row?.ok) this.held.add(pbxId);
      return row?.ok === true;
    });
  }

  release(pbxId: string): Promise<void> {
    return this.serial(async () => {
      if (!this.held.delete(pbxId) || !this.client) return;
      await this.client.query(`SELECT pg_advisory_unlock(hashtext('crm-call-ingest'), hashtext($1))`, [pbxId]).catch(() => undefined);
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
