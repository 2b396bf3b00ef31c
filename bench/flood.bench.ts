/**
 * `npm run bench:flood`: issue 9's flood - a million call events pushed at the ingest while its
 * database is down, then slow - with the write queue bounded (INGEST_MAX_QUEUED_EVENTS): memory
 * stays bounded, and once the database catches up nothing is missing. Written to docs/benchmarks.md.
 *
 *   FLOOD_CALL_EVENTS=1000000 FLOOD_DOWN_SECONDS=20 FLOOD_SLOW_MS=5 npm run bench:flood
 *   FLOOD_NODE_OPTIONS=--max-old-space-size=512 npm run bench:flood   (the ingest's NODE_OPTIONS: its own section)
 *
 * The PBX is a TCP server in this process (bench/flood/flood-ami-server.ts) writing the captures'
 * calls renumbered and interleaved (bench/ami-stream.ts, 50 calls at once) as fast as the ingest
 * reads them, never dropping it. The ingest runs as deployed (`APP_ROLE=asterisk node
 * scripts/run.cjs apps/server/src/main.ts`, NODE_ENV=production) on a throwaway database reached
 * through a proxy (test/support/tcp-proxy.ts): down for FLOOD_DOWN_SECONDS from the flood's start,
 * then every answer held FLOOD_SLOW_MS until the last event is sent, then normal. Sampled every
 * 500 ms: the ingest's RSS (/proc), V8 heap, write-queue depth and whether it stopped reading the
 * PBX (/metrics). The same stream fed through libs/ami's CallTracker in this process beforehand is
 * the answer key: each call it ended, with its status, and the number of call events it made.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmiParser, CallTracker } from '@app/ami';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../apps/server/src/database/data-source-options';
import { runPendingMigrations } from '../apps/server/src/database/migration-runner';
import { freePort } from '../test/support/free-port';
import { parsePrometheusText, type Sample } from '../test/support/prometheus-text';
import { cleanEnv, ServerProcess } from '../test/support/server-process';
import { AmiStreamGenerator } from './ami-stream';
import { fmt, loadAverage, machineInfo, writeBenchmarkSection } from './bench-report';
import { openBenchPostgres } from './bench-postgres';
import { FloodAmiServer } from './flood/flood-ami-server';
import { TcpProxy } from '../test/support/tcp-proxy';
import { rssBytesOf } from './load/process-usage';
import type { CallWrite } from '../apps/server/src/call-ingest/store/call-write';
import { buildCallWrite } from '../apps/server/src/call-ingest/store/call-write-builder';

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const MB = 2 ** 20;
const CHUNK_EVENTS = 2000;
const SEED = 20261205;
const AMI_USER = { username: 'flood', secret: 'flood-secret' };
const PBX_ID = 'flood';
/** The default bound, as deployed (README: 50,000 call events, about 100 MB). */
const MAX_QUEUED = 50_000;
/** Past the bound: one socket read already received (256 KB of AMI text) still comes in. */
const READ_SLACK = 1500;
const CATCH_UP_TIMEOUT_MS = 30 * 60_000;

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    log(`${name} must be a number from ${min} to ${max}`);
    process.exit(2);
  }
  return value;
}

/**
 * What the stream should leave in the database: libs/ami's tracker on the same bytes. The stream
 * is as long as it takes for the tracker to make `target` call events (about 18 AMI events each),
 * then the calls in progress are finished.
 */
function answerKey(target: number): { calls: Map<string, string>; amiEvents: number; callEvents: number } {
  const generator = new AmiStreamGenerator({ seed: SEED });
  const parser = new AmiParser({ expectGreeting: false, pbxId: PBX_ID });
  const tracker = new CallTracker();
  const calls = new Map<string, string>();
  let callEvents = 0;
  tracker.onEvent((e) => {
    callEvents++;
    if (e.type === 'ended') calls.set(e.call.linkedid, e.call.status);
  });
  let amiEvents = 0;
  for (; callEvents < target; amiEvents += CHUNK_EVENTS) for (const m of parser.push(generator.next(CHUNK_EVENTS))) tracker.handle(m);
  for (const m of parser.push(generator.finish())) tracker.handle(m);
  return { calls, amiEvents, callEvents };
}

