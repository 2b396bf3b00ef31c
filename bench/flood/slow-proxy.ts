/**
 * A TCP proxy in front of PostgreSQL that makes it slow or takes it away: `down()` drops every
 * connection and refuses new ones (the server stopped), `slow(ms)` holds every answer from the
 * server `ms` before passing it on (a saturated or distant database: each statement's round trip
 * takes that much longer), `restore()` makes it normal again. The shared server is never touched.
 */
import * as net from 'node:net';

export class SlowProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private listening = false;
  private delayMs = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    await this.listen(0);
    return this;
  }

  async down(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  async slow(delayMs: number): Promise<void> {
    this.delayMs = delayMs;
    if (!this.listening) await this.listen(this.port);
  }

  restore(): Promise<void> {
    return this.slow(0);
  }

  private async listen(port: number): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      // Answers are held in order: each chunk leaves `delayMs` after it arrived, never before the one ahead of it.
      const held: Array<[releaseAt: number, chunk: Buffer]> = [];
      let timer: NodeJS.Timeout | null = null;
      const release = (): void => {
        timer = null;
        while (held.length > 0 && held[0][0] <= Date.now()) client.destroyed || client.write(held.shift()![1]);
        if (held.length > 0) timer = setTimeout(release, held[0][0] - Date.now());
      };
      upstream.on('data', (chunk: Buffer) => {
        if (this.delayMs === 0 && held.length === 0) {
          client.write(chunk);
          return;
        }
        held.push([Date.now() + this.delayMs, chunk]);
        timer ??= setTimeout(release, held[0][0] - Date.now());
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => {
        this.server!.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    this.listening = true;
  }
}
