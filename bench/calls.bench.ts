/**
 * npm run bench:calls — the calls side of the server under load, written to docs/benchmarks.md.
 *
 * 1. Ingest: the AMI events of 10,000 generated inbound calls (about 50 events each, 500 new
 *    calls a second of PBX time, hundreds in progress at once) through the call tracker alone
 *    (the ceiling), then through tracker + calls pipeline into PostgreSQL, checking that every
 *    call and every timeline step landed (nothing lost, nothing doubled).
 * 2. History and statistics: GET /api/calls and GET /api/stats over HTTP against a dedicated
 *    database holding 1,000,000 calls bulk-loaded with generate_series (not through the API).
 *
 * PostgreSQL: the server named by DB_HOST/DB_PORT/DB_USER/DB_PASSWORD, else an embedded one in
 * a temporary folder. The bench uses databases of its own (crm_bench_ingest, crm_bench_history);
 * the million-call database is kept between runs and reused when it is complete
 * (CALLS_BENCH_RELOAD=1 rebuilds it). Env: CALLS_BENCH_CALLS (10000), CALLS_BENCH_RUNS (3),
 * CALLS_BENCH_HISTORY_ROWS (1000000), CALLS_BENCH_SAMPLES (100 requests per history query, a fifth of
 * that per statistics query).
 */
import 'reflect-metadata';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as argon2 from 'argon2';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CallTracker } from '@app/ami';
import { AppModule } from '../apps/server/src/app.module';
import { CallIngestService } from '../apps/server/src/call-ingest';
import { syntheticTraffic, type SyntheticTraffic } from '../apps/server/src/call-ingest/simulator/synthetic-traffic';
import type { AppConfig } from '../apps/server/src/config/app-config';
import { loadConfig } from '../apps/server/src/config/load-config';
import { buildDataSourceOptions } from '../apps/server/src/database/data-source-options';
import { type DatabaseConnection, ensureDatabaseExists } from '../apps/server/src/database/database-connection';
import { EmbeddedPostgresServer } from '../apps/server/src/database/embedded/embedded-postgres-server';
import { runPendingMigrations } from '../apps/server/src/database/migration-runner';
import { createHttpApp } from '../apps/server/src/http-app';

const ROOT = resolve(__dirname, '..');
const CALLS = Number(process.env.CALLS_BENCH_CALLS ?? 10_000);
const RUNS = Number(process.env.CALLS_BENCH_RUNS ?? 3);
const HISTORY_ROWS = Number(process.env.CALLS_BENCH_HISTORY_ROWS ?? 1_000_000);
const SAMPLES = Number(process.env.CALLS_BENCH_SAMPLES ?? 100);
/** Statistics over long periods take seconds: fewer samples. */
const STATS_SAMPLES = Math.max(5, Math.round(SAMPLES / 5));
const EXTENSIONS = Array.from({ length: 50 }, (_, i) => String(1001 + i));
const CALLERS = Array.from({ length: 2000 }, (_, i) => `+7495${String(2000000 + i * 37).padStart(7, '0')}`);
const ADMIN_PASSWORD = 'bench-admin-password';
const JWT_SECRET = 'bench-jwt-secret-that-is-long-enough-0123456789';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Pg {
  connection: DatabaseConnection;
  stop(): Promise<void>;
}

