/**
 * Load bench: pbx-sim at rising call rates against a consumer, over real TCP.
 *
 *   npm run bench:load -- [--rates 25,50,100,200,300,400,600] [--step-seconds 10] [--seed 42] [--max-p99-ms 1000] [--consumer tracker]
 *
 * The simulator runs in a child process (its own event loop and CPU account) and
 * places generated calls at each rate for `--step-seconds`, then lets them finish.
 * The consumer in this process logs in over AMI with libs/ami's AmiConnection and
 * feeds every message to libs/ami's CallTracker. A rate is sustained when every call
 * the simulator placed was seen ended exactly once (by Linkedid), the number of calls
 * placed is within three standard deviations of the Poisson expectation (the
 * simulator kept up), and the 99th percentile event delay (arrival minus the
 * event's own `Timestamp:` header; both processes read the same wall clock) stays
 * under `--max-p99-ms`. Reported: the highest sustained rate, per step the delays,
 * CPU (% of one core) and RSS of both processes.
 *
 * Hook for the whole server: a consumer is anything that implements `LoadConsumer`
 * (start against the simulator's AMI port, report which Linkedids it saw end and the
 * event delays). `--consumer server` is where a consumer that starts apps/server with
 * ASTERISK_HOST/ASTERISK_PORT pointed at the simulator and reads finished calls back
 * from its API belongs, once the server's ingest is in place.
 */
import { fork, ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { resolve } from 'node:path';
import { AmiConnection } from '@app/ami/connection/ami-connection';
import { CallTracker } from '@app/ami/tracker/call-tracker';
import type { AmiMessage } from '@app/ami/protocol/ami-message';
import { startPbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { CallPlacer } from '../apps/pbx-sim/src/engine/call-placer';
import { SeededRandom } from '../apps/pbx-sim/src/random/seeded-random';
import { RealClock } from '../apps/pbx-sim/src/clock/sim-clock';
import { TrafficGenerator } from '../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile, TrafficProfile } from '../apps/pbx-sim/src/traffic/traffic-profile';

const USER = { username: 'bench', secret: 'bench-secret' };

/** Short calls so that high rates stay within a bounded number of live calls. */
const BENCH_PROFILE: Partial<TrafficProfile> = {
  maxConcurrent: 1_000_000,
  ringMs: { min: 300, max: 1500 },
  talkMs: { median: 2000, sigma: 0.5, min: 500, max: 8000 },
};

// ---- child: the simulator ---------------------------------------------------------------------------

type ToWorker = { type: 'rate'; cps: number } | { type: 'stop' } | { type: 'report' } | { type: 'exit' };
type FromWorker =
  | { type: 'ready'; port: number }
  | { type: 'report'; placed: string[]; active: number; events: number; cpuMicros: number; rss: number; amiBytes: number; skipped: number };

async function runWorker(seed: number): Promise<void> {
  // Unanswered calls give up after 5 s (not the dialplan's 20/60 s) so each step drains quickly.
  const sim = await startPbxSim({
    port: 0,
    seed,
    users: [USER],
    traffic: null,
    config: { recordingsPath: null, timestampEvents: true, inboundDialTimeoutSec: 5, internalDialTimeoutSec: 5 },
  });
  const clock = new RealClock();
  let placed: string[] = [];
  const traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), resolveProfile({ ...BENCH_PROFILE, cps: 1 }), new SeededRandom(seed), clock, (call) => placed.push(call.linkedid));
  const send = (m: FromWorker): void => void process.send?.(m);
  process.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'rate':
        traffic.setProfile(resolveProfile({ ...BENCH_PROFILE, cps: m.cps }));
        traffic.start();
        break;
      case 'stop':
        traffic.stop();
        break;
      case 'report': {
        const cpu = process.cpuUsage();
        const s = sim.stats;
        send({ type: 'report', placed, active: s.engine.activeCalls, events: s.engine.events, cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss, amiBytes: s.ami.bytesWritten, skipped: s.traffic.skipped });
        placed = [];
        break;
      }
      case 'exit':
        void sim.close().then(() => process.exit(0));
        break;
    }
  });
  send({ type: 'ready', port: sim.port });
}

// ---- parent: the consumer and the steps ---------------------------------------------------------------

