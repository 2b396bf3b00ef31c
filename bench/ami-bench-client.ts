/**
 * One contender of `npm run bench:ami`, run in its own process so CPU time and peak
 * RSS are its own: connects to the benchmark's AMI server, logs in, consumes the
 * stream until the server closes, and prints one JSON line with the figures.
 * The clock starts after the first `warmup` events (JIT warm-up, the same for every
 * contender): the figures are the steady state of a long-running ingest.
 *
 *   node --expose-gc scripts/run.cjs bench/ami-bench-client.ts <mode> <port> <warmup>
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import AmiClient from 'asterisk-ami-client';
import { AmiConnection, AmiMessage, CallTracker } from '@app/ami';

export type AmiBenchMode = 'raw' | 'parser' | 'tracker' | 'ami-client' | 'parser-long';

export interface AmiBenchClientResult {
  mode: AmiBenchMode;
  /** Events after the warm-up, over which time and CPU are measured. */
  events: number;
  /** Every event received, warm-up included. */
  received: number;
  ms: number;
  cpuMs: number;
  peakRssMb: number;
  /** parser-long only: [events so far, RSS MiB, heap used MiB after a full GC]. */
  samples?: Array<[number, number, number]>;
  /** tracker only: call events produced. */
  callEvents?: number;
}

const SECRET = 'bench-secret';
const SAMPLE_EVERY = 250_000;
const TERMINATOR = Buffer.from('\r\n\r\n');

/** Counts events, starts the clock after the warm-up, prints the result at the end. */
class Measurement {
  private received = 0;
  private timedFrom = -1;
  private started = 0n;
  private cpu = process.cpuUsage();
  private finished = false;

  constructor(
    private readonly mode: AmiBenchMode,
    private readonly warmup: number,
    private readonly extra: () => Partial<AmiBenchClientResult> = () => ({}),
  ) {}

  get count(): number {
    return this.received;
  }

  add(events: number): void {
    if (this.timedFrom < 0 && this.received >= this.warmup) {
      this.timedFrom = this.received;
      this.cpu = process.cpuUsage();
      this.started = process.hrtime.bigint();
    }
    this.received += events;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const ms = Number(process.hrtime.bigint() - this.started) / 1e6;
    const used = process.cpuUsage(this.cpu);
    const result: AmiBenchClientResult = {
      mode: this.mode,
      events: this.timedFrom < 0 ? 0 : this.received - this.timedFrom,
      received: this.received,
      ms,
      cpuMs: (used.user + used.system) / 1000,
      peakRssMb: peakRssMb(),
      ...this.extra(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
}

/**
 * This process's own peak RSS. Not `resourceUsage().maxRSS`: Linux carries the parent's
 * high-water mark into a forked child, so every contender would report the bench
 * server's size. `VmHWM` belongs to the process's own address space.
 */
function peakRssMb(): number {
  try {
    const kb = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Only counts frames: the floor any AMI client pays for the socket itself. */
function runRaw(port: number, warmup: number): void {
  const run = new Measurement('raw', warmup);
  let loggedIn = false;
  let tail = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    let frames = 0;
    let from = 0;
    if (tail.length > 0) {
      // A terminator may straddle the previous read and this one.
      const seam = Buffer.concat([tail, chunk.subarray(0, 3)]).indexOf(TERMINATOR);
      if (seam >= 0 && seam < tail.length) {
        frames++;
        from = seam + 4 - tail.length;
      }
    }
    let last = -1;
    for (let i = chunk.indexOf(TERMINATOR, from); i >= 0; i = chunk.indexOf(TERMINATOR, i + 4)) {
      frames++;
      last = i;
    }
    tail = Buffer.from(chunk.subarray(Math.max(last >= 0 ? last + 4 : from, chunk.length - 3)));
    if (!loggedIn && frames > 0) {
      loggedIn = true;
      frames -= 1; // the login answer
    }
    run.add(frames);
  };
  // Reads into one reused buffer, as AmiConnection does: no allocation per read.
  const readBuffer = Buffer.allocUnsafe(256 * 1024);
  const socket = net.connect({
    host: '127.0.0.1',
    port,
    onread: { buffer: readBuffer, callback: (bytes: number) => (onData(readBuffer.subarray(0, bytes)), true) },
  });
  socket.on('connect', () => socket.write('Action: Login\r\nActionID: raw-1\r\nUsername: crm\r\nSecret: bench-secret\r\n\r\n'));
  socket.on('close', () => run.finish());
}

function runConnection(mode: 'parser' | 'tracker' | 'parser-long', port: number, warmup: number): void {
  const tracker = mode === 'tracker' ? new CallTracker() : null;
  const samples: Array<[number, number, number]> = [];
  let callEvents = 0;
  const run = new Measurement(mode, warmup, () => (mode === 'parser-long' ? { samples } : tracker ? { callEvents } : {}));
  const connection = new AmiConnection({
    server: { id: 'bench', host: '127.0.0.1', port, username: 'crm', secret: SECRET, tls: false },
    pingIntervalMs: 3_600_000,
    reconnect: { initialDelayMs: 3_600_000 },
  });
  let nextSample = SAMPLE_EVERY;
  const onMessage = tracker
    ? (message: AmiMessage) => {
        if (message.kind !== 'event') return;
        run.add(1);
        callEvents += tracker.handle(message).length;
      }
    : (message: AmiMessage) => {
        if (message.kind !== 'event') return;
        run.add(1);
        if (mode === 'parser-long' && run.count === nextSample) {
          nextSample += SAMPLE_EVERY;
          globalThis.gc?.();
          const memory = process.memoryUsage();
          samples.push([run.count, memory.rss / 2 ** 20, memory.heapUsed / 2 ** 20]);
        }
      };
  connection.on('message', onMessage);
  connection.on('disconnected', () => run.finish());
  connection.start();
}

function runAmiClient(port: number, warmup: number): void {
  const run = new Measurement('ami-client', warmup);
  const client = new AmiClient({ reconnect: false, keepAlive: false, emitEventsByTypes: false, emitResponsesById: false });
  client.on('event', () => run.add(1));
  client.on('disconnect', () => run.finish());
  void client.connect('crm', SECRET, { host: '127.0.0.1', port });
}

const [mode, portText, warmupText] = process.argv.slice(2) as [AmiBenchMode, string, string];
const port = Number(portText);
const warmup = Number(warmupText ?? 0);
if (mode === 'raw') runRaw(port, warmup);
else if (mode === 'ami-client') runAmiClient(port, warmup);
else if (mode === 'parser' || mode === 'tracker' || mode === 'parser-long') runConnection(mode, port, warmup);
else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
