import { CallBook } from './call-book';
import type { CallCensus, LoadConsumer } from './load-consumer';
import { machineCpuMs } from './process-usage';
import { SimWorker, type SimReport } from './sim-worker';

export interface LadderOptions {
  rates: number[];
  stepSeconds: number;
  seed: number;
  maxP99Ms: number;
  sampleCps: number;
  /** Period of the server's visibility poll (ms). */
  pollMs: number;
  /** Aborts the run (Ctrl-C): the ladder stops and cleans up. */
  signal: AbortSignal;
  /** Every rate is run even after a lost step (the cost comparison measures CPU at given rates, not a limit). */
  everyRate?: boolean;
}

export interface StepResult {
  targetCps: number;
  achievedCps: number;
  placed: number;
  once: number;
  missing: number;
  duplicated: number;
  notEnded: number;
  wrongStatus: number;
  eventsPerSec: number;
  sampledEvents: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The smallest delay: a negative one would mean the consumer showed something before it was sent. */
  minMs: number;
  simCpuPct: number;
  simRssMb: number;
  consumerCpuPct: number | null;
  consumerRssMb: number;
  postgresCpuPct: number | null;
  /** CPU per AMI event the simulator sent, in µs: the consumer process, and its PostgreSQL backends. */
  consumerUsPerEvent: number | null;
  postgresUsPerEvent: number | null;
  observerCpuPct: number | null;
  machineBusyPct: number;
  /** Why the step is not sustained; empty when it is. */
  failures: string[];
  sustained: boolean;
}

export interface LadderResult {
  consumer: LoadConsumer['name'];
  description: string;
  steps: StepResult[];
  /** Why the rates stopped rising before the last one, if they did. */
  stoppedEarly: string | null;
  highestSustainedCps: number;
  unexpected: number;
  drainMs: number;
  problems: string[];
}

interface StepMark {
  cps: number;
  begin: SimReport;
  end: SimReport;
  consumerCpuMs: number | null;
  consumerRssBytes: number;
  postgresCpuMs: number | null;
  observerCpuMs: number | null;
  machineBusyPct: number;
}

/** The run was interrupted (Ctrl-C): its figures are incomplete. */
export class LadderInterrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** After the simulator has no call left, how long the consumer may take to show the last ones ended. */
const CONSUMER_DRAIN_MS = 30_000;
const DRAIN_LIMIT_MS = 120_000;
const TICK_MS = 250;
const SEEN_GRACE_MS = 2000;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const pct = (ms: number, over: number) => Math.round((ms / over) * 100);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * One consumer against a fresh simulator: the call rate rises step by step without a pause
 * (calls of one step still run while the next starts, as on a real PBX), each step for
 * `stepSeconds`; rising stops after a step whose sampled delays already break the limit, whose
 * simulator fell behind, or whose consumer died. Then the traffic stops, every call ends, and
 * what the consumer holds is checked call by call against what the simulator placed.
 */
export async function runLadder(consumer: LoadConsumer, opts: LadderOptions, log: (line: string) => void): Promise<LadderResult> {
  const book = new CallBook(opts.rates, consumer);
  const { worker, port } = await SimWorker.start(opts.seed, opts.sampleCps, (facts) => book.add(facts));
  try {
    await consumer.start(port, worker);
    log(`${consumer.name}: ${consumer.description}; pbx-sim pid ${worker.pid} on port ${port}`);
    return await climb(consumer, worker, book, opts, log);
  } finally {
    await consumer.stop(opts.signal.aborted);
    await worker.exit();
  }
}

async function climb(consumer: LoadConsumer, worker: SimWorker, book: CallBook, opts: LadderOptions, log: (line: string) => void): Promise<LadderResult> {
  const marks: StepMark[] = [];
  let stoppedEarly: string | null = null;
  for (const cps of opts.rates) {
    const step = marks.length;
    const begin = await worker.rate(cps);
    await consumer.takeUsage();
    const machine0 = machineCpuMs();
    const until = Date.now() + opts.stepSeconds * 1000;
    while (Date.now() < until && !consumer.fatal() && !opts.signal.aborted) await sleep(Math.min(TICK_MS, until - Date.now()));
    const end = await worker.report();
    const usage = await consumer.takeUsage();
    const machine1 = machineCpuMs();
    marks.push({
      cps,
      begin,
      end,
      consumerCpuMs: usage.cpuMs,
      consumerRssBytes: usage.peakRssBytes,
      postgresCpuMs: usage.postgresCpuMs,
      observerCpuMs: usage.observerCpuMs,
      machineBusyPct: pct(machine1.busy - machine0.busy, machine1.total - machine0.total),
    });
    stoppedEarly = whyStop(consumer, book, step, cps, end.at - begin.at, opts);
    if (stoppedEarly && (!opts.everyRate || consumer.fatal() || opts.signal.aborted)) break;
    if (stoppedEarly) stoppedEarly = null;
  }
  if (opts.signal.aborted) throw new LadderInterrupted();
  const stopped = await worker.stop();
  const drainStarted = Date.now();
  await drain(consumer, worker, book, opts.signal);
  const drainMs = Date.now() - drainStarted;
  const census = await consumer.census();
  const unexpected = book.unexpected(census);
  const faulty = book.faulty(census);
  if (faulty.length > 0) log(`${consumer.name}: calls not held exactly once and ended: ${faulty.slice(0, 10).join(' ')}${faulty.length > 10 ? ` ... (${faulty.length})` : ''}`);
  if (unexpected.length > 0) log(`${consumer.name}: calls the simulator never placed: ${unexpected.slice(0, 10).join(' ')}`);

  const steps: StepResult[] = [];
  marks.forEach((mark, i) => {
    const placingMs = (marks[i + 1]?.begin.at ?? stopped.at) - mark.begin.at;
    const result = stepResult(mark, book, i, census, placingMs, unexpected.length, opts.maxP99Ms);
    // Sustained means this rate and every lower one.
    if (i > 0 && !steps[i - 1].sustained) result.sustained = false;
    steps.push(result);
  });
  const best = steps.filter((s) => s.sustained).pop();
  const problems = consumer.problems();
  if (stopped.slowClientsDropped > 0) problems.push(`pbx-sim disconnected ${stopped.slowClientsDropped} AMI client(s) that fell 64 MiB behind`);
  const fatal = consumer.fatal();
  if (fatal) problems.push(fatal);
  return {
    consumer: consumer.name,
    description: consumer.description,
    steps,
    stoppedEarly,
    highestSustainedCps: best?.targetCps ?? 0,
    unexpected: unexpected.length,
    drainMs,
    problems,
  };
}

