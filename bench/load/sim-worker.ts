/**
 * The bench's handle on pbx-sim running in a child process (bench/load/sim-worker-main.ts):
 * its own event loop and CPU account, so the simulator never competes with the consumer
 * inside one process. The child streams what it did to each call (placed, first event a
 * consumer writes, last Hangup) with its own clock readings; `rate`, `stop` and `report`
 * answer with its counters.
 */
import { ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';

export const SIM_USER = { username: 'bench', secret: 'bench-secret' };

export type ToSimWorker = { type: 'rate'; cps: number } | { type: 'stop' } | { type: 'report' } | { type: 'exit' };

/** `[linkedid, ms since epoch]` pairs, read from the simulator's clock when it sent the event. */
export type Stamped = [linkedid: string, at: number];

/** A placed call and the final status its script must end in (answered, missed, busy, abandoned, failed). */
export type Placed = [linkedid: string, status: string];

/**
 * What happened to the calls since the last message. Every placed call is listed (in batches,
 * no hurry); the times of the sampled calls' events go out in the turn of the event loop in which
 * the AMI server writes those events to its sockets, so the parent can start looking for them.
 */
export interface SimCallFacts {
  /** Number of `rate`/`stop` commands the simulator had obeyed when these happened: 1 = the first rate step. */
  epoch: number;
  /** The calls the traffic generator placed. */
  placed: Placed[];
  /**
   * Sampled calls (about `sampleCps` a second: every k-th call of a step): their first DialBegin,
   * MonitorStart or MixMonitorStart, the first event from which the call tracker makes a write
   * (a ringing call, or a recording that starts before the dial).
   */
  firstWrites: Stamped[];
  /** Sampled calls: their last channel hung up (the call's last Hangup event). */
  ends: Stamped[];
}

export interface SimReport {
  /** The simulator's clock when it answered. */
  at: number;
  events: number;
  cpuMs: number;
  rss: number;
  activeCalls: number;
  placedTotal: number;
  skipped: number;
  /** AMI sessions connected, actions received, slow clients dropped (as Asterisk's writetimeout would). */
  sessions: number;
  actions: number;
  slowClientsDropped: number;
}

export type FromSimWorker =
  | { type: 'ready'; port: number }
  | ({ type: 'calls' } & SimCallFacts)
  | { type: 'report'; report: SimReport }
  | { type: 'failed'; message: string };

const ANSWER_TIMEOUT_MS = 30_000;

export class SimWorker {
  /** Answers awaited, in order; null when the worker exited first. */
  private readonly waiting: Array<(report: SimReport | null) => void> = [];
  private readonly exited: Promise<void>;
  private failure: Error | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly onCalls: (facts: SimCallFacts) => void,
  ) {
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.failure ??= new Error(`pbx-sim worker exited (${signal ?? `code ${code}`})`);
        for (const waiter of this.waiting.splice(0)) waiter(null);
        done();
      }),
    );
    child.on('message', (m: FromSimWorker) => {
      if (m.type === 'calls') this.onCalls(m);
      else if (m.type === 'report') this.waiting.shift()?.(m.report);
      else if (m.type === 'failed') this.failure = new Error(`pbx-sim worker: ${m.message}`);
    });
  }

  /** Forks the simulator and resolves once its AMI port listens. */
  static async start(seed: number, sampleCps: number, onCalls: (facts: SimCallFacts) => void): Promise<{ worker: SimWorker; port: number }> {
    const child = fork(resolve(__dirname, '../../scripts/run.cjs'), [resolve(__dirname, 'sim-worker-main.ts'), String(seed), String(sampleCps)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new SimWorker(child, onCalls);
    const port = await new Promise<number>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error('pbx-sim worker did not start within 30 s')), ANSWER_TIMEOUT_MS);
      child.on('message', (m: FromSimWorker) => {
        if (m.type !== 'ready' && m.type !== 'failed') return;
        clearTimeout(timer);
        if (m.type === 'ready') ready(m.port);
        else fail(new Error(`pbx-sim worker: ${m.message}`));
      });
      child.once('exit', (code) => fail(new Error(`pbx-sim worker exited (${code}) before it listened`)));
    });
    return { worker, port };
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Sets the call rate (starting the traffic); answers with the counters at the switch. */
  rate(cps: number): Promise<SimReport> {
    return this.ask({ type: 'rate', cps });
  }

  stop(): Promise<SimReport> {
    return this.ask({ type: 'stop' });
  }

  report(): Promise<SimReport> {
    return this.ask({ type: 'report' });
  }

  async exit(): Promise<void> {
    if (this.child.exitCode === null && this.child.connected) this.child.send({ type: 'exit' } satisfies ToSimWorker);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Every message of the child arrives in order, so facts sent before an answer are handled before it. */
  private ask(message: ToSimWorker): Promise<SimReport> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.child.connected) return Promise.reject(new Error('pbx-sim worker is gone'));
    return new Promise((answer, fail) => {
      const timer = setTimeout(() => fail(this.failure ?? new Error(`pbx-sim worker did not answer "${message.type}" within 30 s`)), ANSWER_TIMEOUT_MS);
      this.waiting.push((report) => {
        clearTimeout(timer);
        if (report) answer(report);
        else fail(this.failure);
      });
      this.child.send(message);
    });
  }
}
