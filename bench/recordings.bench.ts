/**
 * npm run bench:recordings: how fast the server streams recordings, next to reading the same
 * bytes directly in the same run.
 *
 * One 64 MiB WAV (an hour-long call at 8 kHz is about 58 MiB) in a recordings folder and in
 * S3-compatible storage (s3rver, the test suite's server). Four contenders, each for one whole
 * stream and for 200 concurrent Range requests of 256 KiB at spread offsets:
 *   - disk, direct: fs.createReadStream of the file (what any file server starts from);
 *   - disk, server: GET /api/recordings/{id}/stream over loopback HTTP (authentication, the
 *     access check, the audit window, Range handling, the file opened and streamed per request);
 *   - S3, direct: GetObject from the bucket through the AWS SDK;
 *   - S3, server: the same route for a recording stored in the bucket.
 * Runs alternate, the median of RUNS is reported. Acceptance: the server streams from disk at
 * no less than half the direct read's throughput.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import S3rver from 's3rver';
import { DataSource } from 'typeorm';
import { loadConfig } from '../apps/server/src/config/load-config';
import { createHttpApp } from '../apps/server/src/http-app';
import { RecordingStores } from '../apps/server/src/recordings/storage/recording-stores';
import { toneWav } from '../test/support/recording-files';
import { fmt, loadAverage, machineInfo, median, writeBenchmarkSection } from './bench-report';
import { openBenchPostgres } from './bench-postgres';

const FILE_BYTES = 64 * 2 ** 20;
const RANGE_BYTES = 256 * 1024;
const CONCURRENT = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const ADMIN_PASSWORD = 'bench-admin-password';
const DATABASE = `crm_bench_recordings_${process.pid}`;
const KEY = 'bench/hour-long-call.wav';

interface Measure {
  bytes: number;
  ms: number;
}
type Contender = 'disk-direct' | 'disk-server' | 's3-direct' | 's3-server';
type Shape = 'one stream' | `${number} Range requests`;

const mbps = (m: Measure) => m.bytes / 2 ** 20 / (m.ms / 1000);

/** Reads a stream to its end, counting bytes. */
async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