/** What the bench drives: something that reads the simulator's AMI and reports finished calls. */
interface LoadConsumer {
  start(port: number): Promise<void>;
  /** Linkedids whose call ended since the last take, with how often each ended. */
  takeEnded(): Map<string, number>;
  /** Event delays (ms) measured since the last take. */
  takeDelays(): number[];
  stop(): Promise<void>;
}

class TrackerConsumer implements LoadConsumer {
  private readonly tracker = new CallTracker();
  private connection: AmiConnection | null = null;
  private ended = new Map<string, number>();
  private delays: number[] = [];

  async start(port: number): Promise<void> {
    this.tracker.onEvent((e) => {
      if (e.type !== 'ended') return;
      const id = e.call.linkedids[0];
      this.ended.set(id, (this.ended.get(id) ?? 0) + 1);
    });
    const conn = new AmiConnection({ server: { id: 'bench', host: '127.0.0.1', port, ...USER, tls: false }, events: 'on', pingIntervalMs: 60_000 });
    conn.on('message', (m: AmiMessage) => this.onMessage(m));
    conn.on('error', (err: Error) => process.stderr.write(`consumer: ${err.message}\n`));
    conn.on('disconnected', (info) => {
      if (info.reason !== 'closed') process.stderr.write(`consumer: AMI connection lost (${info.reason}); events are missed until it is back\n`);
    });
    this.connection = conn.start();
    await conn.ready();
  }

  private onMessage(m: AmiMessage): void {
    const ts = m.get('Timestamp');
    if (ts !== undefined) this.delays.push(m.receivedAt - Number(ts) * 1000);
    this.tracker.handle(m);
  }

  takeEnded(): Map<string, number> {
    const out = this.ended;
    this.ended = new Map();
    return out;
  }

  takeDelays(): number[] {
    const out = this.delays;
    this.delays = [];
    return out;
  }

  async stop(): Promise<void> {
    await this.connection?.close();
  }
}

interface StepResult {
  targetCps: number;
  achievedCps: number;
  placed: number;
  seenOnce: number;
  missing: number;
  duplicated: number;
  unexpected: number;
  events: number;
  eventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  drainMs: number;
  simCpuPct: number;
  consumerCpuPct: number;
  simRssMb: number;
  consumerRssMb: number;
  sustained: boolean;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function args(): { rates: number[]; stepSeconds: number; seed: number; maxP99Ms: number; consumer: string } {
  const get = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
  };
  const rates = get('rates', '25,50,100,200,300,400,600').split(',').map(Number);
  const stepSeconds = Number(get('step-seconds', '10'));
  const seed = Number(get('seed', '42'));
  const maxP99Ms = Number(get('max-p99-ms', '1000'));
  const consumer = get('consumer', 'tracker');
  const problems: string[] = [];
  if (rates.some((r) => !(r > 0))) problems.push('--rates must be positive numbers');
  if (!(stepSeconds > 0)) problems.push('--step-seconds must be positive');
  if (!(maxP99Ms > 0)) problems.push('--max-p99-ms must be positive');
  if (!Number.isInteger(seed)) problems.push('--seed must be an integer');
  if (consumer !== 'tracker') problems.push(`--consumer ${consumer}: only "tracker" exists until the server's ingest can be benchmarked (see the header of bench/load.bench.ts)`);
  if (problems.length) {
    process.stderr.write(problems.join('\n') + '\n');
    process.exit(2);
  }
  return { rates, stepSeconds, seed, maxP99Ms, consumer };
}

