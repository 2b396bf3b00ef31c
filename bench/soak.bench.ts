/**
 * `npm run bench:soak`: the product as deployed for a long while under steady traffic - does its
 * memory stay flat, does it keep up, and is every call stored? Written to docs/benchmarks.md.
 *
 *   SOAK_MINUTES=30 SOAK_CPS=50 npm run bench:soak
 *
 * A throwaway database on the PostgreSQL named by DB_HOST (else an embedded one) with an office of
 * operators and supervisors; pbx-sim in a child process playing the realtime bench's office traffic
 * (inbound, queue and internal calls, transfers, recordings); the server in one child process as
 * deployed (`node scripts/run.cjs apps/server/src/main.ts`, NODE_ENV=production, APP_ROLE=all: the
 * ingest, the API and Socket.IO), its /metrics on an internal port, its CDR source the cdr_pgsql table
 * the simulator fills (as the README sets Asterisk up: what completes the calls it could not see when
 * the PBX dropped it for reading too slowly); one socket.io client per user in this process and a
 * supervisor reading the call history every 10 s, as browsers do.
 *
 * Every SOAK_SAMPLE_SECONDS (10) the server's RSS (/proc) and from its /metrics the V8 heap in use,
 * the AMI event lag (mean and p99 of the interval, from the histogram's deltas), the write queue's
 * depth and the calls in progress; a row a minute is printed. Memory is flat when the least-squares
 * slope of the RSS floor (each minute's lowest sample) over the last two thirds of the run (the
 * first third is the heap growing to its working size) grows less than FLAT_MB_PER_HOUR. At the end the traffic stops, every call hangs up and
 * the census counts the stored calls against the simulator's own list: missing, invented, never
 * ended, ended more than once, start or end more than a second from the simulator's.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from '../test/support/free-port';
import { parsePrometheusText, type Sample } from '../test/support/prometheus-text';
import { fmt, loadAverage, machineInfo, median, writeBenchmarkSection } from './bench-report';
import { openBenchPostgres } from './bench-postgres';
import { cpuMsOf, machineCpuMs, rssBytesOf } from './load/process-usage';
import { createOffice } from './realtime/bench-office';
import { BenchServers } from './realtime/bench-servers';
import { ClientFleet } from './realtime/client-fleet';
import { SoakSim, type SimTruth } from './soak/soak-sim';

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

/** Flat: the RSS floor grows less than this over an hour (a leak of ~110 bytes per call at 50 calls/s would exceed it). */
const FLAT_MB_PER_HOUR = 20;
const OFFICE = { operators: 100, supervisors: 2, queueMembers: 5 };
/** After the traffic: time for the last writes and the CDR completions (the ingest looks for late CDR rows for a while). */
const SETTLE_MS = 180_000;
const MB = 2 ** 20;

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    log(`${name} must be a number from ${min} to ${max}`);
    process.exit(2);
  }
  return value;
}

interface Sample10 {
  /** Seconds since the traffic started. */
  t: number;
  rssMb: number;
  heapMb: number;
  lagMeanMs: number | null;
  lagP99Ms: number | null;
  queue: number;
  active: number;
  events: number;
  load: number;
}

interface LagHistogram {
  sum: number;
  count: number;
  buckets: Array<[le: number, count: number]>;
}

/** The AMI event lag histogram summed over PBXs and bases. */
function lagOf(samples: Sample[]): LagHistogram {
  const pick = (name: string) => samples.filter((s) => s.name === name);
  const byLe = new Map<number, number>();
  for (const s of pick('crm_ami_event_lag_seconds_bucket')) byLe.set(Number(s.labels.le), (byLe.get(Number(s.labels.le)) ?? 0) + s.value);
  return {
    sum: pick('crm_ami_event_lag_seconds_sum').reduce((a, s) => a + s.value, 0),
    count: pick('crm_ami_event_lag_seconds_count').reduce((a, s) => a + s.value, 0),
    buckets: [...byLe.entries()].sort((a, b) => a[0] - b[0]),
  };
}