async function timed(work: () => Promise<number>): Promise<Measure> {
  const start = process.hrtime.bigint();
  const bytes = await work();
  return { bytes, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/** Offsets of the concurrent ranges, spread over the file (the same for every contender). */
const offsets = Array.from({ length: CONCURRENT }, (_, i) => Math.floor((i * (FILE_BYTES - RANGE_BYTES)) / (CONCURRENT - 1)));

/**
 * The HTTP client runs on a thread of its own (plain JS, keep-alive agent), as a browser would
 * on another machine: the server's event loop does only the server's work.
 */
const CLIENT = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: ${CONCURRENT} });
function get(url, headers) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers }, (res) => {
      if (res.statusCode !== 200 && res.statusCode !== 206) return reject(new Error(url + ': HTTP ' + res.statusCode));
      let n = 0;
      res.on('data', (chunk) => (n += chunk.length));
      res.on('end', () => resolve(n));
      res.on('error', reject);
    }).on('error', reject);
  });
}
parentPort.on('message', async ({ requests }) => {
  try {
    const start = process.hrtime.bigint();
    const sizes = await Promise.all(requests.map((r) => get(r.url, r.headers)));
    parentPort.postMessage({ bytes: sizes.reduce((a, b) => a + b, 0), ms: Number(process.hrtime.bigint() - start) / 1e6 });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
});
`;

class HttpClientThread {
  private readonly worker = new Worker(CLIENT, { eval: true });

  /** Runs the requests at once on the client thread; its own clock times them. */
  run(requests: Array<{ url: string; headers: Record<string, string> }>): Promise<Measure> {
    return new Promise((resolve, reject) => {
      this.worker.once('message', (m: Measure & { error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      this.worker.postMessage({ requests });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const host = machineInfo();
  const loadBefore = loadAverage();
  const log = (line: string) => console.log(line);
  const root = await mkdtemp(join(tmpdir(), 'crm-bench-recordings-'));
  const recordings = join(root, 'recordings');
  const pg = await openBenchPostgres(log);
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(root, 's3'), configureBuckets: [{ name: 'bench', configs: [] }] });
  let app: INestApplication | null = null;
  let client: HttpClientThread | null = null;
  try {
    const { port: s3Port } = await s3.run();
    await mkdir(join(recordings, 'bench'), { recursive: true });
    const tone = toneWav(FILE_BYTES / 16000);
    await writeFile(join(recordings, KEY), tone.subarray(0, FILE_BYTES));
    await pg.createDatabase(DATABASE);
    const result = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      APP_ROLE: 'all',
      DB_HOST: pg.connection.host,
      DB_PORT: String(pg.connection.port),
      DB_USER: pg.connection.user,
      DB_PASSWORD: pg.connection.password ?? '',
      DB_NAME: DATABASE,
      JWT_SECRET,
      ADMIN_PASSWORD,
      RECORDINGS_PATH: recordings,
      RECORDINGS_COMPRESSION: 'off',
      RECORDINGS_S3_BUCKET: 'bench',
      RECORDINGS_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      RECORDINGS_S3_FORCE_PATH_STYLE: 'true',
      RECORDINGS_S3_ACCESS_KEY_ID: 'S3RVER',
      RECORDINGS_S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    if ('problems' in result) throw new Error(`bench config invalid: ${JSON.stringify(result.problems)}`);
    app = await createHttpApp(result.config);
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const stores = app.get(RecordingStores, { strict: false });
    await stores.s3!.upload(KEY, join(recordings, KEY), FILE_BYTES, 'audio/wav');
    const db = app.get(DataSource);
    const [{ id: callId }] = await db.query<Array<{ id: number }>>(
      `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, status, caller_number, receiver_number, started_at, ended_at)
       VALUES ('bench', '1', '1', 'inbound', 'answered', '+74951234567', '1001', now() - interval '1 hour', now()) RETURNING id`,
    );
    const recordingIds: Record<'local' | 's3', number> = { local: 0, s3: 0 };
    for (const storage of ['local', 's3'] as const) {
      const [{ id }] = await db.query<Array<{ id: number }>>(
        `INSERT INTO recordings (call_id, file_name, source, status, storage, storage_key, size_bytes, duration_seconds, format, started_at, stopped_at, ready_at)
         VALUES ($1, $2, 'mixmonitor', 'ready', $3, $4, $5, $6, 'wav', now() - interval '1 hour', now(), now()) RETURNING id`,
        [callId, `${storage}.wav`, storage, KEY, FILE_BYTES, FILE_BYTES / 16000],
      );
      recordingIds[storage] = id;
    }
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const auth = { authorization: `Bearer ${token}` };
    client = new HttpClientThread();
    const http = client;
    const path = join(recordings, KEY);
    const sum = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);
    const url = (storage: 'local' | 's3') => `${base}/api/recordings/${recordingIds[storage]}/stream`;
    const rangeRequests = (storage: 'local' | 's3') => offsets.map((o) => ({ url: url(storage), headers: { ...auth, range: `bytes=${o}-${o + RANGE_BYTES - 1}` } }));

    const contenders: Record<Contender, { one: () => Promise<Measure>; ranges: () => Promise<Measure> }> = {
      'disk-direct': {
        one: () => timed(() => drain(createReadStream(path))),
        ranges: () => timed(async () => sum(await Promise.all(offsets.map((o) => drain(createReadStream(path, { start: o, end: o + RANGE_BYTES - 1 })))))),
      },
      'disk-server': {
        one: () => http.run([{ url: url('local'), headers: auth }]),
        ranges: () => http.run(rangeRequests('local')),
      },
      's3-direct': {
        one: () => timed(async () => drain(await stores.s3!.read(KEY))),
        ranges: () => timed(async () => sum(await Promise.all(offsets.map(async (o) => drain(await stores.s3!.read(KEY, { start: o, end: o + RANGE_BYTES - 1 })))))),
      },
      's3-server': {
        one: () => http.run([{ url: url('s3'), headers: auth }]),
        ranges: () => http.run(rangeRequests('s3')),
      },
    };
    const names = Object.keys(contenders) as Contender[];
    const shapes: Shape[] = ['one stream', `${CONCURRENT} Range requests`];
    const results = new Map<string, Measure[]>();
    console.log(`recordings bench: ${fmt(FILE_BYTES / 2 ** 20)} MiB file, ${CONCURRENT} x ${RANGE_BYTES / 1024} KiB ranges, ${RUNS} runs; ${host.cpus} CPUs, ${host.model}, Node ${host.node}`);
    // One warm-up round: page cache, JIT, keep-alive sockets, S3 connections.
    for (const name of names) {
      await contenders[name].one();
      await contenders[name].ranges();
    }
    for (let run = 1; run <= RUNS; run++) {
      for (const name of names) {
        for (const shape of shapes) {
          const m = await (shape === 'one stream' ? contenders[name].one : contenders[name].ranges)();
          const expected = shape === 'one stream' ? FILE_BYTES : CONCURRENT * RANGE_BYTES;
          if (m.bytes !== expected) throw new Error(`${name} ${shape}: ${m.bytes} bytes, expected ${expected}`);
          const key = `${name}|${shape}`;
          results.set(key, [...(results.get(key) ?? []), m]);
          console.log(`  run ${run} ${name.padEnd(12)} ${shape.padEnd(20)} ${fmt(mbps(m)).padStart(6)} MiB/s  ${fmt(m.ms, 1)} ms`);
        }
      }
    }

    const med = (name: Contender, shape: Shape) => median(results.get(`${name}|${shape}`)!.map(mbps));
    const row = (label: string, server: Contender, direct: Contender, shape: Shape) =>
      `| ${label} | ${shape} | ${fmt(med(direct, shape))} | ${fmt(med(server, shape))} | ${fmt(med(server, shape) / med(direct, shape), 2)} |`;
    const table = [
      `| storage | shape | direct read MiB/s | through the server MiB/s | server / direct |`,
      '|---|---|---:|---:|---:|',
      ...shapes.map((shape) => row('disk (RECORDINGS_PATH)', 'disk-server', 'disk-direct', shape)),
      ...shapes.map((shape) => row('S3 (s3rver)', 's3-server', 's3-direct', shape)),
    ].join('\n');
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const oneRatio = med('disk-server', 'one stream') / med('disk-direct', 'one stream');
    const rangeRatio = med('disk-server', shapes[1]) / med('disk-direct', shapes[1]);
    const msPerRequest = (name: Contender) => median(results.get(`${name}|${shapes[1]}`)!.map((m) => m.ms)) / CONCURRENT;
    const verdicts = [
      `- streaming from disk ≥ half the direct read, one stream: **${met(oneRatio >= 0.5)}** (${fmt(oneRatio, 2)})`,
      `- streaming from disk ≥ half the direct read, ${CONCURRENT} concurrent Range requests: **${met(rangeRatio >= 0.5)}** (${fmt(rangeRatio, 2)})`,
      `- the Range case is bound by the work per request, not by bytes: ${fmt(msPerRequest('disk-server'), 2)} ms of wall time per request through the server ` +
        `(JWT check and user row, the recording and its call's access row, one file open, the response) against ${fmt(msPerRequest('disk-direct'), 3)} ms ` +
        `for a bare read of ${RANGE_BYTES / 1024} KiB from the page cache`,
    ].join('\n');
    const section = `## Recordings streaming

Written by \`npm run bench:recordings\` (bench/recordings.bench.ts) on ${new Date().toISOString().slice(0, 10)}.

Machine: ${host.cpus} CPUs (\`nproc\`), ${host.model}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.os}; load average ${loadBefore}
before the run, ${loadAverage()} after it. PostgreSQL: ${pg.origin} (${pg.version}).

One ${fmt(FILE_BYTES / 2 ** 20)} MiB WAV (an hour-long call is about 58 MiB), in the recordings folder (page cache warm) and
in an S3-compatible bucket served by s3rver on this machine. "Direct read" is \`fs.createReadStream\` of the file, or
\`GetObject\` through the AWS SDK; "through the server" is \`GET /api/recordings/{id}/stream\` over loopback HTTP with a
bearer token (authentication, CallAccess, the audit window, Range handling, one file open or S3 request per HTTP request),
the HTTP client on a thread of its own (as a browser elsewhere), timed by its own clock. Shapes: the whole file as one stream, and ${CONCURRENT} concurrent requests of
${RANGE_BYTES / 1024} KiB at offsets spread over the file (HTTP keep-alive, up to ${CONCURRENT} sockets). Median of ${RUNS} runs
after one warm-up round; the contenders alternate within each run.

${table}

${verdicts}
`;
    console.log(`\n${table}\n\n${verdicts}\n`);
    const docs = writeBenchmarkSection(section);
    console.log(`written to ${docs} in ${fmt((Date.now() - started) / 1000, 1)} s`);
  } finally {
    await client?.close();
    await app?.close();
    await s3.close();
    await pg.dropDatabase(DATABASE).catch(() => undefined);
    await pg.close();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
