/**
 * `npm run bench:stats`: GET /api/stats over 10,000,000 calls, from the rollups (migration
 * CallStatsRollup1795658000000) and from the raw query, side by side, plus the rollups' cost on
 * the ingest's batch statement.
 *
 * - A throwaway database (DB_HOST or an embedded PostgreSQL) migrated up to the partitioned
 *   calls; 10,000,000 calls generated inside PostgreSQL by generate_series, a month a
 *   statement (a year from 2025-12-01, 85% in 08:00-20:00 UTC, 80 operators and 15% unassigned,
 *   numbers from a pool of 300,000 so most missed calls are called back). To load in minutes
 *   the secondary indexes are dropped first and only those the statistics read rebuilt after;
 *   the keys and foreign keys are added back after; then VACUUM ANALYZE. The rollup migration then runs
 *   and fills the rollups from the 10,000,000 calls (its time is reported).
 * - Each period through StatsService: the rollups (warm-up, then STATS_RUNS runs) and the raw
 *   query (RAW_RUNS runs, fewer for long periods: a year takes seconds); results compared
 *   for equality. The rollups' p95 through HTTP (GET /api/stats, in-process server) too.
 * - The ingest's batch statement (buildCallBatchStatement) for 200 calls going through
 *   ringing -> answered -> ended, with the rollup triggers enabled and disabled, alternately.
 */
import type { INestApplication } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { DataSource } from 'typeorm';
import { buildCallBatchStatement, type CollapsedCall } from '../apps/server/src/call-ingest/store/call-batch-sql';
import type { CallRow } from '../apps/server/src/call-ingest/store/call-write';
import { loadConfig } from '../apps/server/src/config/load-config';
import { buildDataSourceOptions } from '../apps/server/src/database/data-source-options';
import { MIGRATIONS } from '../apps/server/src/database/migrations';
import { CallStatsRollup1795658000000 } from '../apps/server/src/database/migrations/1795658000000-call-stats-rollup';
import { createHttpApp } from '../apps/server/src/http-app';
import { StatsService, type StatsRequest } from '../apps/server/src/stats';
import { fmt, loadAverage, machineInfo, median, writeBenchmarkSection } from './bench-report';
import { openBenchPostgres } from './bench-postgres';

const CALLS = Number(process.env.STATS_BENCH_CALLS ?? 10_000_000);
const STATS_RUNS = Number(process.env.STATS_RUNS ?? 40);
/** STATS_BENCH_QUICK=1: the rollup timings only (no raw query, no ingest cost, docs untouched), to iterate on the reads. */
const QUICK = Boolean(process.env.STATS_BENCH_QUICK);
const USERS = 80;
/** STATS_BENCH_DATABASE: measure on a database an earlier run kept (STATS_BENCH_KEEP=1) instead of building one. */
const REUSED = process.env.STATS_BENCH_DATABASE;
const DATABASE = REUSED ?? `crm_bench_stats_${process.pid}`;
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const ADMIN_PASSWORD = 'bench-admin-password';
const BOUND_MS = 100;
/** The indexes GET /api/stats reads (the raw query and the missed calls); the others are dropped for the load. */
const STATS_INDEXES = ['ix_calls_ended_stats', 'ix_calls_external_number_started_at', 'ix_calls_answered_external_number', 'ix_calls_unanswered_inbound', 'ix_calls_assigned_user_started_at'];

const log = (line: string) => process.stdout.write(`${line}\n`);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await run();
  return [performance.now() - started, result];
}

interface Period {
  name: string;
  from: string;
  to: string;
  tz: string;
  user?: boolean;
  rawRuns: number;
}

