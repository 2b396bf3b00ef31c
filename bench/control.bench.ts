/**
 * `npm run bench:control`: how long call control takes from the command to the answer carrying
 * the state the PBX's events confirmed (hold, unhold, blind transfer, hang-up) while pbx-sim
 * carries background traffic; written to docs/benchmarks.md.
 *
 *   npm run bench:control -- [--topology both|single|cluster] [--cps 100] [--cycles 40] [--workers 4]
 *                            [--warmup 10] [--runs 3] [--seed 42]
 *
 * Each run (bench/control/control-run.ts): a throwaway database on the PostgreSQL named by DB_HOST
 * (else an embedded one), pbx-sim in a child process, the server as deployed in child processes
 * (bench/realtime/bench-servers.ts), a supervisor's REST commands from this process. Acceptance
 * (issue 11): p99 under 300 ms at 100 calls/s.
 */
import { fmt, loadAverage, machineInfo, median, writeBenchmarkSection, type MachineInfo } from './bench-report';
import { openBenchPostgres } from './bench-postgres';
import { OPERATIONS, runControl, type ControlRunOptions, type ControlRunResult } from './control/control-run';
import { TOPOLOGIES, type Topology } from './realtime/bench-servers';

const TARGET_P99_MS = 300;
const HEADING = '## Call control: command to confirmed state';
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const USAGE = 'usage: npm run bench:control -- [--topology both|single|cluster] [--cps 100] [--cycles 40] [--workers 4] [--warmup 10] [--runs 3] [--seed 42]';

const TOPOLOGY_TEXT: Record<Topology, string> = {
  single: 'one process (`APP_ROLE=all`): commands run in the process that takes them',
  cluster: 'ingest (`APP_ROLE=asterisk`) + two server instances (`APP_ROLE=server`): commands to the first instance, through Redis to the ingest that controls the PBX',
};

