/**
 * One measured run of the realtime bench: a fresh office database, simulator, server
 * processes and browsers; generated calls for warm-up + measured seconds; then every popup
 * and call end each browser should have received is looked up in what it did receive.
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { BenchPostgres } from '../bench-postgres';
import { cpuMsOfAll, machineCpuMs, PeakRss, rssBytesOf } from '../load/process-usage';
import { BenchServers, type Topology } from './bench-servers';
import { createOffice } from './bench-office';
import { ClientFleet, type BenchUser } from './client-fleet';
import { RealtimeSim, type SimRunResult } from './realtime-sim';

export interface RunOptions {
  operators: number;
  supervisors: number;
  queueMembers: number;
  cps: number;
  warmupSeconds: number;
  seconds: number;
  seed: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export interface RunResult {
  topology: Topology;
  placed: number;
  /** Phones that rang (each one a popup for its operator and for every supervisor). */
  rings: number;
  popupsExpected: number;
  popupsDelivered: number;
  /** Pushes a browser received more than once (any event). */
  duplicates: number;
  endsExpected: number;
  endsDelivered: number;
  /** AMI event leaving the simulator -> popup at the ringing phone's operator, in the measured seconds. */
  operatorLatencyMs: Percentiles;
  /** The same for the supervisors' copies. */
  supervisorLatencyMs: Percentiles;
  pushesPerSecond: number;
  /** Server processes together, % of one core, in the measured seconds. */
  serverCpuPct: number;
  /** Highest RSS of each server process (MB), in the order the topology starts them. */
  serverRssMb: number[];
  simCpuPct: number;
  machineBusyPct: number;
  /** This process (the browsers): event-loop delay p99, a floor under every latency it measures. */
  clientLoopDelayP99Ms: number;
}

const SETTLE_MS = 15_000;
const RSS_SAMPLE_MS = 200;
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? 0), samples: sorted.length };
}

