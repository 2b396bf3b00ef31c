/**
 * `npm run bench:ami`: AMI ingest throughput, side by side, in one run.
 *
 * A generated stream shaped like the real captures is served over loopback TCP by
 * an AMI server in this process; each contender runs in its own child process
 * (its own CPU time and peak RSS), five times, interleaved so drift hits all alike:
 *
 *   raw         socket reads, counting `\r\n\r\n` frames: the floor
 *   parser      AmiConnection + AmiParser, every message emitted
 *   tracker     the same + CallTracker (the production ingest path)
 *   ami-client  asterisk-ami-client 1.1.5
 *
 * Then one long run of the parser samples RSS and heap (after a full GC) to show
 * memory stays flat. Results go to stdout and to the "AMI parser" section of
 * docs/benchmarks.md. Each contender's clock starts after a warm-up of AMI_BENCH_WARMUP
 * events (default 200000, same for all), so the figures are steady-state throughput
 * (the call tracker's code takes a few hundred thousand events to be fully optimised).
 * Env: AMI_BENCH_EVENTS (timed events, default 100000), AMI_BENCH_RUNS (5),
 * AMI_BENCH_LONG_REPEATS (10), AMI_BENCH_NODE_ARGS (extra node flags for the
 * contenders, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import { resolve } from 'node:path';
import type { AmiBenchClientResult, AmiBenchMode } from './ami-bench-client';
import { AmiStreamGenerator } from './ami-stream';
import { fmt, loadAverage, machineInfo, median, writeBenchmarkSection } from './bench-report';

const ROOT = resolve(__dirname, '..');
const EVENTS = Number(process.env.AMI_BENCH_EVENTS ?? 100_000);
const WARMUP = Number(process.env.AMI_BENCH_WARMUP ?? 200_000);
const RUNS = Number(process.env.AMI_BENCH_RUNS ?? 5);
const LONG_REPEATS = Number(process.env.AMI_BENCH_LONG_REPEATS ?? 10);
const CHILD_TIMEOUT_MS = 120_000;
const MODES: AmiBenchMode[] = ['raw', 'parser', 'tracker', 'ami-client'];
const LABELS: Record<AmiBenchMode, string> = {
  raw: 'raw socket, counting frames',
  parser: 'AmiConnection + AmiParser',
  tracker: 'AmiConnection + AmiParser + CallTracker',
  'ami-client': 'asterisk-ami-client 1.1.5',
  'parser-long': 'AmiConnection + AmiParser (long run)',
};
const TARGET_TRACKER_EPS = 150_000;
const TARGET_RATIO = 20;

/** Serves the greeting, answers the first action (the login) with Success, then writes the plan and closes. */
class BenchAmiServer {
  private server!: net.Server;
  plan: { buffer: Buffer; repeats: number } = { buffer: Buffer.alloc(0), repeats: 1 };

  async listen(): Promise<number> {
    this.server = net.createServer((socket) => void this.serve(socket));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): void {
    this.server.close();
  }

  private async serve(socket: net.Socket): Promise<void> {
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    socket.write('Asterisk Call Manager/9.0.0\r\n');
    let input = '';
    const actionId = await new Promise<string>((done) => {
      const onData = (chunk: Buffer) => {
        input += chunk.toString('latin1');
        if (!input.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        done(/^ActionID: *(.*)$/im.exec(input)?.[1]?.trim() ?? '');
      };
      socket.on('data', onData);
    });
    socket.write(`Response: Success\r\nActionID: ${actionId}\r\nMessage: Authentication accepted\r\n\r\n`);
    const { buffer, repeats } = this.plan;
    const slice = 1 << 20;
    for (let r = 0; r < repeats && !socket.destroyed; r++) {
      for (let offset = 0; offset < buffer.length && !socket.destroyed; offset += slice) {
        if (!socket.write(buffer.subarray(offset, offset + slice))) await drained(socket);
      }
    }
    socket.end();
  }
}

/** Resolves when the socket can take more, or is gone. */
function drained(socket: net.Socket): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      socket.off('drain', finish);
      socket.off('close', finish);
      done();
    };
    socket.on('drain', finish);
    socket.on('close', finish);
  });
}