const PERIODS: Period[] = [
  { name: 'a day (2026-06-15, Europe/Moscow)', from: '2026-06-15T00:00:00+03:00', to: '2026-06-16T00:00:00+03:00', tz: 'Europe/Moscow', rawRuns: 10 },
  { name: 'a month (2026-06, Europe/Moscow)', from: '2026-06-01T00:00:00+03:00', to: '2026-07-01T00:00:00+03:00', tz: 'Europe/Moscow', rawRuns: 3 },
  { name: 'a year (all 10M calls, Europe/Moscow)', from: '2025-12-01T00:00:00+03:00', to: '2026-12-01T00:00:00+03:00', tz: 'Europe/Moscow', rawRuns: 1 },
  { name: 'a year, one operator', from: '2025-12-01T00:00:00+03:00', to: '2026-12-01T00:00:00+03:00', tz: 'Europe/Moscow', user: true, rawRuns: 1 },
  { name: 'a year in Asia/Kolkata (+5:30)', from: '2025-12-01T00:00:00+05:30', to: '2026-12-01T00:00:00+05:30', tz: 'Asia/Kolkata', rawRuns: 1 },
  { name: 'odd: 2026-02-03 13:17:42 to 2026-09-28 05:59:59.999 UTC', from: '2026-02-03T13:17:42Z', to: '2026-09-28T05:59:59.999Z', tz: 'UTC', rawRuns: 1 },
  { name: 'odd: 9 days 7 h 31 min, Asia/Kathmandu (+5:45)', from: '2026-03-04T08:29:00Z', to: '2026-03-13T16:00:00Z', tz: 'Asia/Kathmandu', rawRuns: 3 },
  { name: 'odd: 3 h 10 min (10:25-13:35 UTC)', from: '2026-10-07T10:25:00Z', to: '2026-10-07T13:35:00Z', tz: 'UTC', rawRuns: 10 },
];

