import { connect, Socket } from 'node:net';
import { AmiParser, type AmiMessage } from '@app/ami';

/**
 * A bare manager client for tests: raw writes, every message kept, and waits that
 * end on the awaited message (or fail after a deadline), never on fixed sleeps.
 */
export class AmiTestClient {
  readonly messages: AmiMessage[] = [];
  readonly chunks: Buffer[] = [];
  greeting = '';
  private readonly parser = new AmiParser();
  private waiters: { pred: (m: AmiMessage) => boolean; resolve: (m: AmiMessage) => void }[] = [];
  private nextId = 1;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      for (const m of this.parser.push(chunk)) {
        if (m.kind === 'greeting') {
          this.greeting = m.name;
          continue;
        }
        this.messages.push(m);
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(m)) return true;
          w.resolve(m);
          return false;
        });
      }
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<AmiTestClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new AmiTestClient(socket);
  }

  /** Connects and logs in; resolves with the login response. */
  static async login(port: number, username: string, secret: string, extra: Record<string, string> = {}): Promise<AmiTestClient> {
    const c = await AmiTestClient.connect(port);
    const r = await c.action({ Action: 'Login', Username: username, Secret: secret, ...extra });
    if (r.get('Response') !== 'Success') throw new Error(`login failed: ${r.get('Message')}`);
    return c;
  }

  writeRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends an action with a fresh ActionID and resolves with its response. */
  action(fields: Record<string, string>, timeoutMs = 5000): Promise<AmiMessage> {
    const id = `t-${this.nextId++}`;
    const lines = Object.entries({ ...fields, ActionID: id }).map(([k, v]) => `${k}: ${v}\r\n`);
    this.socket.write(lines.join('') + '\r\n');
    return this.waitFor((m) => m.kind === 'response' && m.get('ActionID') === id, timeoutMs);
  }

  /** The first message (already received or still to come) that satisfies `pred`. */
  waitFor(pred: (m: AmiMessage) => boolean, timeoutMs = 5000): Promise<AmiMessage> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for an AMI message')), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  events(name?: string): AmiMessage[] {
    return this.messages.filter((m) => m.kind === 'event' && (name === undefined || m.name === name));
  }

  close(): void {
    this.socket.destroy();
  }
}