/** Mean and p99 (the upper bound of the bucket holding it) of the events between two scrapes. */
function lagBetween(before: LagHistogram, after: LagHistogram): { mean: number | null; p99: number | null } {
  const count = after.count - before.count;
  if (count <= 0) return { mean: null, p99: null };
  const rank = Math.ceil(0.99 * count);
  const p99 = after.buckets.find(([le, n]) => n - (before.buckets.find(([l]) => l === le)?.[1] ?? 0) >= rank)?.[0] ?? Infinity;
  return { mean: ((after.sum - before.sum) / count) * 1000, p99: p99 * 1000 };
}

const total = (samples: Sample[], name: string): number => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

/** Least-squares slope of y over t (per second) and its standard error. */
function slope(points: Array<[t: number, y: number]>): { slope: number; se: number } {
  const n = points.length;
  const mt = points.reduce((a, [t]) => a + t, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [t, y]) => a + (t - mt) * (y - my), 0);
  const den = points.reduce((a, [t]) => a + (t - mt) ** 2, 0);
  const b = den === 0 ? 0 : num / den;
  const residuals = points.reduce((a, [t, y]) => a + (y - my - b * (t - mt)) ** 2, 0);
  return { slope: b, se: n > 2 && den > 0 ? Math.sqrt(residuals / (n - 2) / den) : Number.NaN };
}

/**
 * Each whole minute's lowest RSS and heap: what the process keeps once a burst's garbage is
 * collected and a backlog written. A leak raises this floor; a busy minute on a shared machine
 * (a write backlog, a late GC) raises the peaks but not the floor for long.
 */
function minuteFloors(samples: Sample10[]): Array<{ t: number; rssMb: number; heapMb: number }> {
  const minutes = new Map<number, Sample10[]>();
  for (const s of samples) {
    const m = Math.floor((s.t - 0.5) / 60);
    minutes.set(m, [...(minutes.get(m) ?? []), s]);
  }
  return [...minutes.entries()]
    .filter(([, list]) => list.length >= 2)
    .map(([m, list]) => ({ t: (m + 1) * 60, rssMb: Math.min(...list.map((s) => s.rssMb)), heapMb: Math.min(...list.map((s) => s.heapMb)) }));
}

interface Census {
  placed: number;
  stored: number;
  missing: string[];
  invented: string[];
  duplicated: number;
  neverEnded: number;
  unobserved: number;
  endStepsWrong: number;
  timesOff: number;
  maxOffMs: number;
  /** The first few calls whose times are off, for the log. */
  offExamples: string[];
}

async function census(client: Client, truth: SimTruth[]): Promise<Census> {
  const rows = (
    await client.query<{ linkedid: string; n: number; started: string; ended: string | null; end_source: string | null; status: string; end_steps: number }>(
      `SELECT c.linkedid, count(*) OVER (PARTITION BY c.linkedid)::int AS n,
              (extract(epoch FROM c.started_at) * 1000)::float8::text AS started, (extract(epoch FROM c.ended_at) * 1000)::float8::text AS ended, c.end_source, c.status,
              coalesce(e.steps, 0)::int AS end_steps
       FROM calls c LEFT JOIN (SELECT call_id, count(*) AS steps FROM call_events WHERE type = 'ended' GROUP BY call_id) e ON e.call_id = c.id
       WHERE c.pbx_id = 'bench'`,
    )
  ).rows;
  const stored = new Map(rows.map((r) => [r.linkedid, r]));
  const placed = new Map(truth.map((t) => [t[0], t]));
  let timesOff = 0;
  let maxOffMs = 0;
  const offExamples: string[] = [];
  for (const [linkedid, startedAt, endedAt, kind] of truth) {
    const r = stored.get(linkedid);
    if (!r || r.ended === null) continue;
    const startOff = Number(r.started) - startedAt;
    const endOff = Number(r.ended) - endedAt;
    const off = Math.max(Math.abs(startOff), Math.abs(endOff));
    maxOffMs = Math.max(maxOffMs, off);
    if (off <= 1000) continue;
    timesOff++;
    if (offExamples.length < 10) offExamples.push(`${linkedid} ${kind} start ${Math.round(startOff)} ms, end ${Math.round(endOff)} ms (${r.status}, ${r.end_source})`);
  }
  return {
    placed: truth.length,
    stored: rows.length,
    missing: truth.filter((t) => !stored.has(t[0])).map((t) => t[0]),
    invented: rows.filter((r) => !placed.has(r.linkedid)).map((r) => r.linkedid),
    duplicated: rows.filter((r) => r.n > 1).length,
    neverEnded: rows.filter((r) => r.ended === null).length,
    unobserved: rows.filter((r) => r.end_source === 'unobserved').length,
    endStepsWrong: rows.filter((r) => r.end_steps !== 1).length,
    timesOff,
    maxOffMs: Math.round(maxOffMs),
    offExamples,
  };
}