async function load(db: DataSource): Promise<{ seconds: number }> {
  const started = performance.now();
  await db.query(`SET maintenance_work_mem = '512MB'`);
  for (let m = 0; m < 15; m++) await db.query(`SELECT crm_calls_add_partition(($1::date + make_interval(months => $2))::date)`, ['2025-11-01', m]);
  await db.query(
    `INSERT INTO users (username, email, password_hash, role, first_name, last_name)
     SELECT 'op' || g, 'op' || g || '@example.com', 'x', 'operator', 'Operator', g::text FROM generate_series(1, ${USERS}) g`,
  );
  const [{ first_user: firstUser }] = await db.query<Array<{ first_user: number }>>(`SELECT min(id) AS first_user FROM users WHERE username LIKE 'op%'`);
  const indexes = await db.query<Array<{ name: string; definition: string }>>(
    `SELECT i.indexname AS name, replace(i.indexdef, ' ON ONLY ', ' ON ') AS definition FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = 'calls' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const { name } of indexes) await db.query(`DROP INDEX ${name}`);
  await db.query(`ALTER TABLE calls DROP CONSTRAINT fk_calls_key, DROP CONSTRAINT fk_calls_assigned_user, DROP CONSTRAINT fk_calls_caller_company`);
  for (const table of ['call_events', 'recordings']) await db.query(`ALTER TABLE ${table} DROP CONSTRAINT fk_${table}_call`);
  await db.query(`ALTER TABLE call_keys DROP CONSTRAINT pk_call_keys, DROP CONSTRAINT uq_call_keys_pbx_linkedid`);
  await db.query(`ALTER TABLE calls DROP CONSTRAINT pk_calls`);

  await db.query(`SELECT setseed(0.42)`);
  let id = 0;
  for (let month = 0; month < 12; month++) {
    const lo = Date.UTC(2025, 11 + month, 1);
    const hi = Date.UTC(2025, 12 + month, 1);
    const count = Math.round((CALLS * (hi - lo)) / (Date.UTC(2026, 11, 1) - Date.UTC(2025, 11, 1)));
    const n = month === 11 ? CALLS - id : count;
    const [ms] = await timed(() =>
      db.query(
        `INSERT INTO calls (id, pbx_id, linkedid, call_uid, direction, status, caller_number, receiver_number, external_number,
           started_at, answered_at, ended_at, ring_seconds, talk_seconds, duration, hold_seconds, assigned_user_id, end_source,
           last_event_at, event_seq, writer, first_writer)
         SELECT g, 'bench', 'b' || g, 'b' || g, x.direction, x.status,
                CASE WHEN x.direction = 'inbound' THEN x.number ELSE '1' || lpad(x.ext::text, 2, '0') END,
                CASE WHEN x.direction = 'outbound' THEN x.number ELSE '2' || lpad(x.ext::text, 2, '0') END,
                CASE WHEN x.direction <> 'internal' THEN x.number END,
                x.started, CASE WHEN x.status = 'answered' THEN x.started + make_interval(secs => x.ring) END,
                x.started + make_interval(secs => x.ring + x.talk), x.ring, x.talk, x.talk, x.hold,
                CASE WHEN x.r_user < 0.15 THEN NULL ELSE ${firstUser} + floor(x.r_user2 * ${USERS})::int END,
                CASE WHEN x.r_end < 0.97 THEN 'ami' WHEN x.r_end < 0.99 THEN 'cdr' ELSE 'unobserved' END,
                x.started, 1, 'bench', 'bench'
         FROM (
           SELECT g,
                  CASE WHEN r.dir < 0.6 THEN 'inbound' WHEN r.dir < 0.9 THEN 'outbound' ELSE 'internal' END AS direction,
                  CASE WHEN r.st < 0.7 THEN 'answered' WHEN r.st < 0.85 THEN 'missed' WHEN r.st < 0.9 THEN 'busy' WHEN r.st < 0.97 THEN 'abandoned' ELSE 'failed' END AS status,
                  '+7495' || lpad(floor(r.num * 300000)::text, 7, '0') AS number,
                  floor(r.num * 1000)::int % 60 AS ext,
                  to_timestamp(${lo / 1000} + floor(r.day * ${(hi - lo) / 86_400_000}) * 86400
                    + CASE WHEN r.busy < 0.85 THEN 28800 + r.sec * 43200 ELSE r.sec * 86400 END) AS started,
                  floor(r.ring * 45)::int AS ring,
                  CASE WHEN r.st < 0.7 THEN least(7200, floor(-ln(1 - r.talk) * 180))::int ELSE 0 END AS talk,
                  CASE WHEN r.hold < 0.1 THEN floor(r.hold * 600)::int ELSE 0 END AS hold,
                  r.r_user, r.r_user2, r.r_end
           FROM generate_series(${id + 1}, ${id + n}) g
           CROSS JOIN LATERAL (SELECT random() + 0 * g AS dir, random() AS st, random() AS num, random() AS day, random() AS busy, random() AS sec,
                                      random() AS ring, random() AS talk, random() AS hold, random() AS r_user, random() AS r_user2, random() AS r_end) r
         ) x`,
      ),
    );
    id += n;
    log(`  month ${month + 1}/12: ${fmt(n)} calls in ${fmt(ms / 1000, 1)} s`);
  }
  log('  keys, constraints and the statistics indexes');
  await db.query(`INSERT INTO call_keys (id, pbx_id, linkedid, started_at) SELECT id, pbx_id, linkedid, started_at FROM calls`);
  await db.query(`SELECT setval('call_keys_id_seq', ${id})`);
  await db.query(`ALTER TABLE call_keys ADD CONSTRAINT pk_call_keys PRIMARY KEY (id), ADD CONSTRAINT uq_call_keys_pbx_linkedid UNIQUE (pbx_id, linkedid)`);
  for (const table of ['call_events', 'recordings']) {
    await db.query(`ALTER TABLE ${table} ADD CONSTRAINT fk_${table}_call FOREIGN KEY (call_id) REFERENCES call_keys (id) ON DELETE CASCADE`);
  }
  await db.query(`ALTER TABLE calls ADD CONSTRAINT pk_calls PRIMARY KEY (id, started_at)`);
  await db.query(`ALTER TABLE calls ADD CONSTRAINT fk_calls_key FOREIGN KEY (id) REFERENCES call_keys (id) ON DELETE CASCADE`);
  await db.query(`ALTER TABLE calls ADD CONSTRAINT fk_calls_assigned_user FOREIGN KEY (assigned_user_id) REFERENCES users (id) ON DELETE SET NULL`);
  for (const { name, definition } of indexes) if (STATS_INDEXES.includes(name)) await db.query(definition);
  await db.query(`VACUUM (ANALYZE) calls`);
  await db.query(`VACUUM (ANALYZE) call_keys`);
  return { seconds: (performance.now() - started) / 1000 };
}

/** A call's row as the ingest writes it at one of three moments of its life. */
function callRow(i: number, stage: 'ringing' | 'answered' | 'ended', base: number, userId: number): CallRow {
  const started = new Date(base + i * 10);
  const answered = stage === 'ringing' ? null : new Date(started.getTime() + 5000);
  return {
    pbx_id: 'ingest-bench',
    linkedid: `w${base}-${i}`,
    call_uid: `w${base}-${i}`,
    direction: 'inbound',
    status: stage === 'ringing' ? 'ringing' : 'answered',
    caller_number: `+7495${String(i % 1000).padStart(7, '0')}`,
    caller_name: null,
    receiver_number: '101',
    did: null,
    external_number: `+7495${String(i % 1000).padStart(7, '0')}`,
    started_at: started,
    answered_at: answered,
    ended_at: stage === 'ended' ? new Date(started.getTime() + 65_000) : null,
    ring_seconds: 5,
    talk_seconds: stage === 'ended' ? 60 : 0,
    hold_seconds: 0,
    duration: stage === 'ended' ? 60 : 0,
    hangup_cause: stage === 'ended' ? 16 : null,
    hangup_by: stage === 'ended' ? 'caller' : null,
    answered_by_extension: stage === 'ringing' ? null : '101',
    assigned_user_id: userId + (i % USERS),
    caller_company_id: null,
    crm_call_id: null,
    participant_user_ids: [userId + (i % USERS)],
    last_event_at: new Date(started.getTime() + { ringing: 0, answered: 5000, ended: 65_000 }[stage]),
    event_seq: { ringing: 1, answered: 2, ended: 3 }[stage],
    writer: 'bench',
    end_source: stage === 'ended' ? 'ami' : null,
  } as CallRow;
}

/** Milliseconds of the three batch statements of 200 calls' lives, triggers on or off, alternating. */
async function ingestCost(db: DataSource, firstUser: number): Promise<{ on: number[]; off: number[] }> {
  const on: number[] = [];
  const off: number[] = [];
  const triggers = ['calls_stats_insert', 'calls_stats_update', 'calls_stats_delete'];
  for (let round = 0; round < 24; round++) {
    const enabled = round % 2 === 0;
    await db.query(`ALTER TABLE calls ${triggers.map((t) => `${enabled ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`).join(', ')}`);
    const base = Date.parse('2026-11-30T12:00:00Z') + round * 3_600_000;
    let total = 0;
    for (const stage of ['ringing', 'answered', 'ended'] as const) {
      const calls: CollapsedCall[] = Array.from({ length: 200 }, (_, i) => {
        const row = callRow(i, stage, base, firstUser);
        const key = `ingest-bench\u0000${row.linkedid}`;
        const timeline = { type: stage, occurredAt: row.last_event_at.getTime(), seq: row.event_seq, data: {}, dedupeKey: `${stage}` };
        return { key, row, writes: [{ key, row, timeline, event: undefined }] } as unknown as CollapsedCall;
      });
      const { text, values } = buildCallBatchStatement(calls);
      const [ms] = await timed(() => db.query(text, values));
      total += ms;
    }
    if (round >= 4) (enabled ? on : off).push(total);
    // The round's calls leave as they came (with the triggers as they were): the rollups stay exact.
    await db.query(`DELETE FROM calls WHERE pbx_id = 'ingest-bench'`);
  }
  await db.query(`ALTER TABLE calls ${triggers.map((t) => `ENABLE TRIGGER ${t}`).join(', ')}`);
  return { on, off };
}

async function startServer(connection: { host: string; port: number; user: string; password?: string }): Promise<{ app: INestApplication; base: string; token: string }> {
  const result = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    APP_ROLE: 'all',
    ASTERISK_HOST: '',
    DB_HOST: connection.host,
    DB_PORT: String(connection.port),
    DB_USER: connection.user,
    DB_PASSWORD: connection.password ?? '',
    DB_NAME: DATABASE,
    JWT_SECRET,
    ADMIN_PASSWORD,
    TIME_ZONE: 'Europe/Moscow',
  });
  if ('problems' in result) throw new Error(`bench config invalid: ${JSON.stringify(result.problems)}`);
  const app = await createHttpApp(result.config);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  return { app, base, token };
}

interface Measured {
  period: Period;
  rollup: number[];
  http: number[];
  raw: number[];
  equal: boolean;
  calls: number;
}

async function main(): Promise<void> {
  const pg = await openBenchPostgres(log);
  const benchStarted = performance.now();
  const loadBefore = loadAverage();
  const measured: Measured[] = [];
  let loadSeconds = 0;
  let backfillSeconds = 0;
  let sizes: Record<string, string> = {};
  let ingest: { on: number[]; off: number[] } = { on: [], off: [] };
  let rollupRows: Record<string, number> = {};
  try {
    const options = buildDataSourceOptions(pg.connection, DATABASE);
    if (REUSED) {
      // A database an earlier run built and kept (STATS_BENCH_KEEP): its build times come from that run.
      [loadSeconds, backfillSeconds] = (process.env.STATS_BENCH_BUILT ?? 'NaN,NaN').split(',').map(Number);
      log(`reusing ${DATABASE}`);
    } else {
      await pg.createDatabase(DATABASE);
      const before = new DataSource({ ...options, migrations: MIGRATIONS.slice(0, MIGRATIONS.indexOf(CallStatsRollup1795658000000)) });
      await before.initialize();
      try {
        await before.runMigrations({ transaction: 'each' });
        log(`loading ${fmt(CALLS)} calls`);
        loadSeconds = (await load(before)).seconds;
        log(`loaded in ${fmt(loadSeconds, 1)} s`);
      } finally {
        await before.destroy();
      }
    }
    const all = new DataSource(options);
    await all.initialize();
    try {
      if (!REUSED) {
        const [backfillMs] = await timed(() => all.runMigrations({ transaction: 'each' }));
        backfillSeconds = backfillMs / 1000;
        log(`rollup migration (backfill of ${fmt(CALLS)} calls) in ${fmt(backfillSeconds, 1)} s`);
      } else {
        // A kept database gets the migrations added since it was built (none is a new backfill).
        const [ms, ran] = await timed(() => all.runMigrations({ transaction: 'each' }));
        if (ran.length) log(`migrations ${ran.map((m) => m.name).join(', ')} run on the kept database in ${fmt(ms / 1000, 1)} s`);
      }
      // Every table the reads scan index-only, the derived ones too: until a VACUUM sets their pages all-visible
      // each index entry is checked in the heap (autovacuum does it in time on a live database).
      await all.query(`VACUUM (ANALYZE) call_stats_rollup, call_stats_quarters, call_stats_seconds, call_stats_seconds_bins, call_stats_clock_hours, call_missed_open`);
      const [s] = await all.query<Array<Record<string, string>>>(
        `SELECT pg_size_pretty(pg_total_relation_size('calls') + (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits WHERE inhparent = 'calls'::regclass)) AS calls,
                pg_size_pretty(pg_total_relation_size('call_stats_rollup')) AS rollup, pg_size_pretty(pg_total_relation_size('call_stats_quarters')) AS quarters,
                pg_size_pretty(pg_total_relation_size('call_stats_seconds')) AS seconds, pg_size_pretty(pg_total_relation_size('call_missed_open')) AS missed`,
      );
      sizes = s;
      const [rows] = await all.query<Array<Record<string, string>>>(
        `SELECT (SELECT count(*) FROM call_stats_rollup) AS rollup, (SELECT count(*) FROM call_stats_quarters) AS quarters,
                (SELECT count(*) FROM call_stats_seconds) AS seconds, (SELECT count(*) FROM call_missed_open) AS missed`,
      );
      rollupRows = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, Number(v)]));
      log(`rollup rows ${JSON.stringify(rollupRows)}, sizes ${JSON.stringify(sizes)}`);
    } finally {
      await all.destroy();
    }

    if (process.env.STATS_BENCH_LOAD_ONLY) return;
    const { app, base, token } = await startServer(pg.connection);
    try {
      const stats = app.get(StatsService);
      const db = app.get(DataSource);
      const [{ first_user: firstUser }] = await db.query<Array<{ first_user: number }>>(`SELECT min(id) AS first_user FROM users WHERE username LIKE 'op%'`);
      for (const period of PERIODS) {
        const request: StatsRequest = { from: new Date(period.from), to: new Date(period.to), timeZone: period.tz, userId: period.user ? firstUser : undefined };
        for (let i = 0; i < 3; i++) await stats.stats(request);
        const rollup: number[] = [];
        let fromRollup: unknown;
        for (let i = 0; i < STATS_RUNS; i++) {
          const [ms, result] = await timed(() => stats.stats(request));
          rollup.push(ms);
          fromRollup = result;
        }
        const http: number[] = [];
        const query = new URLSearchParams({ from: period.from, to: period.to, tz: period.tz, ...(period.user ? { userId: String(firstUser) } : {}) });
        for (let i = 0; i < STATS_RUNS; i++) {
          const [ms, response] = await timed(() => fetch(`${base}/api/stats?${query}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json()));
          http.push(ms);
          if (i === 0 && !isDeepStrictEqual(response, JSON.parse(JSON.stringify(fromRollup)))) throw new Error(`${period.name}: the API and the service differ`);
        }
        const raw: number[] = [];
        let fromRaw: unknown;
        for (let i = 0; i < (QUICK ? 0 : period.rawRuns); i++) {
          const [ms, result] = await timed(() => stats.stats({ ...request, source: 'raw' }));
          raw.push(ms);
          fromRaw = result;
        }
        const equal = isDeepStrictEqual(fromRollup, fromRaw);
        const calls = (fromRollup as { totals: { calls: number } }).totals.calls;
        measured.push({ period, rollup, http, raw, equal, calls });
        log(
          `${period.name}: ${fmt(calls)} calls; rollup p50 ${fmt(median(rollup), 1)} p95 ${fmt(percentile(rollup, 95), 1)} ms (HTTP p95 ${fmt(percentile(http, 95), 1)}); raw p50 ${fmt(median(raw), 1)} ms; equal ${equal}`,
        );
      }
      if (QUICK) return;
      ingest = await ingestCost(db, firstUser);
      log(`ingest 200 calls x 3 statements: triggers on ${fmt(median(ingest.on), 1)} ms, off ${fmt(median(ingest.off), 1)} ms`);
    } finally {
      await app.close();
    }
  } finally {
    // STATS_BENCH_KEEP=1 keeps the database (DB_HOST only) to look at plans afterwards.
    if (!process.env.STATS_BENCH_KEEP && !REUSED) await pg.dropDatabase(DATABASE).catch(() => undefined);
    else log(`kept database ${DATABASE}`);
    await pg.close();
  }

  const machine = machineInfo();
  const rows = measured.map(
    (m) =>
      `| ${m.period.name} | ${fmt(m.calls)} | ${fmt(median(m.rollup), 1)} | ${fmt(percentile(m.rollup, 95), 1)} | ${fmt(percentile(m.http, 95), 1)} | ${fmt(median(m.raw), 0)} (${m.raw.length} run${m.raw.length === 1 ? '' : 's'}) | ${fmt(median(m.raw) / median(m.rollup), 0)}× | ${m.equal ? 'yes' : '**no**'} |`,
  );
  const worst = Math.max(...measured.map((m) => percentile(m.rollup, 95)));
  const worstHttp = Math.max(...measured.map((m) => percentile(m.http, 95)));
  const section = `## Statistics at scale (rollups)

Written by \`npm run bench:stats\` (bench/stats.bench.ts) on ${new Date().toISOString().slice(0, 10)}, in ${fmt((performance.now() - benchStarted) / 1000)} s.
Machine: ${machine.cpus} cores (${machine.model}), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ${pg.origin}, ${pg.version}.
Load average ${loadBefore} before the run, ${loadAverage()} after it; the machine was shared with other work.

${fmt(CALLS)} calls over a year (2025-12-01 to 2026-12-01 UTC, 12 month partitions), generated inside PostgreSQL in
${fmt(loadSeconds, 0)} s including the index builds and VACUUM ANALYZE; the rollup migration filled the rollups from them in
**${fmt(backfillSeconds, 1)} s**${REUSED ? ` (database ${DATABASE} built by an earlier run of this script and reused: STATS_BENCH_DATABASE; its build times are that run's)` : ''}. Rollup rows: ${Object.entries(rollupRows)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ')}; sizes: calls ${sizes.calls} (only the indexes the statistics read), call_stats_rollup ${sizes.rollup}, call_stats_quarters ${sizes.quarters},
call_stats_seconds ${sizes.seconds}, call_missed_open ${sizes.missed}.

