import { fmt, type MachineInfo } from '../bench-report';
import type { LadderOptions, LadderResult, StepResult } from './load-ladder';
import { CPU_TICK_MS } from './process-usage';

export const LOAD_HEADING = '## PBX simulator load';
/** Issue 5's acceptance. */
export const TARGET_CPS = 200;

export interface LoadRunInfo {
  date: string;
  machine: MachineInfo;
  loadBefore: string;
  loadAfter: string;
  /** `PostgreSQL 15.20 (...)`, `DB_HOST 127.0.0.1:5432`: null when no server ladder ran. */
  postgres: { version: string; origin: string } | null;
  seconds: number;
}

const cpu = (v: number | null) => (v === null ? 'n/a' : `${v}%`);
const us = (v: number | null) => (v === null ? 'n/a' : `${v} µs`);
/** `4.1 + 12.3 = 16.4 µs`: the consumer's and its PostgreSQL backends' CPU per AMI event, and their sum. */
export function usPerEvent(s: StepResult): string {
  if (s.postgresUsPerEvent === null) return us(s.consumerUsPerEvent);
  if (s.consumerUsPerEvent === null) return `n/a + ${us(s.postgresUsPerEvent)}`;
  return `${s.consumerUsPerEvent} + ${s.postgresUsPerEvent} = ${us(Math.round((s.consumerUsPerEvent + s.postgresUsPerEvent) * 10) / 10)}`;
}

export function stepLine(name: string, s: StepResult): string {
  return (
    `${name.padEnd(7)} ${String(s.targetCps).padStart(4)} calls/s: placed ${s.placed} (${s.achievedCps}/s), once ${s.once}, missing ${s.missing}, ` +
    `duplicated ${s.duplicated}, not ended ${s.notEnded}, wrong status ${s.wrongStatus}; ${fmt(s.eventsPerSec)} events/s; delay p50 ${s.p50Ms} p99 ${s.p99Ms} max ${s.maxMs} ms ` +
    `(${s.sampledEvents} sampled); CPU ${name} ${cpu(s.consumerCpuPct)} pg ${cpu(s.postgresCpuPct)} (${usPerEvent(s)} per AMI event) sim ${s.simCpuPct}% bench ${cpu(s.observerCpuPct)} machine ${s.machineBusyPct}%; ` +
    `RSS ${name} ${s.consumerRssMb} MB -> ${s.sustained ? 'sustained' : `NOT sustained (${s.failures.join(', ') || 'a lower rate was not'})`}`
  );
}

function table(result: LadderResult): string {
  const server = result.consumer === 'server';
  const head = server
    ? '| calls/s target (achieved) | placed | in DB once | missing | duplicated | not ended | wrong status | AMI events/s | delay p50 / p99 / max ms (events) | server CPU | server peak RSS MB | PostgreSQL CPU | pbx-sim CPU | machine busy | sustained |'
    : '| calls/s target (achieved) | placed | tracked once | missing | duplicated | not ended | wrong status | AMI events/s | delay p50 / p99 / max ms (events) | bench process CPU | bench peak RSS MB | pbx-sim CPU | machine busy | sustained |';
  const align = `|${'---:|'.repeat(server ? 14 : 13)}:---|`;
  const rows = result.steps.map((s) =>
    [
      `${s.targetCps} (${s.achievedCps})`,
      fmt(s.placed),
      fmt(s.once),
      s.missing,
      s.duplicated,
      s.notEnded,
      s.wrongStatus,
      fmt(s.eventsPerSec),
      `${s.p50Ms} / ${s.p99Ms} / ${s.maxMs} (${fmt(s.sampledEvents)})`,
      cpu(s.consumerCpuPct),
      s.consumerRssMb,
      ...(server ? [cpu(s.postgresCpuPct)] : []),
      `${s.simCpuPct}%`,
      `${s.machineBusyPct}%`,
      s.sustained ? 'yes' : `**no**: ${s.failures.join(', ') || 'a lower rate was not'}`,
    ].join(' | '),
  );
  return [head, align, ...rows.map((r) => `| ${r} |`)].join('\n');
}

const SIMULATOR_BEHIND = /^simulator fell behind/;

/** `600 calls/s (577.6 placed a second)`. */
function sustainedRate(result: LadderResult): string {
  const best = result.steps.find((s) => s.sustained && s.targetCps === result.highestSustainedCps);
  return best ? `${best.targetCps} calls/s (${best.achievedCps} placed a second)` : 'none of the rates tried';
}

