/**
 * The realtime bench's handle on pbx-sim in a child process (realtime-sim-main.ts): its own
 * event loop and CPU account. The child plays an office of `operators` phones; `run` places
 * generated calls for a while, waits until every call has hung up and answers with when each
 * phone started ringing (the AMI event the popup follows from) and which calls were placed.
 */
import { ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';

export const SIM_USER = { username: 'bench', secret: 'bench-secret' };

/** Extensions 2001, 2002, ...; operator i owns extension FIRST_EXTENSION + i and DID didOf(i). */
export const FIRST_EXTENSION = 2001;
export const QUEUE_DID = '74950000000';
export const didOf = (index: number): string => `7495100${String(index).padStart(4, '0')}`;

export interface SimOffice {
  operators: number;
  /** Members of the ring-all `support` queue: the first operators. */
  queueMembers: number;
  seed: number;
}

/** `[linkedid, channel, extension, ms since epoch]`: the first event saying the phone rings, when the simulator sent it. */
export type Ring = [linkedid: string, channel: string, extension: string, at: number];

export interface SimRunResult {
  rings: Ring[];
  /** Linkedids of the calls placed, with the time the traffic placed them. */
  placed: Array<[linkedid: string, at: number]>;
  events: number;
  cpuMs: number;
}

export type ToRealtimeSim = { type: 'run'; cps: number; seconds: number } | { type: 'exit' };
export type FromRealtimeSim = { type: 'ready'; port: number } | ({ type: 'done' } & SimRunResult) | { type: 'failed'; message: string };

export class RealtimeSim {
  private constructor(private readonly child: ChildProcess) {}

  static async start(office: SimOffice): Promise<{ sim: RealtimeSim; port: number }> {
    const child = fork(resolve(__dirname, '../../scripts/run.cjs'), [resolve(__dirname, 'realtime-sim-main.ts'), JSON.stringify(office)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await RealtimeSim.answer(child, 'ready', 60_000);
    return { sim: new RealtimeSim(child), port: port.port };
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Places calls at `cps` for `seconds`, then resolves once every call has hung up. */
  async run(cps: number, seconds: number): Promise<SimRunResult> {
    this.child.send({ type: 'run', cps, seconds } satisfies ToRealtimeSim);
    const { type: _type, ...result } = await RealtimeSim.answer(this.child, 'done', (seconds + 120) * 1000);
    return result;
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.send({ type: 'exit' } satisfies ToRealtimeSim);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private static answer<T extends FromRealtimeSim['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<FromRealtimeSim, { type: T }>> {
    return new Promise((resolveAnswer, reject) => {
      const timer = setTimeout(() => finish(new Error(`pbx-sim worker: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: FromRealtimeSim) => {
        if (m.type === type) finish(null, m as Extract<FromRealtimeSim, { type: T }>);
        else if (m.type === 'failed') finish(new Error(`pbx-sim worker: ${m.message}`));
      };
      const onExit = (code: number | null) => finish(new Error(`pbx-sim worker exited (${code}) before "${type}"`));
      const finish = (error: Error | null, value?: Extract<FromRealtimeSim, { type: T }>) => {
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
}
