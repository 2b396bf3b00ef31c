/**
 * `npm run bench:realtime`: incoming-call popups through the whole server to hundreds of
 * browsers, in one process and as two instances behind Redis; written to docs/benchmarks.md.
 *
 *   npm run bench:realtime -- [--topology both|single|cluster] [--operators 500] [--supervisors 5]
 *                             [--cps 100] [--warmup 5] [--seconds 30] [--runs 3] [--seed 42]
 *
 * Each run (bench/realtime/realtime-run.ts): a throwaway database on the PostgreSQL named by
 * DB_HOST (else an embedded one) with the operators, supervisors and caller companies; pbx-sim
 * in a child process; the server in child processes (bench/realtime/bench-servers.ts); one
 * socket.io-client per user in this process. Reported: popups and call ends delivered vs due,
 * duplicates, latency from the AMI event to the popup, server CPU and RSS.
 */
import { fmt, loadAverage, machineInfo, writeBenchmarkSection } from './bench-report';
import { openBenchPostgres } from './bench-postgres';
import { TOPOLOGIES, type Topology } from './realtime/bench-servers';
import { realtimeSection, runLine } from './realtime/realtime-report';
import { runOnce, type RunOptions, type RunResult } from './realtime/realtime-run';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const USAGE = 'usage: npm run bench:realtime -- [--topology both|single|cluster] [--operators 500] [--supervisors 5] [--cps 100] [--warmup 5] [--seconds 30] [--runs 3] [--seed 42]';

function parseArgs(): RunOptions & { runs: number; topologies: Topology[] } {
  const argv = process.argv.slice(2);
  const defaults: Record<string, string> = { topology: 'both', operators: '500', supervisors: '5', cps: '100', warmup: '5', seconds: '30', runs: '3', seed: '42' };
  const given = new Map<string, string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !(name in defaults)) problems.push(`unknown argument ${argv[i]}`);
    else if (argv[i + 1] === undefined) problems.push(`${argv[i]} needs a value`);
    else given.set(name, argv[i + 1]);
  }
  const get = (name: string) => given.get(name) ?? defaults[name];
  const int = (name: string, min: number, max: number): number => {
    const value = Number(get(name));
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`--${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const topology = get('topology');
  if (topology !== 'both' && !TOPOLOGIES.includes(topology as Topology)) problems.push('--topology must be both, single or cluster');
  const options = {
    topologies: topology === 'both' ? [...TOPOLOGIES] : [topology as Topology],
    operators: int('operators', 1, 5000),
    supervisors: int('supervisors', 0, 100),
    cps: int('cps', 1, 1000),
    warmupSeconds: int('warmup', 0, 300),
    seconds: int('seconds', 1, 600),
    runs: int('runs', 1, 20),
    seed: int('seed', 0, 2 ** 31),
    queueMembers: 0,
  };
  options.queueMembers = Math.min(5, options.operators);
  if (problems.length) {
    log(`${problems.join('\n')}\n${USAGE}`);
    process.exit(2);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs();
  const started = Date.now();
  const loadBefore = loadAverage();
  const pg = await openBenchPostgres(log);
  const results = new Map<Topology, RunResult[]>();
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const topology of options.topologies) {
        log(`run ${run}/${options.runs}, ${topology} (load average ${loadAverage()})`);
        const result = await runOnce(topology, { ...options, seed: options.seed + run }, pg, `crm_bench_realtime_${process.pid}_${run}_${topology}`, log);
        log(runLine(result));
        results.set(topology, [...(results.get(topology) ?? []), result]);
      }
    }
  } finally {
    await pg.close();
  }
  const info = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(),
    loadBefore,
    loadAfter: loadAverage(),
    postgres: { version: pg.version, origin: pg.origin },
    seconds: (Date.now() - started) / 1000,
  };
  process.stdout.write(`${JSON.stringify({ bench: 'realtime', options, run: info, results: Object.fromEntries(results) }, null, 2)}\n`);
  log(`written to ${writeBenchmarkSection(realtimeSection(options, results, info))} (${fmt(info.seconds)} s)`);
}

main().catch((error: Error) => {
  log(`realtime bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
