import { Logger } from '@nestjs/common';
import { Client, type ClientConfig } from 'pg';

/**
 * Holds one dedicated connection that LISTENs on a PostgreSQL channel and
 * reconnects (capped backoff) when it drops. `onReady` runs after each
 * (re)subscription: notifications sent while disconnected are lost, so the
 * owner reloads whatever it caches there.
 */
export class PgNotificationListener {
  private readonly logger = new Logger(PgNotificationListener.name);
  private client: Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onNotify: (payload: string | undefined) => void,
    private readonly onReady: () => void,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid LISTEN channel name: ${channel}`);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client(this.config);
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (n) => {
      if (n.channel === this.channel) this.onNotify(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.onReady();
  }

  private lost(client: Client, error: unknown): void {
    if (this.client !== null && this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.stopped || this.retryTimer) return;
    const delayMs = Math.min(30_000, 500 * 2 ** this.attempt++);
    this.logger.warn(`LISTEN ${this.channel} connection lost (${error instanceof Error ? error.message : 'closed'}); retrying in ${delayMs} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delayMs);
  }
}