function outcome(result: LadderResult): string {
  const parts = [`highest sustained: **${sustainedRate(result)}**`];
  const last = result.steps[result.steps.length - 1];
  if (last?.sustained) parts.push('the highest rate tried: the limit is above it');
  if (result.stoppedEarly) parts.push(`rates stopped rising because ${result.stoppedEarly}`);
  const firstLost = result.steps.find((s) => !s.sustained);
  if (firstLost && firstLost.failures.length > 0 && firstLost.failures.every((f) => SIMULATOR_BEHIND.test(f))) {
    parts.push(
      `at ${firstLost.targetCps} calls/s the simulator, sharing the cores, placed only ${firstLost.achievedCps}/s: the limit of this machine, not a loss by the ${result.consumer} (every call it did place was held once and ended, p99 ${firstLost.p99Ms} ms)`,
    );
  }
  const observer = result.steps.map((s) => s.observerCpuPct).filter((v): v is number => v !== null);
  if (observer.length) parts.push(`the measurement itself (bench process + its poll backend) took ${Math.min(...observer)}-${Math.max(...observer)}% of one core`);
  parts.push(`drain after the traffic stopped: ${fmt(result.drainMs / 1000, 1)} s`);
  if (result.unexpected) parts.push(`${result.unexpected} calls held that the simulator never placed`);
  return `- ${parts.join('; ')}.` + (result.problems.length ? `\n- problems seen: ${result.problems.map((p) => `\`${p.replace(/`/g, "'")}\``).join('; ')}` : '');
}

/** The server at the cost rates, writing on every event-loop turn and gathering writes (INGEST_WRITE_GATHER_MS), run after run. */
export interface IngestCost {
  everyTurn: LadderResult[];
  gathered: LadderResult[];
}

/** Issue 9's acceptance: server + PostgreSQL CPU per AMI event, and the delay p99 while gathering. */
export const TARGET_US_PER_EVENT = 20;
export const TARGET_GATHERED_P99_MS = 100;

const totalUs = (s: StepResult) => (s.consumerUsPerEvent === null || s.postgresUsPerEvent === null ? null : s.consumerUsPerEvent + s.postgresUsPerEvent);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** One rate's figures over the runs: medians, and the spread of the total. */
interface CostCell {
  runs: number;
  achievedCps: number | null;
  eventsPerSec: number | null;
  serverUs: number | null;
  postgresUs: number | null;
  totalUs: number | null;
  totalMin: number | null;
  totalMax: number | null;
  p99Ms: number | null;
}

function cell(results: LadderResult[], cps: number): CostCell {
  // The last step at the rate: an earlier one at the same rate was the warm-up (see --cost-rates).
  const steps = results.map((r) => r.steps.filter((s) => s.targetCps === cps).pop()).filter((s): s is StepResult => s !== undefined);
  const of = (read: (s: StepResult) => number | null) => steps.map(read).filter((v): v is number => v !== null);
  const totals = of(totalUs);
  return {
    runs: steps.length,
    achievedCps: round1(median(of((s) => s.achievedCps))),
    eventsPerSec: median(of((s) => s.eventsPerSec)),
    serverUs: round1(median(of((s) => s.consumerUsPerEvent))),
    postgresUs: round1(median(of((s) => s.postgresUsPerEvent))),
    totalUs: round1(median(totals)),
    totalMin: totals.length ? round1(Math.min(...totals)) : null,
    totalMax: totals.length ? round1(Math.max(...totals)) : null,
    p99Ms: median(of((s) => s.p99Ms)),
  };
}

const costRates = (cost: IngestCost) => [...new Set([...cost.gathered, ...cost.everyTurn].flatMap((r) => r.steps.map((s) => s.targetCps)))].sort((a, b) => a - b);
const sideText = (c: CostCell) =>
  c.totalUs === null ? 'n/a' : `${c.serverUs} + ${c.postgresUs} = ${c.totalUs} µs${c.runs > 1 ? ` (${c.totalMin}-${c.totalMax})` : ''}`;

function costTable(cost: IngestCost): string {
  const head =
    '| calls/s target (achieved: turn / gathered) | AMI events/s (turn / gathered) | every turn: server + PostgreSQL µs per AMI event (range) | gathered: server + PostgreSQL µs per AMI event (range) | every turn / gathered | delay p99 ms (turn / gathered) | gathered ≤ ' +
    TARGET_US_PER_EVENT + ' µs and p99 < ' + TARGET_GATHERED_P99_MS + ' ms |';
  const rows = costRates(cost).map((cps) => {
    const t = cell(cost.everyTurn, cps);
    const g = cell(cost.gathered, cps);
    const ratio = t.totalUs !== null && g.totalUs ? `${(t.totalUs / g.totalUs).toFixed(1)}×` : 'n/a';
    const met = g.totalUs === null || g.p99Ms === null ? 'n/a' : g.totalUs <= TARGET_US_PER_EVENT && g.p99Ms < TARGET_GATHERED_P99_MS ? 'yes' : '**no**';
    return `| ${cps} (${t.achievedCps ?? 'n/a'} / ${g.achievedCps ?? 'n/a'}) | ${fmt(t.eventsPerSec ?? 0)} / ${fmt(g.eventsPerSec ?? 0)} | ${sideText(t)} | ${sideText(g)} | ${ratio} | ${t.p99Ms ?? 'n/a'} / ${g.p99Ms ?? 'n/a'} | ${met} |`;
  });
  return [head, `|${'---:|'.repeat(6)}:---|`, ...rows].join('\n');
}

/** What the table cannot say by itself: a rate the simulator could not make on this machine. */
function costNotes(cost: IngestCost): string {
  const notes: string[] = [];
  for (const cps of costRates(cost)) {
    const made = [cell(cost.everyTurn, cps).achievedCps, cell(cost.gathered, cps).achievedCps].filter((v): v is number => v !== null);
    if (made.length && Math.max(...made) < 0.9 * cps) {
      notes.push(`- at ${cps} calls/s the simulator, sharing the cores, placed only ${made.join(' / ')} calls/s: this row measures that rate, not ${cps}.`);
    }
  }
  return notes.length ? `\n${notes.join('\n')}\n` : '';
}

/** A rate given twice in a row first warms the server up (JIT, its connections' catalog caches, a fresh database's first plans): not counted. */
function warmup(cost: IngestCost): string {
  const steps = cost.gathered[0]?.steps ?? [];
  const warm = steps.length > 1 && steps[0].targetCps === steps[1].targetCps;
  return warm ? `; each run starts with a step at ${steps[0].targetCps} calls/s that warms the server up (JIT, its connections' caches, the fresh database's first plans) and is not counted` : '';
}

/** The comparison in a few lines, for the terminal. */
export function costSummary(cost: IngestCost): string {
  return costRates(cost)
    .map((cps) => {
      const t = cell(cost.everyTurn, cps);
      const g = cell(cost.gathered, cps);
      return `cost ${cps} calls/s over ${g.runs} run(s), medians: every turn ${sideText(t)} p99 ${t.p99Ms} ms (${t.achievedCps}/s); gathered ${sideText(g)} p99 ${g.p99Ms} ms (${g.achievedCps}/s)`;
    })
    .join('\n');
}

export const COST_HEADING = '## Ingest cost: CPU per AMI event';

/** Issue 9's cost comparison, a section of its own (`--consumer cost` writes only it). */
export function costSection(opts: LadderOptions & { costRates: number[] }, cost: IngestCost, run: LoadRunInfo): string {
  const m = run.machine;
  return `${COST_HEADING}

