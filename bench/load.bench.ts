/**
 * `npm run bench:load`: pbx-sim at rising call rates against the whole server (AMI ingest into
 * PostgreSQL), with the call tracker alone as the ceiling, written to docs/benchmarks.md.
 *
 *   npm run bench:load -- [--consumer both|server|tracker] [--rates 100,200,300,400,500,600,700,800]
 *                         [--step-seconds 10] [--seed 42] [--max-p99-ms 1000] [--sample-cps 100] [--poll-ms 10]
 *                         [--cost-rates 100,100,500|none] [--cost-repeats 3]
 *
 * For each consumer: a fresh simulator in a child process places calls at each rate in turn
 * (bench/load/load-ladder.ts); the consumer ingests its AMI stream; afterwards every call the
 * simulator placed is looked up in what the consumer holds. Reported per rate: calls placed,
 * held once, missing, duplicated, not ended; AMI events/s; the delay from the simulator sending
 * an event to the consumer showing it (server: the row visible in PostgreSQL); CPU and RSS.
 *
 * Consumers (bench/load/*-consumer.ts):
 *   server   `node scripts/run.cjs apps/server/src/main.ts` with APP_ROLE=asterisk as a child
 *            process, against a throwaway database crm_bench_load_<pid> on the PostgreSQL named by
 *            DB_HOST/DB_PORT/DB_USER/DB_PASSWORD, else on an embedded one (bench/bench-postgres.ts)
 *   tracker  libs/ami AmiConnection + CallTracker in this process, no database: the ceiling
 *
 * Ingest cost (with the server, unless --cost-rates none): the server again at the cost rates,
 * once writing on every event-loop turn (INGEST_WRITE_GATHER_MS=0) and once gathering writes as
 * configured by default, each on a fresh database: CPU per AMI event of the server process and
 * of its PostgreSQL backends, side by side; `--cost-repeats` pairs, alternating, their medians
 * reported. A rate given twice in a row (the default's 100) warms the server up first, uncounted.
 * It is a section of docs/benchmarks.md of its own; `--consumer cost` runs and writes only it.
 */
import { fmt, loadAverage, machineInfo, writeBenchmarkSection } from './bench-report';
import { openBenchPostgres } from './bench-postgres';
import { LadderInterrupted, runLadder, type LadderOptions, type LadderResult } from './load/load-ladder';
import { costSection, costSummary, loadSection, stepLine, type IngestCost, type LoadRunInfo } from './load/load-report';
import { ServerConsumer } from './load/server-consumer';
import { TrackerConsumer } from './load/tracker-consumer';

type ConsumerChoice = 'both' | 'server' | 'tracker' | 'cost';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const abort = new AbortController();

function parseArgs(signal: AbortSignal): LadderOptions & { consumer: ConsumerChoice; costRates: number[]; costRepeats: number } {
  const argv = process.argv.slice(2);
  const known = new Set(['consumer', 'rates', 'step-seconds', 'seed', 'max-p99-ms', 'sample-cps', 'poll-ms', 'cost-rates', 'cost-repeats']);
  const problems: string[] = [];
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !known.has(name)) problems.push(`unknown argument ${argv[i]}`);
    else if (argv[i + 1] === undefined) problems.push(`${argv[i]} needs a value`);
    else given.set(name, argv[i + 1]);
  }
  const get = (name: string, fallback: string) => given.get(name) ?? fallback;
  const consumer = get('consumer', 'both') as ConsumerChoice;
  const rates = get('rates', '100,200,300,400,500,600,700,800').split(',').map(Number);
  const stepSeconds = Number(get('step-seconds', '10'));
  const seed = Number(get('seed', '42'));
  const maxP99Ms = Number(get('max-p99-ms', '1000'));
  const sampleCps = Number(get('sample-cps', '100'));
  const pollMs = Number(get('poll-ms', '10'));
  const costRatesText = get('cost-rates', '100,100,500');
  const costRates = costRatesText === 'none' ? [] : costRatesText.split(',').map(Number);
  const costRepeats = Number(get('cost-repeats', '3'));
  if (costRates.some((r) => !(r > 0 && r <= 5000))) problems.push('--cost-rates must be none or numbers between 0 and 5000, comma-separated');
  if (!(Number.isInteger(costRepeats) && costRepeats >= 1 && costRepeats <= 20)) problems.push('--cost-repeats must be a whole number from 1 to 20');
  if (!['both', 'server', 'tracker', 'cost'].includes(consumer)) problems.push('--consumer must be both, server, tracker or cost');
  if (consumer === 'cost' && costRates.length === 0) problems.push('--consumer cost needs --cost-rates');
  if (rates.some((r) => !(r > 0 && r <= 5000))) problems.push('--rates must be numbers between 0 and 5000, comma-separated');
  if (!(stepSeconds >= 1 && stepSeconds <= 120)) problems.push('--step-seconds must be between 1 and 120');
  if (!(maxP99Ms > 0)) problems.push('--max-p99-ms must be positive');
  if (!(sampleCps > 0)) problems.push('--sample-cps must be positive');
  if (!(pollMs >= 1 && pollMs <= 1000)) problems.push('--poll-ms must be between 1 and 1000');
  if (!Number.isInteger(seed)) problems.push('--seed must be an integer');
  if (problems.length) {
    log(`${problems.join('\n')}\nusage: npm run bench:load -- [--consumer both|server|tracker|cost] [--rates 50,100,...] [--step-seconds 10] [--seed 42] [--max-p99-ms 1000] [--sample-cps 100] [--poll-ms 10] [--cost-rates 100,100,500|none] [--cost-repeats 3]`);
    process.exit(2);
  }
  return { consumer, rates, stepSeconds, seed, maxP99Ms, sampleCps, pollMs, signal, costRates, costRepeats };
}