/**
 * Heap held by one queued write (the rows built from a tracker event, and the event), after a
 * full GC: `count` writes built from this stream, held, then let go.
 */
function bytesPerQueuedWrite(count: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return Number.NaN;
  const generator = new AmiStreamGenerator({ seed: SEED });
  const parser = new AmiParser({ expectGreeting: false, pbxId: PBX_ID });
  const tracker = new CallTracker();
  const directory = { userOf: () => null, companyOf: () => null, normalize: (n: string) => n.replace(/\D/g, '') || null };
  let writes: CallWrite[] = [];
  tracker.onEvent((e) => void (writes.length < count && writes.push(buildCallWrite(e, 1, directory, { writer: 'bench' }))));
  while (writes.length < count) for (const m of parser.push(generator.next(CHUNK_EVENTS))) tracker.handle(m);
  gc();
  const held = process.memoryUsage().heapUsed;
  writes = [];
  gc();
  return (held - process.memoryUsage().heapUsed) / count;
}

interface Point {
  t: number;
  rssMb: number;
  heapMb: number;
  queue: number;
  paused: boolean;
  written: number;
}

const total = (samples: Sample[], name: string): number => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

async function main(): Promise<void> {
  const target = envNumber('FLOOD_CALL_EVENTS', 1_000_000, 1000, 100_000_000);
  const downSeconds = envNumber('FLOOD_DOWN_SECONDS', 20, 0, 3600);
  const slowMs = envNumber('FLOOD_SLOW_MS', 5, 0, 1000);
  const nodeOptions = process.env.FLOOD_NODE_OPTIONS ?? '';
  const started = Date.now();
  const loadBefore = loadAverage();
  log(`answer key: the stream through libs/ami's CallTracker in this process until it made ${fmt(target)} call events`);
  const key = answerKey(target);
  const perWrite = bytesPerQueuedWrite(MAX_QUEUED);
  log(`a queued write holds ${fmt(perWrite)} bytes: ${fmt((perWrite * MAX_QUEUED) / MB)} MB at the bound`);
  const events = key.amiEvents;
  log(`answer key: ${fmt(events)} AMI events (and the calls in progress finished): ${fmt(key.calls.size)} calls ended, ${fmt(key.callEvents)} call events`);

  const pg = await openBenchPostgres(log);
  const database = `crm_bench_flood_${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-bench-flood-'));
  const metricsPort = await freePort();
  const pbx = new FloodAmiServer(AMI_USER);
  const proxy = await new TcpProxy(pg.connection.host, pg.connection.port).start();
  let ingest: ServerProcess | null = null;
  let db: Client | null = null;
  const points: Point[] = [];
  let sampler: NodeJS.Timeout | null = null;
  let baseline = { rssMb: 0, heapMb: 0 };
  const phases: Record<string, number> = {};
  let stored: { calls: number; ended: number; callEvents: number; missing: number; invented: number; duplicated: number; wrongStatus: number; endStepsWrong: number };
  try {
    await pg.createDatabase(database);
    const dataSource = await new DataSource(buildDataSourceOptions(pg.connection, database)).initialize();
    await runPendingMigrations(dataSource);
    await dataSource.destroy();
    const pbxPort = await pbx.listen();
    ingest = ServerProcess.startServer(
      cleanEnv({
        NODE_ENV: 'production',
        APP_ROLE: 'asterisk',
        LOG_LEVEL: 'warn',
        DEMO_MODE: 'off',
        DATA_DIR: dataDir,
        REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: `crm-bench-flood-${process.pid}`,
        JWT_SECRET: randomBytes(32).toString('hex'),
        DB_HOST: '127.0.0.1',
        DB_PORT: String(proxy.port),
        DB_USER: pg.connection.user,
        DB_PASSWORD: pg.connection.password || 'unused-with-trust-authentication',
        DB_NAME: database,
        ASTERISK_HOST: '127.0.0.1',
        ASTERISK_PORT: String(pbxPort),
        ASTERISK_USER: AMI_USER.username,
        ASTERISK_SECRET: AMI_USER.secret,
        ASTERISK_ID: PBX_ID,
        METRICS_PORT: String(metricsPort),
        INGEST_MAX_QUEUED_EVENTS: String(MAX_QUEUED),
        ...(nodeOptions && { NODE_OPTIONS: nodeOptions }),
      }),
    );
    await pbx.whenLoggedIn();
    const pid = ingest.pid;
    log(`ingest pid ${pid} logged in to the flood PBX (actions: ${[...pbx.actions.keys()].join(', ')})`);
    const scrape = async (): Promise<Sample[]> => parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    // At rest: a few seconds after the login, the caches warm from the first listing.
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await scrape();
    baseline = { rssMb: (rssBytesOf(pid) ?? 0) / MB, heapMb: total(idle, 'nodejs_heap_size_used_bytes') / MB };
    log(`at rest: RSS ${fmt(baseline.rssMb)} MB, heap ${fmt(baseline.heapMb)} MB`);

    const t0 = Date.now();
    let sampling = false;
    sampler = setInterval(() => {
      if (sampling) return;
      sampling = true;
      void scrape()
        .then((m) =>
          points.push({
            t: (Date.now() - t0) / 1000,
            rssMb: (rssBytesOf(pid) ?? Number.NaN) / MB,
            heapMb: total(m, 'nodejs_heap_size_used_bytes') / MB,
            queue: total(m, 'crm_ingest_queue_events'),
            paused: total(m, 'crm_ingest_reading_paused') > 0,
            written: total(m, 'crm_ingest_written_events_total'),
          }),
        )
        .catch(() => undefined)
        .finally(() => (sampling = false));
    }, 500);

    if (downSeconds > 0) await proxy.cut();
    log(`flood: ${fmt(events)} events; PostgreSQL down for ${downSeconds} s, then answering ${slowMs} ms late until the last event is sent`);
    const slowAt = setTimeout(() => void proxy.delay(slowMs).then(() => log('PostgreSQL back, slow')), downSeconds * 1000);
    const generator = new AmiStreamGenerator({ seed: SEED });
    for (let sent = 0, chunk = 0; sent < events; sent += CHUNK_EVENTS, chunk++) {
      await pbx.send(generator.next(CHUNK_EVENTS));
      if (chunk % 500 === 499) log(`  ${fmt(sent + CHUNK_EVENTS)} events sent (${fmt((Date.now() - t0) / 1000, 0)} s); ingest RSS ${fmt((rssBytesOf(pid) ?? 0) / MB)} MB, queue ${fmt(points.at(-1)?.queue ?? 0)}`);
    }
    await pbx.send(generator.finish());
    phases.sentS = (Date.now() - t0) / 1000;
    clearTimeout(slowAt);
    await proxy.delay(0);
    log(`all sent in ${fmt(phases.sentS, 0)} s (waited ${fmt(pbx.blockedMs / 1000, 0)} s for the ingest to read); PostgreSQL normal; waiting for the queue to drain`);

    db = new Client({ ...pg.connection, database });
    await db.connect();
    const count = async () =>
      (
        await db!.query<{ calls: number; ended: number; call_events: number }>(
          `SELECT (SELECT count(*)::int FROM calls WHERE pbx_id = $1) AS calls, (SELECT count(*)::int FROM calls WHERE pbx_id = $1 AND ended_at IS NOT NULL) AS ended,
                  (SELECT count(*)::int FROM call_events) AS call_events`,
          [PBX_ID],
        )
      ).rows[0];
    const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
    let last = await count();
    while (Date.now() < deadline && ((points.at(-1)?.queue ?? 1) > 0 || last.ended < key.calls.size)) {
      await new Promise((r) => setTimeout(r, 1000));
      last = await count();
    }
    phases.caughtUpS = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    sampler = null;
    const rows = (
      await db.query<{ linkedid: string; n: number; status: string; ended: boolean; end_steps: number }>(
        `SELECT c.linkedid, count(*) OVER (PARTITION BY c.linkedid)::int AS n, c.status, c.ended_at IS NOT NULL AS ended, coalesce(e.steps, 0)::int AS end_steps
         FROM calls c LEFT JOIN (SELECT call_id, count(*) AS steps FROM call_events WHERE type = 'ended' GROUP BY call_id) e ON e.call_id = c.id
         WHERE c.pbx_id = $1`,
        [PBX_ID],
      )
    ).rows;
    const byLinkedid = new Map(rows.map((r) => [r.linkedid, r]));
    stored = {
      calls: rows.length,
      ended: rows.filter((r) => r.ended).length,
      callEvents: last.call_events,
      missing: [...key.calls.keys()].filter((l) => !byLinkedid.has(l)).length,
      invented: rows.filter((r) => !key.calls.has(r.linkedid)).length,
      duplicated: rows.filter((r) => r.n > 1).length,
      wrongStatus: rows.filter((r) => key.calls.has(r.linkedid) && key.calls.get(r.linkedid) !== r.status).length,
      endStepsWrong: rows.filter((r) => r.end_steps !== 1).length,
    };
    const problems = ingest.output.split('\n').filter((l) => /error|dropped|could not/i.test(l));
    if (problems.length) log(`ingest log (${problems.length} problem lines):\n${problems.slice(0, 10).join('\n')}`);
  } finally {
    if (sampler) clearInterval(sampler);
    await db?.end().catch(() => undefined);
    if (ingest) {
      ingest.kill('SIGTERM');
      await ingest.exit(30_000).catch(() => ingest!.kill('SIGKILL'));
    }
    await pbx.close();
    await proxy.cut();
    await pg.dropDatabase(database).catch((error: Error) => log(`could not drop ${database}: ${error.message}`));
    await pg.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  const peak = (f: (p: Point) => number) => Math.max(...points.map(f));
  const peakRss = peak((p) => p.rssMb);
  const peakHeap = peak((p) => p.heapMb);
  const peakQueue = peak((p) => p.queue);
  const pausedSamples = points.filter((p) => p.paused).length;
  const queueHeld = peakQueue <= MAX_QUEUED + READ_SLACK;
  const nothingLost =
    stored.missing + stored.invented + stored.duplicated + stored.wrongStatus + stored.endStepsWrong === 0 && stored.ended === key.calls.size && stored.callEvents === key.callEvents;
  log(`peak RSS ${fmt(peakRss)} MB (at rest ${fmt(baseline.rssMb)}), peak heap ${fmt(peakHeap)} MB, peak queue ${fmt(peakQueue)} (bound ${fmt(MAX_QUEUED)}), paused in ${pausedSamples}/${points.length} samples`);
  log(`stored: ${JSON.stringify(stored)}; expected ${key.calls.size} calls, ${key.callEvents} call events`);

  const info = machineInfo();
  const section = `## Write-queue flood${nodeOptions ? ` (ingest with NODE_OPTIONS=${nodeOptions})` : ''}

Written by \`npm run bench:flood\` (bench/flood.bench.ts) on ${new Date().toISOString().slice(0, 10)}, in ${fmt((Date.now() - started) / 60_000, 0)} min.
${info.cpus} cores (${info.model}), ${info.memoryGiB} GiB, Node ${info.node}, ${info.os}; PostgreSQL ${pg.origin}, ${pg.version}.
Load average ${loadBefore} before the run (the machine is shared with other work), ${loadAverage()} at its end.

Issue 9's flood: before the write queue was bounded, 1M call events raised the ingest's memory from 212 MB to 2.1 GB. Here
**${fmt(key.callEvents)} call events** (${fmt(events)} AMI events: the captures' calls renumbered, 50 at once, ${fmt(key.calls.size)} calls)
are written at the ingest (APP_ROLE=asterisk, as deployed, \`INGEST_MAX_QUEUED_EVENTS=${fmt(MAX_QUEUED)}\`, the default) as fast as it reads
them, by a PBX that never drops it; PostgreSQL is down for the first ${downSeconds} s, then answers every packet ${slowMs} ms late until the
last event is sent, then normally. The flood took ${fmt(phases.sentS, 0)} s to send (the PBX waited ${fmt(pbx.blockedMs / 1000, 0)} s of it
for the ingest to read: reading paused at the bound), and everything was in the database ${fmt(phases.caughtUpS, 0)} s after the start.

| | at rest | peak during the flood | bound |
|---|---:|---:|---|
| write queue (call events) | 0 | **${fmt(peakQueue)}** | ${fmt(MAX_QUEUED)} + one socket read (${fmt(READ_SLACK)}): ${queueHeld ? 'held' : '**exceeded**'} |
| ingest RSS | ${fmt(baseline.rssMb)} MB | **${fmt(peakRss)} MB** (+${fmt(peakRss - baseline.rssMb)}) | the full queue's live data: about ${fmt((perWrite * MAX_QUEUED) / MB)} MB (below) |
| V8 heap in use | ${fmt(baseline.heapMb)} MB | ${fmt(peakHeap)} MB (+${fmt(peakHeap - baseline.heapMb)}) | |
| samples with reading paused | | ${fmt(pausedSamples)} of ${fmt(points.length)} (every 500 ms) | |

What the queue holds at its bound is about ${fmt((perWrite * MAX_QUEUED) / MB)} MB (a queued write with its tracker event is ${fmt(perWrite)} bytes:
${fmt(MAX_QUEUED)} built from this stream and held in the bench process, measured after a full GC); the rest of the heap in use is garbage V8 has not collected yet, since
the heap may grow to its limit (Node's default from the machine's memory, about 4 GB here) before it has to. RSS follows
the heap. To cap it, give the ingest a heap limit (\`NODE_OPTIONS=--max-old-space-size=…\`, see the README; the run with one
is in a section of its own).

Counted once the database caught up, against libs/ami's CallTracker fed the same bytes in the bench process:

| | expected | stored |
|---|---:|---:|
| calls, ended | ${fmt(key.calls.size)} | ${fmt(stored.calls)}, ${fmt(stored.ended)} |
| call events (timeline rows) | ${fmt(key.callEvents)} | ${fmt(stored.callEvents)} |
| missing, invented, duplicated, other status, \`ended\` steps ≠ 1 | 0 | ${stored.missing}, ${stored.invented}, ${stored.duplicated}, ${stored.wrongStatus}, ${stored.endStepsWrong} |

Over time (every ${Math.max(1, Math.round(points.length / 20))}th sample):

| s | RSS MB | heap MB | queue | reading paused | written events |
|---:|---:|---:|---:|:---:|---:|
${points
  .filter((_, i) => i % Math.max(1, Math.round(points.length / 20)) === 0 || i === points.length - 1)
  .map((p) => `| ${fmt(p.t, 0)} | ${fmt(p.rssMb)} | ${fmt(p.heapMb)} | ${fmt(p.queue)} | ${p.paused ? 'yes' : ''} | ${fmt(p.written)} |`)
  .join('\n')}
`;
  log(`written to ${writeBenchmarkSection(section)}`);
  if (!queueHeld || !nothingLost) process.exitCode = 1;
}

main().catch((error: Error) => {
  log(error.stack ?? error.message);
  process.exit(1);
});
