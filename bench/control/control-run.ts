/**
 * One measured run of the control bench: a fresh office database, pbx-sim carrying background
 * traffic, the server as deployed (one topology), and `workers` operators' calls going through
 * hold, unhold, blind transfer and hang-up, each timed from the request to the answer that
 * carries the state the PBX's events confirmed.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { loadAverage } from '../bench-report';
import type { BenchPostgres } from '../bench-postgres';
import { cpuMsOfAll, machineCpuMs } from '../load/process-usage';
import { createOffice } from '../realtime/bench-office';
import { BenchServers, type Topology } from '../realtime/bench-servers';
import { percentiles, type Percentiles } from '../realtime/realtime-run';
import { FIRST_EXTENSION } from '../realtime/realtime-sim';
import { ControlSim } from './control-sim';

export const OPERATIONS = ['hold', 'unhold', 'blind transfer', 'hang-up'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface ControlRunOptions {
  cps: number;
  /** Calls each worker takes through the four commands. */
  cycles: number;
  /** Calls controlled at once. */
  workers: number;
  warmupSeconds: number;
  seed: number;
}

export interface ControlRunResult {
  topology: Topology;
  latencyMs: Record<Operation, Percentiles>;
  /** Every command of the run together. */
  allMs: Percentiles;
  /** Commands that did not answer 200, by code. */
  failures: Record<string, number>;
  /** Background calls the simulator placed per second during the run. */
  backgroundCps: number;
  serverCpuPct: number;
  simCpuPct: number;
  machineBusyPct: number;
  /** One-minute load average when the run started: other work on the machine. */
  loadAtStart: string;
}

const OFFICE = { operators: 100, supervisors: 1, queueMembers: 5 };
/** The gaps a person leaves between clicks; the target answers 200 ms after it starts ringing. */
const PAUSE_MS = { afterHold: 250, afterUnhold: 250, afterTransfer: 600 };
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export async function runControl(topology: Topology, options: ControlRunOptions, pg: BenchPostgres, database: string, log: (line: string) => void): Promise<ControlRunResult> {
  const jwtSecret = randomBytes(32).toString('hex');
  const loadAtStart = loadAverage();
  let sim: ControlSim | null = null;
  let servers: BenchServers | null = null;
  // One connection per worker: the workers wait for their calls at the same time.
  const db = new Pool({ ...pg.connection, database, max: 5 });
  try {
    await pg.createDatabase(database);
    const users = await createOffice(pg.connection, database, OFFICE, jwtSecret);
    const supervisor = users.find((u) => u.role === 'supervisor')!;
    const started = await ControlSim.start({ operators: OFFICE.operators, queueMembers: OFFICE.queueMembers, seed: options.seed });
    sim = started.sim;
    servers = await BenchServers.start(topology, { connection: pg.connection, database, simPort: started.port, jwtSecret });
    const url = servers.urls[0];
    const command = async (path: string, body?: object): Promise<{ ms: number; status: number; code: string | null }> => {
      const start = now();
      const response = await fetch(`${url}/api${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${supervisor.token}`, ...(body && { 'content-type': 'application/json' }) },
        ...(body && { body: JSON.stringify(body) }),
      });
      const answer = (await response.json()) as { error?: string };
      return { ms: now() - start, status: response.status, code: response.ok ? null : (answer.error ?? String(response.status)) };
    };
    /** The stored call of a Linkedid once answered (the bench's own query, not the API's, to load the server only with commands). */
    const answered = async (linkedid: string): Promise<string> => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(25)) {
        const { rows } = await db.query<{ id: number }>(`SELECT id FROM calls WHERE linkedid = $1 AND status = 'answered' AND ended_at IS NULL`, [linkedid]);
        if (rows[0]) return String(rows[0].id);
      }
      throw new Error(`call ${linkedid} not answered in the database within 20 s`);
    };

    const latencies = new Map<Operation, number[]>(OPERATIONS.map((op) => [op, []]));
    const failures: Record<string, number> = {};
    const timed = async (op: Operation, path: string, body?: object, measured = true): Promise<void> => {
      const result = await command(path, body);
      if (result.code !== null) failures[`${op}: ${result.code}`] = (failures[`${op}: ${result.code}`] ?? 0) + 1;
      else if (measured) latencies.get(op)!.push(result.ms);
    };
    // Operators 91-100 take the bench's calls (background calls reach them too, as in an office).
    const cycle = async (worker: number, measured: boolean): Promise<void> => {
      const agent = String(FIRST_EXTENSION + 90 + worker);
      const target = String(FIRST_EXTENSION + 95 + worker);
      const id = await answered(await sim!.place(agent, target));
      await timed('hold', `/calls/${id}/hold`, undefined, measured);
      await sleep(PAUSE_MS.afterHold);
      await timed('unhold', `/calls/${id}/unhold`, undefined, measured);
      await sleep(PAUSE_MS.afterUnhold);
      await timed('blind transfer', `/calls/${id}/transfer`, { extension: target }, measured);
      await sleep(PAUSE_MS.afterTransfer);
      await timed('hang-up', `/calls/${id}/hangup`, undefined, measured);
    };

    log(`${topology}: ${servers.roles.map((r) => `${r.role} pid ${r.process.pid}`).join(', ')}; background ${options.cps} calls/s, ${options.warmupSeconds} s warm-up`);
    sim.traffic(options.cps);
    const trafficStart = now();
    // Warm-up: the traffic builds up to its steady number of live calls; one unmeasured cycle per worker opens the control login.
    await Promise.all(Array.from({ length: options.workers }, (_, w) => cycle(w, false)));
    await sleep(Math.max(0, options.warmupSeconds * 1000 - (now() - trafficStart)));
    const pids = [...servers.roles.map((r) => r.process.pid)];
    const cpuStart = { servers: cpuMsOfAll(pids) ?? 0, machine: machineCpuMs() };
    const windowStart = now();
    log(`${topology}: ${options.workers} workers x ${options.cycles} calls`);
    await Promise.all(Array.from({ length: options.workers }, async (_, w) => {
      for (let c = 0; c < options.cycles; c++) await cycle(w, true);
    }));
    const windowMs = now() - windowStart;
    const machine = machineCpuMs();
    const serverCpuMs = (cpuMsOfAll(pids) ?? 0) - cpuStart.servers;
    const stopped = await sim.stop();
    const all = OPERATIONS.flatMap((op) => latencies.get(op)!);
    return {
      topology,
      latencyMs: Object.fromEntries(OPERATIONS.map((op) => [op, percentiles(latencies.get(op)!)])) as Record<Operation, Percentiles>,
      allMs: percentiles(all),
      failures,
      backgroundCps: Math.round((stopped.placed / ((now() - trafficStart) / 1000)) * 10) / 10,
      serverCpuPct: Math.round((100 * serverCpuMs) / windowMs),
      simCpuPct: Math.round((100 * stopped.cpuMs) / (now() - trafficStart)),
      machineBusyPct: Math.round((100 * (machine.busy - cpuStart.machine.busy)) / Math.max(1, machine.total - cpuStart.machine.total)),
      loadAtStart,
    };
  } finally {
    await db.end().catch(() => undefined);
    await servers?.stop();
    await sim?.exit();
    await pg.dropDatabase(database).catch(() => undefined);
  }
}