export async function runOnce(topology: Topology, options: RunOptions, pg: BenchPostgres, database: string, log: (line: string) => void): Promise<RunResult> {
  const jwtSecret = randomBytes(32).toString('hex');
  let sim: RealtimeSim | null = null;
  let servers: BenchServers | null = null;
  let fleet: ClientFleet | null = null;
  try {
    await pg.createDatabase(database);
    const users = await createOffice(pg.connection, database, options, jwtSecret);
    const started = await RealtimeSim.start({ operators: options.operators, queueMembers: options.queueMembers, seed: options.seed });
    sim = started.sim;
    const port = started.port;
    servers = await BenchServers.start(topology, { connection: pg.connection, database, simPort: port, jwtSecret });
    log(`${topology}: ${servers.roles.map((r) => `${r.role} pid ${r.process.pid}`).join(', ')}; connecting ${users.length} browsers`);
    fleet = await ClientFleet.connect(users, servers.urls);
    const pids = servers.roles.map((r) => r.process.pid);
    const rss = pids.map((pid) => new PeakRss(() => rssBytesOf(pid)));
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });

    log(`${topology}: ${options.cps} calls/s for ${options.warmupSeconds} + ${options.seconds} s`);
    const trafficStart = now();
    const windowStart = trafficStart + options.warmupSeconds * 1000;
    const windowEnd = windowStart + options.seconds * 1000;
    const pushesBefore = { value: 0 };
    const marks = { cpu: 0, machine: { busy: 0, total: 0 } };
    const measured = (async () => {
      await sleep(options.warmupSeconds * 1000);
      marks.cpu = cpuMsOfAll(pids) ?? 0;
      marks.machine = machineCpuMs();
      pushesBefore.value = total(fleet!.counts);
      loopDelay.enable();
      const sampler = setInterval(() => rss.forEach((r) => r.sample()), RSS_SAMPLE_MS);
      await sleep(options.seconds * 1000);
      clearInterval(sampler);
      loopDelay.disable();
      const machine = machineCpuMs();
      return {
        serverCpuMs: (cpuMsOfAll(pids) ?? 0) - marks.cpu,
        machineBusyPct: Math.round((100 * (machine.busy - marks.machine.busy)) / Math.max(1, machine.total - marks.machine.total)),
        pushes: total(fleet!.counts) - pushesBefore.value,
        rssMb: rss.map((r) => Math.round(r.take() / 2 ** 20)),
      };
    })();
    const simResult = await sim.run(options.cps, options.warmupSeconds + options.seconds);
    const usage = await measured;
    const expected = expectedPopups(simResult, users);
    const supervisors = users.filter((u) => u.role === 'supervisor');
    const deliveredPopups = () => new Set(fleet!.popups.map(([user, linkedid, channel]) => `${user}|${linkedid}|${channel}`));
    const endsDelivered = () => [...fleet!.endsBySupervisor.values()].reduce((n, ends) => n + new Set(ends).size, 0);
    const settleBy = Date.now() + SETTLE_MS;
    while (Date.now() < settleBy && (countExpected(expected, deliveredPopups()) < expected.size || endsDelivered() < simResult.placed.length * supervisors.length)) await sleep(100);

    const arrivals = new Map<string, number>();
    for (const [user, linkedid, channel, at] of fleet.popups) {
      const key = `${user}|${linkedid}|${channel}`;
      if (!arrivals.has(key)) arrivals.set(key, at);
    }
    const operatorDelays: number[] = [];
    const supervisorDelays: number[] = [];
    const operatorOf = new Map(users.filter((u) => u.extension).map((u) => [u.extension!, u.id]));
    for (const [linkedid, channel, extension, at] of simResult.rings) {
      if (at < windowStart || at > windowEnd) continue;
      const operator = operatorOf.get(extension);
      const mine = operator === undefined ? undefined : arrivals.get(`${operator}|${linkedid}|${channel}`);
      if (mine !== undefined) operatorDelays.push(mine - at);
      for (const s of supervisors) {
        const theirs = arrivals.get(`${s.id}|${linkedid}|${channel}`);
        if (theirs !== undefined) supervisorDelays.push(theirs - at);
      }
    }
    return {
      topology,
      placed: simResult.placed.length,
      rings: simResult.rings.length,
      popupsExpected: expected.size,
      popupsDelivered: countExpected(expected, deliveredPopups()),
      duplicates: fleet.duplicates,
      endsExpected: simResult.placed.length * supervisors.length,
      endsDelivered: endsDelivered(),
      operatorLatencyMs: percentiles(operatorDelays),
      supervisorLatencyMs: percentiles(supervisorDelays),
      pushesPerSecond: Math.round(usage.pushes / options.seconds),
      serverCpuPct: Math.round(usage.serverCpuMs / (options.seconds * 10)),
      serverRssMb: usage.rssMb,
      simCpuPct: Math.round(simResult.cpuMs / ((options.warmupSeconds + options.seconds) * 10)),
      machineBusyPct: usage.machineBusyPct,
      clientLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e5) / 10,
    };
  } finally {
    fleet?.close();
    await servers?.stop();
    await sim?.exit();
    await pg.dropDatabase(database).catch((error: Error) => log(`could not drop ${database}: ${error.message}`));
  }
}

function total(counts: Map<string, number>): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

/** `user|linkedid|channel` of every popup the rings call for: the ringing phone's operator and each supervisor. */
function expectedPopups(result: SimRunResult, users: BenchUser[]): Set<string> {
  const operatorOf = new Map(users.filter((u) => u.extension).map((u) => [u.extension!, u.id]));
  const supervisors = users.filter((u) => u.role === 'supervisor');
  const expected = new Set<string>();
  for (const [linkedid, channel, extension] of result.rings) {
    const operator = operatorOf.get(extension);
    if (operator !== undefined) expected.add(`${operator}|${linkedid}|${channel}`);
    for (const s of supervisors) expected.add(`${s.id}|${linkedid}|${channel}`);
  }
  return expected;
}

function countExpected(expected: Set<string>, delivered: Set<string>): number {
  let n = 0;
  for (const key of expected) if (delivered.has(key)) n++;
  return n;
}