async function main(): Promise<void> {
  const minutes = envNumber('SOAK_MINUTES', 30, 1, 24 * 60);
  const cps = envNumber('SOAK_CPS', 50, 1, 500);
  const sampleSeconds = envNumber('SOAK_SAMPLE_SECONDS', 10, 1, 600);
  const seed = envNumber('SOAK_SEED', 42, 0, 2 ** 31);
  const started = Date.now();
  const loadBefore = loadAverage();
  const pg = await openBenchPostgres(log);
  const database = `crm_bench_soak_${process.pid}`;
  const jwtSecret = randomBytes(32).toString('hex');
  const metricsPort = await freePort();
  let sim: SoakSim | null = null;
  let servers: BenchServers | null = null;
  let fleet: ClientFleet | null = null;
  let db: Client | null = null;
  const samples: Sample10[] = [];
  let result: Census;
  let serverCpuMs = 0;
  let simCpuMs = 0;
  let machineBusyPct = 0;
  let historyReads = 0;
  let historyFailures = 0;
  try {
    await pg.createDatabase(database);
    const users = await createOffice(pg.connection, database, OFFICE, jwtSecret);
    // The simulator's child writes the CDR table through DB_* (test/support/cdr-table.ts): the bench's server, embedded or not.
    Object.assign(process.env, { DB_HOST: pg.connection.host, DB_PORT: String(pg.connection.port), DB_USER: pg.connection.user, DB_PASSWORD: pg.connection.password ?? '' });
    const startedSim = await SoakSim.start({ operators: OFFICE.operators, queueMembers: OFFICE.queueMembers, seed, cdrDatabase: database });
    sim = startedSim.sim;
    servers = await BenchServers.start('single', {
      connection: pg.connection,
      database,
      simPort: startedSim.port,
      jwtSecret,
      env: { METRICS_PORT: String(metricsPort), ASTERISK_CDR_DB_URL: startedSim.cdrUrl },
    });
    const server = servers.roles[0];
    log(`server pid ${server.process.pid}, pbx-sim pid ${sim.pid}; connecting ${users.length} browsers`);
    fleet = await ClientFleet.connect(users, servers.urls);
    db = new Client({ ...pg.connection, database });
    await db.connect();

    const scrape = async (): Promise<Sample[]> => parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    const supervisor = users.find((u) => u.role === 'supervisor')!;
    const history = setInterval(() => {
      void fetch(`${servers!.urls[0]}/api/calls?limit=50`, { headers: { authorization: `Bearer ${supervisor.token}` } })
        .then((res) => {
          if (res.ok) historyReads++;
          else {
            historyFailures++;
            log(`history read answered ${res.status}`);
          }
        })
        .catch((error: Error) => {
          historyFailures++;
          log(`history read failed: ${error.message}`);
        });
    }, 10_000);

    log(`${cps} calls/s for ${minutes} min, a sample every ${sampleSeconds} s (load average ${loadBefore})`);
    const cpu0 = { server: cpuMsOf(server.process.pid) ?? 0, sim: cpuMsOf(sim.pid) ?? 0, machine: machineCpuMs() };
    const t0 = Date.now();
    sim.start(cps);
    let lagBefore = lagOf(await scrape());
    const end = t0 + minutes * 60_000;
    let nextMinute = 1;
    log('   min   RSS MB  heap MB  lag mean/p99 ms  queue  active  events/s  load');
    let eventsBefore = 0;
    let lastT = 0;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.min(sampleSeconds * 1000, end - Date.now())));
      const metrics = await scrape();
      const lag = lagOf(metrics);
      const between = lagBetween(lagBefore, lag);
      lagBefore = lag;
      const t = (Date.now() - t0) / 1000;
      const events = total(metrics, 'crm_ami_events_total');
      const sample: Sample10 = {
        t,
        rssMb: (rssBytesOf(server.process.pid) ?? Number.NaN) / MB,
        heapMb: total(metrics, 'nodejs_heap_size_used_bytes') / MB,
        lagMeanMs: between.mean,
        lagP99Ms: between.p99,
        queue: total(metrics, 'crm_ingest_queue_events'),
        active: total(metrics, 'crm_calls_active'),
        events: (events - eventsBefore) / Math.max(0.001, t - lastT),
        load: Number(loadAverage()),
      };
      eventsBefore = events;
      lastT = t;
      samples.push(sample);
      // A sample within a second of a minute's end counts as that minute's.
      if (Math.floor((t + 1) / 60) >= nextMinute || Date.now() >= end) {
        nextMinute = Math.floor((t + 1) / 60) + 1;
        log(row(sample));
      }
    }
    clearInterval(history);
    const cpu1 = { server: cpuMsOf(server.process.pid) ?? 0, sim: cpuMsOf(sim.pid) ?? 0, machine: machineCpuMs() };
    serverCpuMs = cpu1.server - cpu0.server;
    simCpuMs = cpu1.sim - cpu0.sim;
    machineBusyPct = Math.round((100 * (cpu1.machine.busy - cpu0.machine.busy)) / Math.max(1, cpu1.machine.total - cpu0.machine.total));
    log('traffic stopped; waiting for every call to hang up and be stored');
    const truth = await sim.stop();
    const settleBy = Date.now() + SETTLE_MS;
    result = await census(db, truth);
    while (Date.now() < settleBy && (result.missing.length > 0 || result.neverEnded > 0 || result.unobserved > 0)) {
      await new Promise((r) => setTimeout(r, 2000));
      result = await census(db, truth);
    }
  } finally {
    fleet?.close();
    await db?.end().catch(() => undefined);
    await servers?.stop();
    await sim?.exit();
    await pg.dropDatabase(database).catch((error: Error) => log(`could not drop ${database}: ${error.message}`));
    await pg.close();
  }

  const tail = samples.filter((s) => s.t >= samples[samples.length - 1].t / 3);
  const floors = minuteFloors(samples).filter((f) => f.t > samples[samples.length - 1].t / 3);
  const perHour = (fit: { slope: number; se: number }) => ({ slope: fit.slope * 3600, se: fit.se * 3600 });
  const rssFloor = perHour(slope(floors.map((f) => [f.t, f.rssMb])));
  const heapFloor = perHour(slope(floors.map((f) => [f.t, f.heapMb])));
  const rssAll = perHour(slope(tail.map((s) => [s.t, s.rssMb])));
  const rssSlope = rssFloor.slope;
  // Flat: the floor does not grow by more than the tolerance (falling is not a leak).
  const flat = rssSlope <= FLAT_MB_PER_HOUR;
  const clean = result.missing.length + result.invented.length + result.duplicated + result.neverEnded + result.unobserved + result.endStepsWrong + result.timesOff === 0;
  const seconds = samples[samples.length - 1].t;
  const lags = samples.flatMap((s) => (s.lagP99Ms === null ? [] : [s.lagP99Ms]));
  const pm = (fit: { slope: number; se: number }) => `${fmt(fit.slope, 1)} ± ${fmt(2 * fit.se, 1)} MB/h`;
  log(`RSS floor slope over the last 2/3: ${pm(rssFloor)} (${flat ? 'flat' : 'GROWING'}, tolerance +${FLAT_MB_PER_HOUR}); heap floor ${pm(heapFloor)}; every RSS sample ${pm(rssAll)}`);
  log(`census: ${JSON.stringify({ ...result, missing: result.missing.length, invented: result.invented.length, offExamples: undefined })}`);
  if (result.missing.length) log(`missing (first 10): ${result.missing.slice(0, 10).join(' ')}`);
  if (result.offExamples.length) log(`times off by more than 1 s (first 10):\n  ${result.offExamples.join('\n  ')}`);

  const info = machineInfo();
  const everyMinute = samples.filter((s, i) => i === samples.length - 1 || Math.floor(samples[i + 1].t / 60) > Math.floor(s.t / 60));
  const section = `## Soak

Written by \`npm run bench:soak\` (bench/soak.bench.ts) on ${new Date().toISOString().slice(0, 10)}, in ${fmt((Date.now() - started) / 60_000, 0)} min.
${info.cpus} cores (${info.model}), ${info.memoryGiB} GiB, Node ${info.node}, ${info.os}; PostgreSQL ${pg.origin}, ${pg.version}.
Load average ${loadBefore} before the run (the machine is shared), ${fmt(samples[samples.length - 1].load, 2)} at its end; whole machine ${machineBusyPct} % busy during the traffic.

The server as deployed in one process (APP_ROLE=all, NODE_ENV=production: ingest, API, Socket.IO) against pbx-sim in a child process at
**${cps} calls/s for ${minutes} min** (${fmt(result.placed)} calls; the realtime bench's office traffic: inbound, queue and internal calls,
3 % blind and 2 % attended transfers, 5 % recorded), ${OFFICE.operators + OFFICE.supervisors} Socket.IO clients (${OFFICE.operators} operators, ${OFFICE.supervisors} supervisors)
and a supervisor reading the history every 10 s (${fmt(historyReads)} reads, ${historyFailures} failed). Server CPU ${fmt(serverCpuMs / (seconds * 10), 0)} % of one core, pbx-sim ${fmt(simCpuMs / (seconds * 10), 0)} %.

| | result |
|---|---|
| RSS floor (each minute's lowest sample) over the last 2/3: least-squares slope ± 2 standard errors, ${floors.length} minutes | **${pm(rssFloor)}** - ${flat ? 'flat' : '**growing**'} (tolerance: +${FLAT_MB_PER_HOUR} MB/h) |
| V8 heap floor, slope over the same minutes | ${pm(heapFloor)} |
| every RSS sample (${tail.length}, every ${sampleSeconds} s) over the same window, slope | ${pm(rssAll)} |
| RSS min / median / max over the last 2/3 | ${fmt(Math.min(...tail.map((s) => s.rssMb)))} / ${fmt(median(tail.map((s) => s.rssMb)))} / ${fmt(Math.max(...tail.map((s) => s.rssMb)))} MB |
| AMI event lag p99 per interval: median / worst | ${lags.length ? `${fmt(median(lags))} / ${fmt(Math.max(...lags))} ms` : 'n/a'} |
| write queue depth: median / worst sample | ${fmt(median(samples.map((s) => s.queue)))} / ${fmt(Math.max(...samples.map((s) => s.queue)))} events |
| census: placed / stored | ${fmt(result.placed)} / ${fmt(result.stored)} |
| missing, invented, duplicated, never ended, end unobserved, ended steps ≠ 1 | ${result.missing.length}, ${result.invented.length}, ${result.duplicated}, ${result.neverEnded}, ${result.unobserved}, ${result.endStepsWrong} |
| start or end more than 1 s from the simulator's (worst offset) | ${result.timesOff} (${fmt(result.maxOffMs)} ms) |

Each minute (the sample at the minute's end; lag of the last ${sampleSeconds} s interval, p99 as its histogram bucket's bound):

| min | RSS MB | heap MB | lag mean / p99 ms | queue | active calls | AMI events/s | load |
|---:|---:|---:|---:|---:|---:|---:|---:|
${everyMinute.map((s) => `| ${fmt(s.t / 60, 1)} | ${fmt(s.rssMb)} | ${fmt(s.heapMb)} | ${s.lagMeanMs === null ? '-' : `${fmt(s.lagMeanMs, 1)} / ${fmt(s.lagP99Ms!)}`} | ${fmt(s.queue)} | ${fmt(s.active)} | ${fmt(s.events)} | ${fmt(s.load, 2)} |`).join('\n')}
`;
  log(`written to ${writeBenchmarkSection(section)}`);
  if (!flat || !clean) process.exitCode = 1;
}

function row(s: Sample10): string {
  const lag = s.lagMeanMs === null ? '-' : `${fmt(s.lagMeanMs, 1)}/${fmt(s.lagP99Ms!)}`;
  return `${fmt(s.t / 60, 1).padStart(6)} ${fmt(s.rssMb).padStart(8)} ${fmt(s.heapMb).padStart(8)} ${lag.padStart(16)} ${fmt(s.queue).padStart(6)} ${fmt(s.active).padStart(7)} ${fmt(s.events).padStart(9)} ${fmt(s.load, 2).padStart(5)}`;
}

main().catch((error: Error) => {
  log(error.stack ?? error.message);
  process.exit(1);
});