function parseArgs(): ControlRunOptions & { runs: number; topologies: Topology[] } {
  const argv = process.argv.slice(2);
  const defaults: Record<string, string> = { topology: 'both', cps: '100', cycles: '40', workers: '4', warmup: '10', runs: '3', seed: '42' };
  const given = new Map<string, string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !(name in defaults)) problems.push(`unknown argument ${argv[i]}`);
    else if (argv[i + 1] === undefined) problems.push(`${argv[i]} needs a value`);
    else given.set(name, argv[i + 1]);
  }
  const int = (name: string, min: number, max: number): number => {
    const value = Number(given.get(name) ?? defaults[name]);
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`--${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const topology = given.get('topology') ?? defaults.topology;
  if (topology !== 'both' && !TOPOLOGIES.includes(topology as Topology)) problems.push('--topology must be both, single or cluster');
  const options = {
    topologies: topology === 'both' ? [...TOPOLOGIES] : [topology as Topology],
    cps: int('cps', 0, 1000),
    cycles: int('cycles', 1, 1000),
    workers: int('workers', 1, 5),
    warmupSeconds: int('warmup', 0, 300),
    runs: int('runs', 1, 20),
    seed: int('seed', 0, 2 ** 31),
  };
  if (problems.length) {
    log(`${problems.join('\n')}\n${USAGE}`);
    process.exit(2);
  }
  return options;
}

function runLine(r: ControlRunResult): string {
  const ops = OPERATIONS.map((op) => `${op} ${r.latencyMs[op].p50}/${r.latencyMs[op].p99}`).join(', ');
  const failed = Object.entries(r.failures).map(([k, n]) => `${k} x${n}`).join(', ') || 'none';
  return `${r.topology}: p50/p99 ms ${ops}; all ${r.allMs.p50}/${r.allMs.p99} max ${r.allMs.max} (${r.allMs.samples}); failures ${failed}; background ${r.backgroundCps} calls/s; server CPU ${r.serverCpuPct}%, pbx-sim ${r.simCpuPct}%, machine ${r.machineBusyPct}%`;
}

interface RunInfo {
  date: string;
  machine: MachineInfo;
  loadBefore: string;
  loadAfter: string;
  postgres: string;
  seconds: number;
}

function section(options: ControlRunOptions & { runs: number }, results: Map<Topology, ControlRunResult[]>, info: RunInfo): string {
  const m = (runs: ControlRunResult[], pick: (r: ControlRunResult) => number) => median(runs.map(pick));
  const rows = [...results].flatMap(([topology, runs]) =>
    [...OPERATIONS, 'all' as const].map((op) => {
      const of = (r: ControlRunResult) => (op === 'all' ? r.allMs : r.latencyMs[op]);
      const p99s = runs.map((r) => of(r).p99).sort((a, b) => a - b);
      const cells = [topology, op, fmt(m(runs, (r) => of(r).samples)), fmt(m(runs, (r) => of(r).p50), 1), `${fmt(m(runs, (r) => of(r).p99), 1)} (${p99s[0]}-${p99s[p99s.length - 1]})`, fmt(Math.max(...runs.map((r) => of(r).max)), 1)];
      return `| ${op === 'all' ? cells.map((c) => `**${c}**`).join(' | ') : cells.join(' | ')} |`;
    }),
  );
  const failed = (runs: ControlRunResult[]) => runs.flatMap((r, i) => Object.entries(r.failures).map(([k, n]) => `run ${i + 1}: ${k} x${n}`)).join(', ') || 'none';
  const load = [...results].map(([t, runs]) => `| ${t} | ${fmt(m(runs, (r) => r.backgroundCps), 1)} | ${fmt(m(runs, (r) => r.serverCpuPct))}% | ${fmt(m(runs, (r) => r.simCpuPct))}% | ${fmt(m(runs, (r) => r.machineBusyPct))}% | ${runs.map((r) => r.loadAtStart).join(', ')} | ${failed(runs)} |`);
  const over = [...results].flatMap(([t, runs]) => runs.flatMap((r, i) => (r.allMs.p99 >= TARGET_P99_MS ? [`${t} run ${i + 1} (p99 ${r.allMs.p99} ms, load average ${r.loadAtStart} at its start)`] : [])));
  const worst = Math.max(...[...results.values()].map((runs) => m(runs, (r) => r.allMs.p99)));
  const single = results.get('single');
  const cluster = results.get('cluster');
  const ratio =
    single && cluster
      ? `Side by side, the split roles take ${fmt(m(cluster, (r) => r.allMs.p50) / m(single, (r) => r.allMs.p50), 2)}x the single process's median and ${fmt(m(cluster, (r) => r.allMs.p99) / m(single, (r) => r.allMs.p99), 2)}x its p99 (two Redis hops and a second process on the same two cores).`
      : '';
  return [
    HEADING,
    '',
    `\`npm run bench:control\` (bench/control.bench.ts), ${info.date}: ${options.workers} calls controlled at once by a supervisor's REST commands, each call through hold, unhold (250 ms later), blind transfer to another operator (250 ms later) and hang-up (600 ms later), ${options.cycles} calls per worker, while pbx-sim carries ${options.cps} calls/s of background traffic (inbound, queue and internal calls of 100 operators, 2 s median talk, some transferred and recorded by the simulator itself). ` +
      `Latency is from sending the request to the answer that carries the state the PBX's events confirmed (the server reads the call, checks access, hands the command to the process controlling the PBX, sends the AMI action on its own login, waits for the confirming event, writes the audit entry). Medians of ${options.runs} run(s) per topology; the p99 range over the runs in brackets. ${options.warmupSeconds} s warm-up (one unmeasured call per worker) first.`,
    '',
    ...[...results.keys()].map((t) => `- **${t}**: ${TOPOLOGY_TEXT[t]}`),
    '',
    '| topology | command | samples | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    '| topology | background calls/s | server CPU (% of a core) | pbx-sim CPU | machine busy | load average at each run\'s start | failed commands |',
    '|---|---|---|---|---|---|---|',
    ...load,
    '',
    options.cps >= 100
      ? `**Acceptance (p99 < ${TARGET_P99_MS} ms at 100 calls/s, median of the runs): ${worst < TARGET_P99_MS ? 'met' : 'NOT met'}**, worst topology p99 ${fmt(worst, 1)} ms. ${over.length > 0 ? `Runs over ${TARGET_P99_MS} ms: ${over.join('; ')}. ` : 'No run over it. '}${ratio}`
      : `Background traffic below the acceptance's 100 calls/s: no verdict. Worst topology p99 ${fmt(worst, 1)} ms. ${ratio}`,
    '',
    `Machine: ${info.machine.cpus} cores (${info.machine.model}), ${info.machine.memoryGiB} GiB, Node ${info.machine.node}, ${info.machine.os}; ${info.postgres}; load average ${info.loadBefore} before, ${info.loadAfter} after (other work shares the machine); ${fmt(info.seconds)} s in all. pbx-sim CPU counts from its start.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs();
  const started = Date.now();
  const loadBefore = loadAverage();
  const pg = await openBenchPostgres(log);
  const results = new Map<Topology, ControlRunResult[]>();
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const topology of options.topologies) {
        log(`run ${run}/${options.runs}, ${topology} (load average ${loadAverage()})`);
        const result = await runControl(topology, { ...options, seed: options.seed + run }, pg, `crm_bench_control_${process.pid}_${run}_${topology}`, log);
        log(runLine(result));
        results.set(topology, [...(results.get(topology) ?? []), result]);
      }
    }
  } finally {
    await pg.close();
  }
  const info: RunInfo = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(),
    loadBefore,
    loadAfter: loadAverage(),
    postgres: `${pg.version} (${pg.origin})`,
    seconds: (Date.now() - started) / 1000,
  };
  process.stdout.write(`${JSON.stringify({ bench: 'control', options, run: info, results: Object.fromEntries(results) }, null, 2)}\n`);
  log(`written to ${writeBenchmarkSection(section(options, results, info))} (${fmt(info.seconds)} s)`);
}

main().catch((error: Error) => {
  log(`control bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