class Worker {
  private pending: ((m: FromWorker) => void) | null = null;
  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromWorker) => {
      const p = this.pending;
      this.pending = null;
      p?.(m);
    });
  }

  static async start(seed: number): Promise<{ worker: Worker; port: number }> {
    const child = fork(resolve(__dirname, '../scripts/run.cjs'), [__filename, '--sim-worker', '--seed', String(seed)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const worker = new Worker(child);
    const ready = await worker.next();
    if (ready.type !== 'ready') throw new Error('simulator worker did not start');
    return { worker, port: ready.port };
  }

  send(m: ToWorker): void {
    this.child.send(m);
  }

  next(): Promise<FromWorker> {
    return new Promise((resolveNext, reject) => {
      const timer = setTimeout(() => reject(new Error('simulator worker stopped answering')), 30_000);
      this.pending = (m) => {
        clearTimeout(timer);
        resolveNext(m);
      };
    });
  }

  async report(): Promise<Extract<FromWorker, { type: 'report' }>> {
    this.send({ type: 'report' });
    const r = await this.next();
    if (r.type !== 'report') throw new Error('unexpected worker message');
    return r;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runBench(): Promise<void> {
  const opts = args();
  const loadBefore = os.loadavg()[0].toFixed(2);
  const { worker, port } = await Worker.start(opts.seed);
  const consumer: LoadConsumer = new TrackerConsumer();
  await consumer.start(port);
  process.stderr.write(`load bench: pbx-sim (pid ${worker.child.pid}) on port ${port}, consumer: libs/ami AmiConnection + CallTracker; ${opts.stepSeconds} s per rate\n`);
  await worker.report();
  consumer.takeEnded();
  consumer.takeDelays();
  const results: StepResult[] = [];
  for (const cps of opts.rates) {
    const atStart = await worker.report();
    const cpu0 = process.cpuUsage();
    const wall0 = Date.now();
    worker.send({ type: 'rate', cps });
    await sleep(opts.stepSeconds * 1000);
    worker.send({ type: 'stop' });
    // CPU and event rate are measured over the placing window; the drain only waits for the last calls.
    const atStop = await worker.report();
    const placingMs = Date.now() - wall0;
    const consumerCpu = process.cpuUsage(cpu0);
    const placed = new Set<string>(atStop.placed);
    const ended = new Map<string, number>();
    const drainStart = Date.now();
    const deadline = drainStart + 60_000;
    let last = atStop;
    for (;;) {
      for (const [id, n] of consumer.takeEnded()) ended.set(id, (ended.get(id) ?? 0) + n);
      const allSeen = [...placed].every((id) => ended.has(id));
      if ((last.active === 0 && allSeen) || Date.now() > deadline) break;
      await sleep(200);
      last = await worker.report();
      last.placed.forEach((id) => placed.add(id));
    }
    await sleep(300);
    for (const [id, n] of consumer.takeEnded()) ended.set(id, (ended.get(id) ?? 0) + n);
    const delays = consumer.takeDelays().sort((a, b) => a - b);
    const seenOnce = [...placed].filter((id) => ended.get(id) === 1).length;
    const duplicated = [...placed].filter((id) => (ended.get(id) ?? 0) > 1).length;
    const unexpected = [...ended.keys()].filter((id) => !placed.has(id)).length;
    const notSeen = [...placed].filter((id) => !ended.has(id));
    if (notSeen.length > 0) process.stderr.write(`  not seen ended: ${notSeen.slice(0, 10).join(' ')}${notSeen.length > 10 ? ' ...' : ''} (simulator live calls: ${last.active})\n`);
    const events = atStop.events - atStart.events;
    const r: StepResult = {
      targetCps: cps,
      achievedCps: Math.round((placed.size / (placingMs / 1000)) * 10) / 10,
      placed: placed.size,
      seenOnce,
      missing: placed.size - seenOnce - duplicated,
      duplicated,
      unexpected,
      events,
      eventsPerSec: Math.round(events / (placingMs / 1000)),
      p50Ms: percentile(delays, 50),
      p99Ms: percentile(delays, 99),
      maxMs: delays[delays.length - 1] ?? 0,
      drainMs: Date.now() - drainStart,
      simCpuPct: Math.round(((atStop.cpuMicros - atStart.cpuMicros) / 1000 / placingMs) * 100),
      consumerCpuPct: Math.round(((consumerCpu.user + consumerCpu.system) / 1000 / placingMs) * 100),
      simRssMb: Math.round(atStop.rss / 1048576),
      consumerRssMb: Math.round(process.memoryUsage().rss / 1048576),
      sustained: false,
    };
    // Arrivals are Poisson: accept a count within three standard deviations of the expected one.
    const expected = cps * (placingMs / 1000);
    const enoughCalls = r.placed >= expected - 3 * Math.sqrt(expected);
    r.sustained = r.missing === 0 && r.duplicated === 0 && r.unexpected === 0 && enoughCalls && r.p99Ms <= opts.maxP99Ms;
    results.push(r);
    process.stderr.write(
      `${String(cps).padStart(5)} cps: placed ${r.placed} (${r.achievedCps}/s), seen once ${r.seenOnce}, missing ${r.missing}, dup ${r.duplicated}; ${r.eventsPerSec} events/s; delay p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms max ${r.maxMs} ms; drain ${r.drainMs} ms; CPU sim ${r.simCpuPct}% consumer ${r.consumerCpuPct}%; RSS sim ${r.simRssMb} MB consumer ${r.consumerRssMb} MB -> ${r.sustained ? 'sustained' : 'NOT sustained'}\n`,
    );
    if (!r.sustained) break;
  }
  await consumer.stop();
  worker.send({ type: 'exit' });
  const best = results.filter((r) => r.sustained).pop();
  process.stdout.write(JSON.stringify({ bench: 'load', consumer: opts.consumer, stepSeconds: opts.stepSeconds, maxP99Ms: opts.maxP99Ms, highestSustainedCps: best?.targetCps ?? 0, steps: results }, null, 2) + '\n');
  process.stderr.write(`written to ${updateDocs(docSection(opts, results, loadBefore))}\n`);
}

// ---- report ----------------------------------------------------------------------------------------------

const DOC_HEADING = '## PBX simulator load';

function docSection(opts: ReturnType<typeof args>, results: StepResult[], loadBefore: string): string {
  const cpus = os.cpus();
  const best = results.filter((r) => r.sustained).pop();
  const rows = results.map(
    (r) =>
      `| ${r.targetCps} | ${r.placed} (${r.achievedCps}/s) | ${r.seenOnce} / ${r.missing} / ${r.duplicated} | ${r.eventsPerSec.toLocaleString('en-US')} | ${r.p50Ms} / ${r.p99Ms} / ${r.maxMs} | ${r.simCpuPct}% / ${r.consumerCpuPct}% | ${r.simRssMb} / ${r.consumerRssMb} | ${r.sustained ? 'yes' : '**no**'} |`,
  );
  return [
    DOC_HEADING,
    '',
    `Written by \`npm run bench:load\` (bench/load.bench.ts) on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), Node ${process.version}; load average ${loadBefore} when the run started. The machine was shared with other work while this ran, so absolute figures are noisy.`,
    '',
    `pbx-sim runs in a child process and places generated calls (Poisson arrivals; inbound, outbound, internal and queue calls;`,
    `70% answered, the rest missed, busy, abandoned or failed; some blind/attended transfers, holds and recordings; ring 0.3-1.5 s,`,
    `talk about 2 s, unanswered calls give up after 5 s) for ${opts.stepSeconds} s at each rate, then lets them finish. The consumer in the`,
    `bench process logs in over TCP with libs/ami's AmiConnection and feeds every message to CallTracker. Delay = arrival of an`,
    `event minus its own \`Timestamp:\` header (timestampevents on; both processes read the same clock). CPU is % of one core during`,
    `the placing window. A rate is sustained when every placed call was seen ended exactly once (by Linkedid), the simulator placed`,
    `the calls it should (within 3 σ of the Poisson count) and p99 delay ≤ ${opts.maxP99Ms} ms.`,
    '',
    '| target calls/s | placed (achieved) | seen once / missing / duplicated | AMI events/s | delay p50 / p99 / max ms | CPU sim / consumer | RSS MB sim / consumer | sustained |',
    '|---:|---:|---:|---:|---:|---:|---:|:---:|',
    ...rows,
    '',
    `- highest sustained call rate: **${best ? `${best.targetCps} calls/s` : 'none of the rates tried'}**` +
      (results.length && !results[results.length - 1].sustained ? ` (the next rate, ${results[results.length - 1].targetCps} calls/s, was not)` : ''),
    `- the consumer here is libs/ami alone; the whole server (ingest into PostgreSQL, Socket.IO) plugs in as another \`LoadConsumer\` (see bench/load.bench.ts).`,
    '',
  ].join('\n');
}

/** Replaces this bench's section of docs/benchmarks.md (or appends it), leaving the other sections alone. */
function updateDocs(section: string): string {
  const path = resolve(__dirname, '../docs/benchmarks.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\nEach section is written by its `npm run bench:*` script; re-run the script to refresh it.\n';
  const start = current.indexOf(DOC_HEADING);
  let next: string;
  if (start < 0) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const after = current.indexOf('\n## ', start + DOC_HEADING.length);
    next = current.slice(0, start) + section + (after < 0 ? '' : current.slice(after + 1));
  }
  writeFileSync(path, next.endsWith('\n') ? next : `${next}\n`);
  return path;
}

if (process.argv.includes('--sim-worker')) {
  const i = process.argv.indexOf('--seed');
  void runWorker(Number(process.argv[i + 1] ?? 42));
} else {
  runBench().catch((err: Error) => {
    process.stderr.write(`load bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
