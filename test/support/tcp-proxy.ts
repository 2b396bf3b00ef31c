import * as net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server (PostgreSQL in the fault tests and the flood
 * bench): `cut()` drops every connection and refuses new ones, as a database that went down;
 * `restore()` accepts again; `delay(ms)` holds every answer from the server that long (a
 * saturated or distant database). The shared server itself is never touched.
 */
export class TcpProxy {
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

  /** Drops every connection and stops listening (new connections are refused). */
  async cut(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    if (!this.listening) await this.listen(this.port);
  }

  /** Every answer from the server leaves `ms` after it arrived (0: at once); listens again if cut. */
  async delay(ms: number): Promise<void> {
    this.delayMs = ms;
    await this.restore();
  }

  async stop(): Promise<void> {
    await this.cut();
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
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    this.listening = true;
  }
}