async function postgres(): Promise<Pg> {
  if (process.env.DB_HOST) {
    const connection = {
      host: process.env.DB_HOST,
      port: Number(process.env.DB_PORT || 5432),
      user: process.env.DB_USER || 'postgres',
      password: process.env.DB_PASSWORD || undefined,
      ssl: false,
    };
    return { connection, stop: async () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-pg-'));
  const server = new EmbeddedPostgresServer({ dir: join(dir, 'data'), port: 54391, logger: { log: () => undefined, warn: log } });
  return { connection: await server.start(), stop: () => server.stop() };
}

async function sql<T = Record<string, unknown>>(pg: Pg, database: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ ...pg.connection, database });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

async function freshDatabase(pg: Pg, database: string): Promise<void> {
  await sql(pg, 'postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await ensureDatabaseExists(pg.connection, database);
  await migrate(pg, database);
}

async function migrate(pg: Pg, database: string): Promise<void> {
  const dataSource = await new DataSource(buildDataSourceOptions(pg.connection, database)).initialize();
  try {
    await runPendingMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

function benchConfig(pg: Pg, database: string, overrides: Record<string, string> = {}): AppConfig {
  const result = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DB_HOST: pg.connection.host,
    DB_PORT: String(pg.connection.port),
    DB_USER: pg.connection.user,
    DB_PASSWORD: pg.connection.password ?? '',
    DB_NAME: database,
    JWT_SECRET,
    ADMIN_PASSWORD,
    // The split roles exchange call events through Redis, as deployed.
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `crm-bench-${process.pid}`,
    ...overrides,
  });
  if ('problems' in result) throw new Error(`bench config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

/** Users owning the generated extensions and companies owning a quarter of the callers. */
async function seedDirectory(pg: Pg, database: string): Promise<void> {
  const hash = await argon2.hash('bench-operator-password');
  await sql(
    pg,
    database,
    `INSERT INTO users (username, email, password_hash, role, first_name)
     SELECT 'op' || e, 'op' || e || '@bench.local', $1, 'operator', 'Operator ' || e FROM unnest($2::text[]) e`,
    [hash, EXTENSIONS],
  );
  await sql(
    pg,
    database,
    `INSERT INTO user_phones (user_id, phone_number, phone_type, normalized_number)
     SELECT u.id, e, 'extension', e FROM unnest($1::text[]) e JOIN users u ON u.username = 'op' || e`,
    [EXTENSIONS],
  );
  await sql(pg, database, `INSERT INTO companies (name) SELECT 'Company ' || g FROM generate_series(1, 500) g`);
  await sql(
    pg,
    database,
    `INSERT INTO company_phones (company_id, phone_number, normalized_number)
     SELECT 1 + (n - 1) % 500, c, c FROM unnest($1::text[]) WITH ORDINALITY AS t(c, n) WHERE n % 4 = 0`,
    [CALLERS],
  );
}

// ---- 1. ingest ------------------------------------------------------------------------------

interface IngestRun {
  seconds: number;
  trackerEvents: number;
  largestBatch: number;
  batches: number;
}

function trackerAlone(traffic: SyntheticTraffic): { seconds: number; events: number } {
  const tracker = new CallTracker();
  let events = 0;
  const t0 = process.hrtime.bigint();
  for (const message of traffic.messages) events += tracker.handle(message).length;
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, events };
}

/** Most calls in progress at once in the generated traffic. */
function peakConcurrency(traffic: SyntheticTraffic): number {
  const tracker = new CallTracker();
  let peak = 0;
  traffic.messages.forEach((message, i) => {
    tracker.handle(message);
    if (i % 1000 === 0) peak = Math.max(peak, tracker.stats().calls);
  });
  return peak;
}

async function ingestRun(context: INestApplicationContext, traffic: SyntheticTraffic): Promise<IngestRun> {
  const ingest = context.get(CallIngestService, { strict: false });
  const before = ingest.stats;
  const tracker = new CallTracker();
  let trackerEvents = 0;
  const t0 = process.hrtime.bigint();
  // Like socket reads: a slice of messages at a time, then the event loop (and the writers) run.
  const SLICE = 2000;
  for (let i = 0; i < traffic.messages.length; i += SLICE) {
    const end = Math.min(traffic.messages.length, i + SLICE);
    for (let j = i; j < end; j++) {
      for (const event of tracker.handle(traffic.messages[j])) {
        ingest.handle(event);
        trackerEvents++;
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  await ingest.drain();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = ingest.stats;
  if (after.dropped !== before.dropped) throw new Error(`${after.dropped - before.dropped} writes dropped`);
  return { seconds, trackerEvents, largestBatch: after.largestBatch, batches: after.batches - before.batches };
}

async function verifyIngest(pg: Pg, database: string, traffic: SyntheticTraffic, trackerEvents: number): Promise<string> {
  const [counts] = await sql<{ calls: number; ended: number; steps: number }>(
    pg,
    database,
    `SELECT (SELECT count(*) FROM calls)::int AS calls, (SELECT count(*) FROM calls WHERE ended_at IS NOT NULL)::int AS ended,
            (SELECT count(*) FROM call_events)::int AS steps`,
  );
  const statuses = await sql<{ linkedid: string; status: string }>(pg, database, `SELECT linkedid, status FROM calls`);
  const wrong = statuses.filter((r) => traffic.outcomes.get(r.linkedid) !== r.status).length;
  if (counts.calls !== CALLS || counts.ended !== CALLS || counts.steps !== trackerEvents || wrong > 0) {
    throw new Error(`ingest check failed: ${JSON.stringify(counts)}, ${trackerEvents} tracker events, ${wrong} wrong statuses`);
  }
  return `${fmt(counts.calls)} calls (all ended, every status as generated), ${fmt(counts.steps)} timeline rows = tracker events`;
}

// ---- 2. history and statistics on 1,000,000 calls --------------------------------------------

async function ensureHistoryDatabase(pg: Pg, database: string): Promise<{ loadedSeconds: number | null }> {
  const exists = (await sql(pg, 'postgres', `SELECT 1 FROM pg_database WHERE datname = $1`, [database])).length > 0;
  if (exists && process.env.CALLS_BENCH_RELOAD !== '1') {
    await migrate(pg, database);
    const [{ n }] = await sql<{ n: number }>(pg, database, `SELECT count(*)::int AS n FROM calls`);
    if (n === HISTORY_ROWS) return { loadedSeconds: null };
  }
  await freshDatabase(pg, database);
  await seedDirectory(pg, database);
  const t0 = Date.now();
  // Secondary indexes are dropped for the load and rebuilt from their own definitions after it.
  const indexes = await sql<{ indexname: string; indexdef: string }>(
    pg,
    database,
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
     WHERE i.tablename = 'calls' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const { indexname } of indexes) await sql(pg, database, `DROP INDEX ${indexname}`);
  await sql(
    pg,
    database,
    `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, caller_number, receiver_number, did, external_number, status,
                        duration, ring_seconds, talk_seconds, hold_seconds, assigned_user_id, caller_company_id,
                        answered_by_extension, started_at, answered_at, ended_at, hangup_cause, hangup_by, last_event_at, event_seq)
     SELECT 'bench', l, 'bench:' || l, d, caller, receiver, CASE WHEN d = 'inbound' THEN '74959876543' END, ext, st,
            talk, ring, talk, 0, u.id, cp.company_id,
            CASE WHEN st = 'answered' THEN agent END, t, CASE WHEN st = 'answered' THEN t + ring * interval '1 second' END,
            t + (ring + talk) * interval '1 second', 16, 'callee', t + (ring + talk) * interval '1 second', 4
     FROM (
       SELECT g, (1795000000 + g)::text || '.' || g AS l,
              CASE WHEN r1 < 0.6 THEN 'inbound' WHEN r1 < 0.9 THEN 'outbound' ELSE 'internal' END AS d,
              CASE WHEN r2 < 0.72 THEN 'answered' WHEN r2 < 0.87 THEN 'missed' WHEN r2 < 0.93 THEN 'abandoned' WHEN r2 < 0.98 THEN 'busy' ELSE 'failed' END AS st,
              $1::text[] AS callers, $2::text[] AS exts, r1, r2, r3,
              (now() - interval '365 days') + (g::float8 / $3::int) * interval '365 days' AS t,
              (1 + floor(r3 * 30))::int AS ring
       FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3 FROM generate_series(1, $3::int) g) s
     ) x
     CROSS JOIN LATERAL (SELECT callers[1 + ((g::bigint * 7919) % array_length(callers, 1))::int] AS external,
                                exts[1 + (g * 31) % array_length(exts, 1)] AS agent) p
     CROSS JOIN LATERAL (SELECT CASE WHEN x.st = 'answered' THEN (5 + floor(r3 * 600))::int ELSE 0 END AS talk,
                                CASE WHEN x.d = 'inbound' THEN p.external ELSE p.agent END AS caller,
                                CASE WHEN x.d = 'inbound' THEN '74959876543' WHEN x.d = 'outbound' THEN '8' || substr(p.external, 3) ELSE '1050' END AS receiver,
                                CASE WHEN x.d = 'internal' THEN NULL ELSE p.external END AS ext) v
     LEFT JOIN users u ON u.username = 'op' || p.agent
     LEFT JOIN company_phones cp ON cp.normalized_number = v.ext`,
    [CALLERS, EXTENSIONS, HISTORY_ROWS],
  );
  for (const { indexdef } of indexes) await sql(pg, database, indexdef);
  await sql(pg, database, `VACUUM ANALYZE calls`);
  return { loadedSeconds: (Date.now() - t0) / 1000 };
}

interface Latency {
  name: string;
  path: string;
  p50: number;
  p95: number;
  rows: number;
  samples: number;
}

async function measure(base: string, token: string, name: string, path: string, samples: number): Promise<Latency> {
  const get = async () => {
    const t0 = process.hrtime.bigint();
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { items?: unknown[]; totals?: { calls: number } };
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, rows: body.items?.length ?? body.totals?.calls ?? 0 };
  };
  for (let i = 0; i < 5; i++) await get();
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < samples; i++) {
    const r = await get();
    times.push(r.ms);
    rows = r.rows;
  }
  return { name, path, p50: quantile(times, 0.5), p95: quantile(times, 0.95), rows, samples };
}

async function historyLatencies(pg: Pg, database: string): Promise<Latency[]> {
  const app = await createHttpApp(benchConfig(pg, database, { APP_ROLE: 'server' }));
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  try {
    const login = async (username: string, password: string) => {
      const response = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      return ((await response.json()) as { accessToken: string }).accessToken;
    };
    const admin = await login('admin', ADMIN_PASSWORD);
    const operator = await login('op1001', 'bench-operator-password');
    const [{ id: userId }] = await sql<{ id: number }>(pg, database, `SELECT id FROM users WHERE username = 'op1017'`);
    const [{ company_id: companyId }] = await sql<{ company_id: number }>(pg, database, `SELECT company_id FROM company_phones ORDER BY id LIMIT 1`);
    const day = new Date(Date.now() - 100 * 86_400_000);
    const iso = (d: Date) => d.toISOString();
    const dayRange = `from=${iso(day)}&to=${iso(new Date(day.getTime() + 86_400_000))}`;
    const monthRange = `from=${iso(new Date(day.getTime() - 29 * 86_400_000))}&to=${iso(new Date(day.getTime() + 86_400_000))}`;
    const yearRange = `from=${iso(new Date(Date.now() - 366 * 86_400_000))}&to=${iso(new Date())}`;

    let deepCursor = '';
    for (let page = 0; page < 20; page++) {
      const response = await fetch(`${base}/api/calls?limit=50${deepCursor ? `&cursor=${deepCursor}` : ''}`, { headers: { authorization: `Bearer ${admin}` } });
      deepCursor = ((await response.json()) as { nextCursor: string }).nextCursor;
    }

    const lists: Array<[string, string, string]> = [
      ['newest 50, no filter', '/api/calls?limit=50', admin],
      ['page 21 (cursor after 1,000 rows)', `/api/calls?limit=50&cursor=${deepCursor}`, admin],
      ['status=missed', '/api/calls?limit=50&status=missed', admin],
      ['direction=inbound, status=answered', '/api/calls?limit=50&direction=inbound&status=answered', admin],
      ['userId (one of 50 operators)', `/api/calls?limit=50&userId=${userId}`, admin],
      ['companyId (one of 500)', `/api/calls?limit=50&companyId=${companyId}`, admin],
      ['one day (from/to)', `/api/calls?limit=50&${dayRange}`, admin],
      ['number contains 7 digits', `/api/calls?limit=50&number=${encodeURIComponent(CALLERS[1234].slice(5, 12))}`, admin],
      ['full number, other spelling (8 495 ...)', `/api/calls?limit=50&number=${encodeURIComponent(`8${CALLERS[1234].slice(2)}`)}`, admin],
      ['sort=-duration', '/api/calls?limit=50&sort=-duration', admin],
      ['operator: own calls only', '/api/calls?limit=50', operator],
    ];
    const stats: Array<[string, string, string]> = [
      ['stats, one day', `/api/stats?${dayRange}`, admin],
      ['stats, 30 days', `/api/stats?${monthRange}`, admin],
      ['stats, 30 days, one user', `/api/stats?${monthRange}&userId=${userId}`, admin],
      ['stats, 365 days (whole table)', `/api/stats?${yearRange}`, admin],
    ];
    const out: Latency[] = [];
    const requests = [
      ...lists.map(([name, path, token]) => ({ name, path, token, samples: SAMPLES })),
      ...stats.map(([name, path, token]) => ({ name, path, token, samples: STATS_SAMPLES })),
    ];
    for (const { name, path, token, samples } of requests) {
      const latency = await measure(base, token, name, path, samples);
      log(`  ${name}: p50 ${latency.p50.toFixed(1)} ms, p95 ${latency.p95.toFixed(1)} ms`);
      out.push(latency);
    }
    return out;
  } finally {
    await app.close();
  }
}

// ---- report ------------------------------------------------------------------------------------

function updateDocs(section: string): string {
  const path = resolve(ROOT, 'docs/benchmarks.md');
  const heading = '## Calls ingest';
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\nEach section is written by its `npm run bench:*` script; re-run the script to refresh it.\n';
  const start = current.indexOf(heading);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + heading.length);
    next = current.slice(0, start) + section.trimEnd() + (after < 0 ? '\n' : `\n\n${current.slice(after + 1)}`);
  }
  writeFileSync(path, next.endsWith('\n') ? next : `${next}\n`);
  return path;
}

async function main(): Promise<void> {
  const pg = await postgres();
  try {
    const [{ version }] = await sql<{ version: string }>(pg, 'postgres', `SELECT split_part(version(), ' on ', 1) AS version`);
    log(`PostgreSQL: ${version}`);

    const traffic = syntheticTraffic({
      pbxId: 'bench',
      calls: CALLS,
      callsPerSecond: 500,
      startAt: Date.parse('2026-11-26T09:00:00Z'),
      extensions: EXTENSIONS,
      callers: CALLERS,
      varSetsPerPhase: 18,
      seed: 42,
    });
    const amiEvents = traffic.messages.length;
    const peak = peakConcurrency(traffic);
    log(`Generated ${fmt(CALLS)} calls: ${fmt(amiEvents)} AMI events, up to ${fmt(peak)} in progress at once`);

    const alone = Array.from({ length: 5 }, () => trackerAlone(traffic));
    const aloneSeconds = median(alone.map((r) => r.seconds));
    log(`tracker alone: ${fmt(amiEvents / aloneSeconds)} events/s`);

    const ingestDb = 'crm_bench_ingest';
    await freshDatabase(pg, ingestDb);
    await seedDirectory(pg, ingestDb);
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(benchConfig(pg, ingestDb, { APP_ROLE: 'asterisk' })), { logger: ['error', 'warn'] });
    const runs: IngestRun[] = [];
    let verified = '';
    try {
      for (let run = 0; run < RUNS; run++) {
        await sql(pg, ingestDb, `TRUNCATE call_keys RESTART IDENTITY CASCADE`);
        const result = await ingestRun(context, traffic);
        verified = await verifyIngest(pg, ingestDb, traffic, result.trackerEvents);
        runs.push(result);
        log(`ingest run ${run + 1}: ${result.seconds.toFixed(2)} s, ${fmt(amiEvents / result.seconds)} events/s, ${fmt(CALLS / result.seconds)} calls/s; ${verified}`);
      }
    } finally {
      await context.close();
    }
    const ingestSeconds = median(runs.map((r) => r.seconds));
    const trackerEvents = runs[0].trackerEvents;

    const historyDb = 'crm_bench_history';
    const { loadedSeconds } = await ensureHistoryDatabase(pg, historyDb);
    log(loadedSeconds === null ? `history: reusing ${historyDb} (${fmt(HISTORY_ROWS)} calls)` : `history: loaded ${fmt(HISTORY_ROWS)} calls in ${loadedSeconds.toFixed(1)} s`);
    const latencies = await historyLatencies(pg, historyDb);

    const eventsPerSecond = amiEvents / ingestSeconds;
    const callsPerSecond = CALLS / ingestSeconds;
    const listLatencies = latencies.filter((l) => l.path.startsWith('/api/calls'));
    const worstListP95 = Math.max(...listLatencies.map((l) => l.p95));
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    const section = `## Calls ingest

Written by \`npm run bench:calls\` (bench/calls.bench.ts) on ${new Date().toISOString().slice(0, 10)}.

Machine: ${cpus().length} CPUs (${cpu}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, ${version}
(${process.env.DB_HOST ? `server at ${process.env.DB_HOST}` : 'embedded'}, default settings), same machine as the benchmark. The machine was shared with other work
while this ran, so absolute figures are noisy.

### Ingest into PostgreSQL

${fmt(CALLS)} generated inbound calls (apps/server/src/call-ingest/simulator/synthetic-traffic.ts: the event names and keys of the
inbound captures plus dialplan \`VarSet\`s, ${fmt(amiEvents / CALLS, 1)} AMI events a call; 70% answered, 20% missed, 10% abandoned;
500 new calls a second of PBX time, up to ${fmt(peak)} in progress at once), fed as fast as possible through the call tracker into the
calls pipeline (rows built per tracker event, 2 write lanes, one multi-row \`INSERT ... ON CONFLICT\` statement per batch),
in slices of 2,000 messages with the event loop running in between, as socket reads would. Time = first message to the
last write committed. Median of ${RUNS} runs; the table is emptied before each.

| pipeline | AMI events/s | calls/s | tracker events/s | time for ${fmt(CALLS)} calls |
|---|---:|---:|---:|---:|
| call tracker alone (the ceiling), median of 5 | ${fmt(amiEvents / aloneSeconds)} | ${fmt(CALLS / aloneSeconds)} | ${fmt(trackerEvents / aloneSeconds)} | ${aloneSeconds.toFixed(2)} s |
| tracker + ingest into PostgreSQL | ${fmt(eventsPerSecond)} | ${fmt(callsPerSecond)} | ${fmt(trackerEvents / ingestSeconds)} | ${ingestSeconds.toFixed(2)} s |

Checked after every run: ${verified}; no write dropped. Writes per batch grew to
${fmt(Math.max(...runs.map((r) => r.largestBatch)))} tracker events (${fmt(median(runs.map((r) => r.batches)))} statements a run).

- ingest ≥ 500 call set-ups/s and ≥ 25,000 events/s with nothing lost: **${callsPerSecond >= 500 && eventsPerSecond >= 25_000 ? 'met' : 'NOT met'}** (${fmt(callsPerSecond)} calls/s, ${fmt(eventsPerSecond)} events/s)

### History and statistics on ${fmt(HISTORY_ROWS)} calls

A dedicated database with ${fmt(HISTORY_ROWS)} calls over 365 days (bulk-loaded with \`generate_series\`${loadedSeconds === null ? '' : ` in ${loadedSeconds.toFixed(0)} s`}, then
\`VACUUM ANALYZE\`; 50 operators, 500 companies, 2,000 external numbers), the schema and indexes of the migrations. Each
request goes over HTTP to the real server (JWT guard, validation, JSON) on loopback, one at a time: 5 warm-up requests, then
the timed ones; client-side latency.

| request | p50 ms | p95 ms | rows | requests |
|---|---:|---:|---:|---:|
${latencies.map((l) => `| ${l.name} | ${l.p50.toFixed(1)} | ${l.p95.toFixed(1)} | ${fmt(l.rows)} | ${l.samples} |`).join('\n')}

(rows: items on the page; for statistics, the calls counted.)

- history pages < 50 ms p95 on ${fmt(HISTORY_ROWS)} calls: **${worstListP95 < 50 ? 'met' : 'NOT met'}** (worst p95 ${worstListP95.toFixed(1)} ms)
`;
    log(`\nwrote ${updateDocs(section)}`);
  } finally {
    await pg.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:calls failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