function runClient(mode: AmiBenchMode, port: number, warmup: number): Promise<AmiBenchClientResult> {
  return new Promise((resolvePromise, reject) => {
    const nodeArgs = (process.env.AMI_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, ['--expose-gc', ...nodeArgs, 'scripts/run.cjs', 'bench/ami-bench-client.ts', mode, String(port), String(warmup)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${mode} client failed (exit ${code}): ${out.slice(-500)}`));
      else resolvePromise(JSON.parse(line) as AmiBenchClientResult);
    });
  });
}

interface Row {
  mode: AmiBenchMode;
  eps: number;
  cpuUsPerEvent: number;
  peakRssMb: number;
  received: number;
}

function summarize(mode: AmiBenchMode, runs: AmiBenchClientResult[]): Row {
  return {
    mode,
    eps: median(runs.map((r) => (r.events / r.ms) * 1000)),
    cpuUsPerEvent: median(runs.map((r) => (r.cpuMs * 1000) / Math.max(1, r.events))),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    received: Math.min(...runs.map((r) => r.received)),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadAverage();
  const generator = new AmiStreamGenerator({ concurrentCalls: 50 });
  const stream = generator.next(WARMUP + EVENTS);
  const calls = generator.callsStarted;
  const server = new BenchAmiServer();
  const port = await server.listen();
  const host = machineInfo();
  console.log(
    `AMI bench: ${fmt(WARMUP)} warm-up + ${fmt(EVENTS)} timed events, ${fmt(stream.length / 2 ** 20, 1)} MiB, ${fmt(calls)} calls (50 at a time), ${RUNS} runs per contender`,
  );
  console.log(`machine: ${host.cpus} CPUs, ${host.model}, Node ${host.node}`);

  const results = new Map<AmiBenchMode, AmiBenchClientResult[]>(MODES.map((m) => [m, []]));
  server.plan = { buffer: stream, repeats: 1 };
  for (let run = 1; run <= RUNS; run++) {
    for (const mode of MODES) {
      const result = await runClient(mode, port, WARMUP);
      results.get(mode)!.push(result);
      console.log(`  run ${run} ${mode.padEnd(10)} ${fmt((result.events / result.ms) * 1000).padStart(10)} events/s  ${fmt(result.received)} events received`);
    }
  }

  server.plan = { buffer: stream, repeats: LONG_REPEATS };
  const long = await runClient('parser-long', port, 0);
  server.close();

  const rows = MODES.map((m) => summarize(m, results.get(m)!));
  const client = rows.find((r) => r.mode === 'ami-client')!;
  const tracker = rows.find((r) => r.mode === 'tracker')!;
  // Events per CPU-second is what one core can sustain; unlike wall time it barely moves when other work shares the machine.
  const perCpuSecond = (r: Row) => 1e6 / r.cpuUsPerEvent;
  const table = [
    `| contender | events/s (median of ${RUNS}) | × ami-client | CPU µs/event | events per CPU-second | × ami-client (CPU) | peak RSS MiB | events received (min) |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${LABELS[r.mode]} | ${fmt(r.eps)} | ${fmt(r.eps / client.eps, 1)} | ${fmt(r.cpuUsPerEvent, 2)} | ${fmt(perCpuSecond(r))} | ${fmt(perCpuSecond(r) / perCpuSecond(client), 1)} | ${fmt(r.peakRssMb)} | ${fmt(r.received)} of ${fmt(WARMUP + EVENTS)} |`,
    ),
  ].join('\n');
  const samples = long.samples ?? [];
  const rssValues = samples.map((s) => s[1]);
  const heapValues = samples.map((s) => s[2]);
  // Compare the second half with the first: a leak grows with the stream, noise does not.
  const half = samples.length >> 1;
  const rssGrowth = samples.length >= 4 ? median(rssValues.slice(half)) - median(rssValues.slice(0, half)) : NaN;
  const flatTable = [
    '| events so far | RSS MiB | heap used MiB (after GC) |',
    '|---:|---:|---:|',
    ...samples.map(([events, rss, heap]) => `| ${fmt(events)} | ${fmt(rss, 1)} | ${fmt(heap, 1)} |`),
  ].join('\n');
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const cpuRatio = perCpuSecond(tracker) / perCpuSecond(client);
  const verdicts = [
    `- parser + tracker ≥ ${fmt(TARGET_TRACKER_EPS)} events/s on one core: wall clock **${met(tracker.eps >= TARGET_TRACKER_EPS)}** (${fmt(tracker.eps)}), per CPU-second **${met(perCpuSecond(tracker) >= TARGET_TRACKER_EPS)}** (${fmt(perCpuSecond(tracker))})`,
    `- parser + tracker ≥ ${TARGET_RATIO}× asterisk-ami-client: wall clock **${met(tracker.eps >= TARGET_RATIO * client.eps)}** (${fmt(tracker.eps / client.eps, 1)}×), CPU time **${met(cpuRatio >= TARGET_RATIO)}** (${fmt(cpuRatio, 1)}×)`,
    `- long run: ${fmt(long.events)} events at ${fmt((long.events / long.ms) * 1000)} events/s; RSS ${fmt(Math.min(...rssValues), 1)}–${fmt(Math.max(...rssValues), 1)} MiB, heap after GC ${fmt(Math.min(...heapValues), 1)}–${fmt(Math.max(...heapValues), 1)} MiB; second half minus first half (median RSS): ${fmt(rssGrowth, 1)} MiB`,
  ].join('\n');

  const section = `## AMI parser

Written by \`npm run bench:ami\` (bench/ami.bench.ts) on ${new Date().toISOString().slice(0, 10)}.

Machine: ${host.cpus} CPUs (\`nproc\`), ${host.model}, Node ${host.node}, ${host.os}; load average ${loadBefore} before the run,
${loadAverage()} after it (a load above the CPU count means other work competed for the cores: wall-clock events/s then
drop for every contender, while CPU µs/event and events per CPU-second stay comparable).

Stream: ${fmt(WARMUP + EVENTS)} events (${fmt(stream.length / 2 ** 20, 1)} MiB), the events of ten captured call scenarios
(bench/ami-stream.ts) renumbered per call (Uniqueid/Linkedid, channel suffixes, bridge ids), ${fmt(calls)} calls with 50
in progress at once and their messages interleaved. Served over loopback TCP by an AMI server in the parent process after
a real login; each contender runs in its own process (CPU time and peak RSS are its own), ${RUNS} runs each, interleaved.
The clock starts after the first ${fmt(WARMUP)} events (JIT warm-up, same for all): events/s and CPU µs/event are over the
next ${fmt(EVENTS)} events, up to the server's close, i.e. the steady state of a long-running ingest. Peak RSS includes the
TypeScript loader (swc-node) every contender runs under; the raw contender shows that floor.

${table}

${verdicts}

RSS over the long run (the ${fmt(WARMUP + EVENTS)}-event stream served ${LONG_REPEATS} times to one \`AmiConnection\`):

${flatTable}
`;
  console.log(`\n${table}\n\n${verdicts}\n\n${flatTable}\n`);
  const docs = writeBenchmarkSection(section);
  console.log(`written to ${docs} in ${fmt((Date.now() - started) / 1000, 1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