async function serverLadder(opts: LadderOptions, env: Record<string, string> = {}, run = 'load'): Promise<{ result: LadderResult; postgres: LoadRunInfo['postgres'] }> {
  const pg = await openBenchPostgres(log);
  const database = `crm_bench_${run}_${process.pid}`;
  try {
    await pg.createDatabase(database);
    log(`server${Object.keys(env).length ? ` (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}: PostgreSQL ${pg.origin} (${pg.version}), database ${database}`);
    const result = await runLadder(new ServerConsumer(pg, database, opts.pollMs, log, env), opts, log);
    return { result, postgres: { version: pg.version, origin: pg.origin } };
  } finally {
    await pg.dropDatabase(database).catch((error: Error) => log(`could not drop ${database}: ${error.message}`));
    await pg.close();
  }
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abort.abort());
  const opts = parseArgs(abort.signal);
  const started = Date.now();
  const loadBefore = loadAverage();
  const results: LadderResult[] = [];
  let postgres: LoadRunInfo['postgres'] = null;
  const report = (result: LadderResult) => {
    results.push(result);
    for (const step of result.steps) log(stepLine(result.consumer, step));
    log(`${result.consumer}: highest sustained ${result.highestSustainedCps} calls/s${result.stoppedEarly ? ` (${result.stoppedEarly})` : ''}`);
  };
  if (opts.consumer === 'both' || opts.consumer === 'tracker') report(await runLadder(new TrackerConsumer(), opts, log));
  if ((opts.consumer === 'both' || opts.consumer === 'server') && !abort.signal.aborted) {
    const server = await serverLadder(opts);
    postgres = server.postgres;
    report(server.result);
  }
  let cost: IngestCost | null = null;
  if (opts.consumer !== 'tracker' && opts.costRates.length > 0 && !abort.signal.aborted) {
    const costOpts = { ...opts, rates: opts.costRates, everyRate: true };
    cost = { everyTurn: [], gathered: [] };
    // Alternating, so a burst of other work on the machine falls on both sides alike.
    for (let i = 0; i < opts.costRepeats && !abort.signal.aborted; i++) {
      // Every turn: the calls' writes and the recordings links, as the ingest wrote before gathering.
      const turnRun = await serverLadder(costOpts, { INGEST_WRITE_GATHER_MS: '0', RECORDING_LINK_GATHER_MS: '0' }, 'cost_turn');
      postgres ??= turnRun.postgres;
      const everyTurn = turnRun.result;
      for (const step of everyTurn.steps) log(stepLine('turn', step));
      cost.everyTurn.push(everyTurn);
      const gathered = (await serverLadder(costOpts, {}, 'cost_gather')).result;
      for (const step of gathered.steps) log(stepLine('gather', step));
      cost.gathered.push(gathered);
    }
  }
  const run: LoadRunInfo = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(),
    loadBefore,
    loadAfter: loadAverage(),
    postgres,
    seconds: (Date.now() - started) / 1000,
  };
  const { signal: _signal, ...shown } = opts;
  process.stdout.write(`${JSON.stringify({ bench: 'load', options: shown, run, results, cost }, null, 2)}\n`);
  if (cost) log(costSummary(cost));
  if (abort.signal.aborted) {
    log('interrupted: docs/benchmarks.md left as it was');
    process.exit(130);
  }
  if (results.length > 0) log(`written to ${writeBenchmarkSection(loadSection(opts, results, run))}`);
  if (cost && cost.gathered.length > 0) log(`written to ${writeBenchmarkSection(costSection(opts, cost, run))}`);
  log(`${fmt(run.seconds)} s`);
}

main().catch((error: Error) => {
  // Ctrl-C also stops the embedded PostgreSQL and the server (one process group): whatever failed then is the interruption.
  if (error instanceof LadderInterrupted || abort.signal.aborted) {
    log('interrupted: docs/benchmarks.md left as it was');
    process.exit(130);
  }
  log(`load bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
