import * as net from 'node:net';

/** What the CRM's logins send on their own: not commands. */
const HOUSEKEEPING = new Set(['login', 'logoff', 'ping', 'coreshowchannels', 'events']);

/**
 * A TCP proxy in front of a PBX (pbx-sim) that keeps every byte the CRM sends, so a test can
 * assert the exact AMI actions a command produced, and that a refused command produced none.
 */
export class AmiTap {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly sent: string[] = [];
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<this> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      let pending = '';
      client.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        let end: number;
        while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
          this.sent.push(pending.slice(0, end + 4));
          pending = pending.slice(end + 4);
        }
      });
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** How many actions were sent so far: pass it to `commandsSince` to see what one command sent. */
  get mark(): number {
    return this.sent.length;
  }

  /** The actions (not logins, pings or listings) sent since `mark`, exactly as written, with each ActionID shown as `<id>`. */
  commandsSince(mark = 0): string[] {
    return this.sent
      .slice(mark)
      .filter((text) => !HOUSEKEEPING.has(/^Action: ([^\r]*)/.exec(text)?.[1]?.toLowerCase() ?? ''))
      .map((text) => text.replace(/^ActionID: .*$/m, 'ActionID: <id>'));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** An action as the tap shows it: `Action: X`, `ActionID: <id>`, then the fields in order. */
export function amiAction(action: string, fields: Array<[string, string | number]>): string {
  return [`Action: ${action}`, 'ActionID: <id>', ...fields.map(([key, value]) => `${key}: ${value}`)].join('\r\n') + '\r\n\r\n';
}