Written by \`npm run bench:load\` (bench/load.bench.ts) on ${run.date}, in ${fmt(run.seconds)} s.

Machine: ${m.cpus} CPUs (\`nproc\`), ${m.model}, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}${run.postgres ? `; ${run.postgres.version} (${run.postgres.origin}, default settings)` : ''}.
Load average ${run.loadBefore} before the run, ${run.loadAfter} after it: the simulator, the server, PostgreSQL and the bench share
these ${m.cpus} cores with whatever else runs (a load average above ${m.cpus} means other work competed with them, and inflates CPU per event too).

The server (pbx-sim → AMI → server process, role asterisk → PostgreSQL, as in "PBX simulator load") at ${costRates(cost).join(' and ')} calls/s, ${opts.stepSeconds} s a step, on a fresh database each run: once with \`INGEST_WRITE_GATHER_MS=0 RECORDING_LINK_GATHER_MS=0\` ` +
    `(a statement per event-loop turn), once with the default gathering, ${cost.gathered.length} time(s) each, alternating${warmup(cost)}. CPU of the server process and of its PostgreSQL backends over each step ` +
    `(those connected to the bench database when the step ends: one that came and went within it, such as an autovacuum worker, is missed), ` +
    `divided by the AMI events the simulator sent in it; medians over the runs, the range of the total in brackets. A server that falls behind ` +
    `does part of a step's work in the next, so the CPU of a step it lagged in is undercounted and the next one's overcounted. ` +
    `Delay: sent by the simulator to visible in \`calls\` (10 ms poll), p99 of the sampled events, median over the runs.

${costTable(cost)}
${costNotes(cost)}`;
}