function stepResult(mark: StepMark, book: CallBook, step: number, census: Map<string, CallCensus>, placingMs: number, unexpected: number, maxP99Ms: number): StepResult {
  const measuredMs = mark.end.at - mark.begin.at;
  const tally = book.tally(step, census);
  const { delays, unseen } = book.delays(step);
  const failures: string[] = [];
  if (tally.missing) failures.push(`${tally.missing} missing`);
  if (tally.duplicated) failures.push(`${tally.duplicated} duplicated`);
  if (tally.notEnded) failures.push(`${tally.notEnded} not ended`);
  if (tally.wrongStatus) failures.push(`${tally.wrongStatus} with a status other than played`);
  if (unexpected) failures.push(`${unexpected} calls never placed`);
  if (!onRate(tally.placed, mark.cps, placingMs)) failures.push(`simulator fell behind (${tally.placed} of ~${Math.round((mark.cps * placingMs) / 1000)} calls)`);
  if (unseen) failures.push(`${unseen} sampled events never visible`);
  const p99 = percentile(delays, 99);
  if (p99 > maxP99Ms) failures.push(`p99 ${p99} ms > ${maxP99Ms} ms`);
  if (delays.length === 0) failures.push('no delay measured');
  const share = (ms: number | null) => (ms === null ? null : pct(ms, measuredMs));
  return {
    targetCps: mark.cps,
    achievedCps: Math.round((tally.placed / (placingMs / 1000)) * 10) / 10,
    ...tally,
    eventsPerSec: Math.round((mark.end.events - mark.begin.events) / (measuredMs / 1000)),
    sampledEvents: delays.length + unseen,
    p50Ms: percentile(delays, 50),
    p99Ms: p99,
    maxMs: delays[delays.length - 1] ?? 0,
    minMs: delays[0] ?? 0,
    simCpuPct: pct(mark.end.cpuMs - mark.begin.cpuMs, measuredMs),
    simRssMb: Math.round(mark.end.rss / 2 ** 20),
    consumerCpuPct: share(mark.consumerCpuMs),
    consumerRssMb: Math.round(mark.consumerRssBytes / 2 ** 20),
    postgresCpuPct: share(mark.postgresCpuMs),
    consumerUsPerEvent: perEvent(mark.consumerCpuMs, mark.end.events - mark.begin.events),
    postgresUsPerEvent: perEvent(mark.postgresCpuMs, mark.end.events - mark.begin.events),
    observerCpuPct: share(mark.observerCpuMs),
    machineBusyPct: mark.machineBusyPct,
    failures,
    sustained: failures.length === 0,
  };
}

function perEvent(cpuMs: number | null, events: number): number | null {
  return cpuMs === null || events <= 0 ? null : Math.round(((cpuMs * 1000) / events) * 10) / 10;
}

/** Arrivals are Poisson: a count within three standard deviations of the expected one is on rate. */
function onRate(placed: number, cps: number, ms: number): boolean {
  const expected = cps * (ms / 1000);
  return placed >= expected - 3 * Math.sqrt(expected);
}

/** Stops the climb once a step is already lost: waiting for its verdict would only add load. */
function whyStop(consumer: LoadConsumer, book: CallBook, step: number, cps: number, ms: number, opts: LadderOptions): string | null {
  if (opts.signal.aborted) return 'interrupted';
  const fatal = consumer.fatal();
  if (fatal) return fatal;
  if (!onRate(book.placedIn(step), cps, ms)) return `the simulator fell behind at ${cps} calls/s`;
  const { delays, unseen } = book.delays(step);
  const late = delays.filter((d) => d > opts.maxP99Ms).length + book.overdue(step, opts.maxP99Ms);
  if (late > 0.01 * (delays.length + unseen)) return `more than 1% of the sampled events at ${cps} calls/s took over ${opts.maxP99Ms} ms`;
  return null;
}

/** Waits until the simulator has no call left and the consumer shows every placed call ended (or time is up). */
async function drain(consumer: LoadConsumer, worker: SimWorker, book: CallBook, signal: AbortSignal): Promise<void> {
  const started = Date.now();
  let simIdleSince: number | null = null;
  while (!signal.aborted && !consumer.fatal()) {
    const report = await worker.report();
    if (report.activeCalls === 0) simIdleSince ??= Date.now();
    if (simIdleSince !== null && (await consumer.endedCount()) >= book.total) break;
    if ((simIdleSince !== null && Date.now() - simIdleSince > CONSUMER_DRAIN_MS) || Date.now() - started > DRAIN_LIMIT_MS) break;
    await sleep(TICK_MS);
  }
  // The last sampled ends become visible to the poll a period after they are written.
  const deadline = Date.now() + SEEN_GRACE_MS;
  while (book.unseen() > 0 && Date.now() < deadline && !signal.aborted) await sleep(10);
}