StatsService.stats per period: rollups ${STATS_RUNS} runs after 3 warm-ups, HTTP = GET /api/stats from an in-process server
(same runs), raw = the raw query (source: 'raw'). "Equal" compares the whole answers of both paths.

| period | calls | rollup p50 ms | rollup p95 ms | API p95 ms | raw p50 ms | raw / rollup (p50) | equal |
|---|---:|---:|---:|---:|---:|---:|---|
${rows.join('\n')}

- Bound: p95 under ${BOUND_MS} ms at ${fmt(CALLS)} calls — worst rollup p95 **${fmt(worst, 1)} ms** (service), ${fmt(worstHttp, 1)} ms through HTTP: ${worst < BOUND_MS && worstHttp < BOUND_MS ? '**met**' : '**not met**'}.
- Ingest write cost of the triggers: the ingest's batch statement for 200 calls going ringing -> answered -> ended
  (three statements; the rows in the current hour, so the rollup rows are hot), ${ingest.on.length} rounds each, alternating:
  triggers on **${fmt(median(ingest.on), 1)} ms**, off ${fmt(median(ingest.off), 1)} ms per 200 calls
  (${fmt(((median(ingest.on) - median(ingest.off)) / 200) * 1000, 0)} µs a call, ${fmt((median(ingest.on) / median(ingest.off) - 1) * 100, 0)}% of the statement time).
`;
  log(`wrote ${writeBenchmarkSection(section)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