export function loadSection(opts: LadderOptions, results: LadderResult[], run: LoadRunInfo): string {
  const m = run.machine;
  const server = results.find((r) => r.consumer === 'server');
  const tracker = results.find((r) => r.consumer === 'tracker');
  const headline: string[] = [];
  if (server) {
    const met = server.highestSustainedCps >= TARGET_CPS;
    headline.push(`- whole server (AMI ingest into PostgreSQL): **${sustainedRate(server)}** sustained — acceptance (≥ ${TARGET_CPS} call set-ups/s, nothing lost): **${met ? 'met' : 'NOT met'}**`);
  }
  if (tracker) headline.push(`- call tracker alone (the ceiling of this machine with the simulator on it): **${sustainedRate(tracker)}**`);
  const sections: string[] = [];
  if (server) {
    sections.push(`### Whole server: pbx-sim → AMI → server process (role asterisk) → PostgreSQL\n\n${table(server)}\n\n${outcome(server)}`);
  }
  if (tracker) {
    sections.push(`### Ceiling: libs/ami AmiConnection + CallTracker alone, in the bench process\n\n${table(tracker)}\n\n${outcome(tracker)}`);
  }
  return `${LOAD_HEADING}

Written by \`npm run bench:load\` (bench/load.bench.ts) on ${run.date}, in ${fmt(run.seconds)} s.

Machine: ${m.cpus} CPUs (\`nproc\`), ${m.model}, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}${run.postgres ? `; ${run.postgres.version} (${run.postgres.origin}, default settings)` : ''}.
Load average ${run.loadBefore} before the run, ${run.loadAfter} after it. The simulator, the server, PostgreSQL and the bench all share
these ${m.cpus} cores (a load average above ${m.cpus} means other work competed with them too).

${headline.join('\n')}

${sections.join('\n\n')}

How it is measured:

- **Traffic.** pbx-sim runs in a child process (bench/load/sim-worker-main.ts), seed ${opts.seed}, and places generated calls with
  Poisson arrivals: inbound, outbound, internal and queue calls, 70% answered, the rest missed, busy, abandoned or failed;
  some blind and attended transfers, holds (3-20 s) and recordings; ring 0.3-1.5 s, talk about 2 s; unanswered calls give up
  after 5 s. The rate rises every ${opts.stepSeconds} s through ${opts.rates.join(', ')} calls/s without a pause (calls of one step
  still run during the next, as on a real PBX) and stops rising after a step that is already lost (more than 1% of its sampled
  events over ${opts.maxP99Ms} ms, or the simulator behind its rate). Then the traffic stops and every call is let finish. Each
  consumer gets a fresh simulator with the same seed, so both see the same calls.
- **Nothing lost, nothing doubled.** The simulator reports every call it placed (its Linkedid) and in which step. After the
  drain the consumer's holdings are read back (server: \`calls\` rows of the PBX with their \`ended\` timeline steps, one query)
  and compared call by call: *in DB once* = one row, ended, one \`ended\` step; *missing* = no row; *duplicated* = more than one
  row or more than one \`ended\` step; *not ended* = the row never got its end; *wrong status* = held once but its final
  status is not the one the simulator played (a queue call nobody answers is \`abandoned\`). Rows the simulator never
  placed fail every step.
- **Delay.** For about ${opts.sampleCps} calls a second (every k-th call of a step) the simulator reports, with its clock, when it sent
  the call's first event that the tracker writes from (DialBegin, MonitorStart or MixMonitorStart) and its last Hangup. Server:
  the bench polls \`calls\` every ${opts.pollMs} ms by (pbx_id, linkedid) for the events sent and not yet visible, and takes the start
  of the first query that sees the row (resp. \`ended_at\`) as the time it became visible: resolution ${opts.pollMs} ms plus one
  loopback round trip. Tracker: the moment CallTracker emits the call's first event (resp. \`ended\`). Both processes read the
  same wall clock. A step's delays are those of the events sent during it; a step is sustained when every sampled event
  became visible and p99 ≤ ${opts.maxP99Ms} ms.
- **Resources**, over each step: CPU as % of one core from /proc/<pid>/stat (server, ${CPU_TICK_MS} ms ticks) or
  process.cpuUsage (simulator; tracker = the whole bench process); PostgreSQL = the backends connected to the bench database
  other than the bench's own (on this machine only); machine busy = all cores, from /proc/stat; peak RSS sampled every 200 ms.
  The server runs with NODE_ENV=production, LOG_LEVEL=warn, DEMO_MODE=off against a throwaway database
  (crm_bench_load_<pid>, migrated by the server's own start, dropped at the end); it is ready when its ingest holds the
  PBX's advisory lock and the simulator has seen its Login and CoreShowChannels.
`;
}
