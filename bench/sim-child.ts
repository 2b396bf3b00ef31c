/**
 * pbx-sim in a child process of a benchmark (its own event loop and CPU account), talked to over
 * IPC: messages with a `type`, a `ready` one first (with the AMI port), `failed` when it gave up.
 */
import { ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';

type Message = { type: string };

export class SimChild<To extends Message, From extends Message> {
  private constructor(readonly child: ChildProcess) {}

  /** Forks `script` (run through scripts/run.cjs) with one JSON argument; resolves once it sent `ready`. */
  static async start<To extends Message, From extends Message>(script: string, argument: unknown): Promise<{ child: SimChild<To, From>; ready: Extract<From, { type: 'ready' }> }> {
    const child = new SimChild<To, From>(fork(resolve(__dirname, '../scripts/run.cjs'), [script, JSON.stringify(argument)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const ready = await child.answer('ready' as From['type'] & 'ready', 60_000);
    return { child, ready: ready as Extract<From, { type: 'ready' }> };
  }

  get pid(): number {
    return this.child.pid!;
  }

  send(message: To): void {
    this.child.send(message);
  }

  /** The next message of `type`; rejects on `failed`, on the child's exit, or after `timeoutMs`. */
  answer<T extends From['type']>(type: T, timeoutMs: number): Promise<Extract<From, { type: T }>> {
    const child = this.child;
    return new Promise((resolveAnswer, reject) => {
      const timer = setTimeout(() => finish(new Error(`pbx-sim worker: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: From & { message?: string }) => {
        if (m.type === type) finish(null, m as Extract<From, { type: T }>);
        else if (m.type === 'failed') finish(new Error(`pbx-sim worker: ${m.message}`));
      };
      const onExit = (code: number | null) => finish(new Error(`pbx-sim worker exited (${code}) before "${type}"`));
      const finish = (error: Error | null, value?: Extract<From, { type: T }>) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolveAnswer(value!);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  /** Asks it to exit (`exit` message), killing it after 10 s. */
  async exit(message: To): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.send(message);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
