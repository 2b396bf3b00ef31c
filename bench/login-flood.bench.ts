/**
 * npm run bench:login: what a login flood does to the rest of the API.
 *
 * The server (role all, in this process, listening on loopback) with 2,000 calls in its
 * database. A probe asks GET /api/calls?limit=50 one request after another and records each
 * latency: first with nothing else going on, then while FLOODERS clients post logins with
 * random usernames as fast as answers come back (the probe's shape from issue 14). The flood
 * runs twice: with hashing bounded as shipped (PASSWORD_HASH_CONCURRENCY=1) and unbounded
 * (every login hashes at once, as before). The per-address limit is lifted in both, so the
 * flood reaches the hashing; with it in place one address is cut off after 60 logins a minute.
 */
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig } from '../apps/server/src/config/load-config';
import { createHttpApp } from '../apps/server/src/http-app';
import { fmt, loadAverage, machineInfo, median, writeBenchmarkSection } from './bench-report';
import { openBenchPostgres } from './bench-postgres';

const FLOODERS = 16;
const PROBES = Number(process.env.BENCH_PROBES ?? 150);
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const ADMIN_PASSWORD = 'bench-admin-password';
const DATABASE = `crm_bench_login_${process.pid}`;

interface Phase {
  name: string;
  latencies: number[];
  logins: { ok: number; refused: number; busy: number; other: number };
  seconds: number;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];

async function probe(base: string, token: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const started = performance.now();
    const response = await fetch(`${base}/api/calls?limit=50`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET /api/calls: HTTP ${response.status}`);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function phase(name: string, base: string, token: string, flood: boolean): Promise<Phase> {
  const logins = { ok: 0, refused: 0, busy: 0, other: 0 };
  let running = flood;
  const flooders = Array.from({ length: flood ? FLOODERS : 0 }, async (_, n) => {
    for (let i = 0; running; i++) {
      const response = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `flood-${n}-${i}`, password: 'guess-password' }),
      });
      await response.arrayBuffer();
      if (response.status === 401) logins.refused++;
      else if (response.status === 503) logins.busy++;
      else if (response.status === 200) logins.ok++;
      else logins.other++;
    }
  });
  // Let the flood reach its steady state before measuring.
  if (flood) await new Promise((resolve) => setTimeout(resolve, 1000));
  const started = performance.now();
  const latencies = await probe(base, token);
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await Promise.all(flooders);
  return { name, latencies, logins, seconds };
}

async function startServer(connection: { host: string; port: number; user: string; password?: string }, extra: Record<string, string>): Promise<{ app: INestApplication; base: string; token: string }> {
  const result = loadConfig({
    NODE_ENV: 'test',
    // Every refused login is a warn line: printing them would be part of what is measured.
    LOG_LEVEL: 'error',
    APP_ROLE: 'all',
    DB_HOST: connection.host,
    DB_PORT: String(connection.port),
    DB_USER: connection.user,
    DB_PASSWORD: connection.password ?? '',
    DB_NAME: DATABASE,
    JWT_SECRET,
    ADMIN_PASSWORD,
    LOGIN_RATE_LIMIT_PER_IP: '1000000',
    LOGIN_RATE_LIMIT: '1000000',
    ...extra,
  });
  if ('problems' in result) throw new Error(`bench config invalid: ${JSON.stringify(result.problems)}`);
  const app = await createHttpApp(result.config);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  return { app, base, token };
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const pg = await openBenchPostgres(log);
  const phases: Phase[] = [];
  try {
    await pg.createDatabase(DATABASE);
    const contenders: Array<[string, Record<string, string>]> = [
      ['bounded (PASSWORD_HASH_CONCURRENCY=1, as shipped)', {}],
      ['unbounded (every login hashes at once, as before)', { PASSWORD_HASH_CONCURRENCY: '1000', PASSWORD_HASH_QUEUE: '1000' }],
    ];
    let seeded = false;
    for (const [name, extra] of contenders) {
      const { app, base, token } = await startServer(pg.connection, extra);
      try {
        if (!seeded) {
          await app.get(DataSource).query(
            `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, status, caller_number, receiver_number, started_at, ended_at)
             SELECT 'bench', g::text, g::text, 'inbound', 'answered', '+74951234567', '1001', now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '30 seconds'
             FROM generate_series(1, 2000) g`,
          );
          seeded = true;
          phases.push(await phase('no flood', base, token, false));
          log(`no flood: p50 ${fmt(median(phases.at(-1)!.latencies), 1)} ms`);
        }
        phases.push(await phase(`flood, ${name}`, base, token, true));
        const last = phases.at(-1)!;
        log(`${last.name}: p50 ${fmt(median(last.latencies), 1)} ms, logins ${JSON.stringify(last.logins)}`);
      } finally {
        await app.close();
      }
    }
  } finally {
    await pg.dropDatabase(DATABASE).catch(() => undefined);
    await pg.close();
  }
  const machine = machineInfo();
  const idle = median(phases[0].latencies);
  const rows = phases.map((p) => {
    const attempts = p.logins.ok + p.logins.refused + p.logins.busy + p.logins.other;
    return `| ${p.name} | ${fmt(median(p.latencies), 1)} | ${fmt(percentile(p.latencies, 95), 1)} | ${fmt(median(p.latencies) / idle, 1)}× | ${attempts ? `${fmt(p.logins.refused / p.seconds, 1)} checked, ${fmt(p.logins.busy / p.seconds, 1)} refused busy` : '—'} |`;
  });
  const section = `## Login flood

\`npm run bench:login\` (bench/login-flood.bench.ts): GET /api/calls?limit=50 (2,000 calls stored), ${PROBES} requests one after
another, without and during a flood of ${FLOODERS} clients posting logins with random usernames back to back (the per-address
limit lifted so the flood reaches password hashing). Server in the bench process on loopback; ${pg.origin}, ${pg.version}.
Machine: ${machine.cpus} cores (${machine.model}), ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${loadAverage()} at the end.

| GET /api/calls | p50 ms | p95 ms | p50 vs no flood | logins per second |
|---|---|---|---|---|
${rows.join('\n')}

Bounded hashing keeps one core for everything else: the flood's logins wait their turn (or get 503 LOGIN_BUSY past
PASSWORD_HASH_QUEUE) instead of taking every core from requests already being served. On top of this, one address is
cut off after LOGIN_RATE_LIMIT_PER_IP (60) logins a minute.
`;
  log(`written to ${writeBenchmarkSection(section)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
