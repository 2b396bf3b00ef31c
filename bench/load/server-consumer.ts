import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import type { BenchPostgres } from '../bench-postgres';
import type { CallCensus, CallPhase, ConsumerUsage, LoadConsumer } from './load-consumer';
import { cpuMsOf, PeakRss, rssBytesOf } from './process-usage';
import { SIM_USER, type SimWorker } from './sim-worker';

const ROOT = resolve(__dirname, '../..');
/** calls.pbx_id of the simulator. */
export const BENCH_PBX_ID = 'bench';
const MAX_IDS_PER_POLL = 2000;
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const RSS_SAMPLE_MS = 200;
const KEPT_LOG_LINES = 20;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * The whole server as production runs it: a child process `node scripts/run.cjs
 * apps/server/src/main.ts` in role `asterisk` (AMI ingest only), logged in to the
 * simulator, writing into a throwaway database. Nothing of the server runs in the bench
 * process; it is observed from outside: its rows (a poll of the sampled calls), its
 * /proc entry (CPU, RSS), its PostgreSQL backends and its log.
 */
export class ServerConsumer implements LoadConsumer {
  readonly name = 'server';
  readonly description =
    'the server in its own process (`APP_ROLE=asterisk node scripts/run.cjs apps/server/src/main.ts`, NODE_ENV=production, LOG_LEVEL=warn): AMI ingest through the call tracker into PostgreSQL';
  private child: ChildProcess | null = null;
  private exitInfo: string | null = null;
  private dataDir: string | null = null;
  private poller: Client | null = null;
  private admin: Client | null = null;
  /** Backends of the bench's own connections (admin, poller): not the server's work. */
  private benchPids: number[] = [];
  private pollerPid = -1;
  /** Sampled calls whose event was sent and is not visible yet. */
  private readonly awaiting: Record<CallPhase, Set<string>> = { first: new Set(), end: new Set() };
  private readonly seen: Record<CallPhase, Map<string, number>> = { first: new Map(), end: new Map() };
  private wake: (() => void) | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  private readonly logLines: string[] = [];
  private loggedProblems = 0;
  private pollErrors = 0;
  private rss: PeakRss | null = null;
  private rssTimer: NodeJS.Timeout | null = null;
  private cpuMark = 0;
  private readonly postgresCpuMark = new Map<number, number>();
  private observerCpuMark = 0;

  constructor(
    private readonly pg: BenchPostgres,
    private readonly database: string,
    /** Period of the visibility poll: the resolution of the measured delays. */
    private readonly pollMs: number,
    private readonly log: (line: string) => void,
    /** Extra settings of the server process (the cost comparison sets INGEST_WRITE_GATHER_MS). */
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  async start(port: number, sim: SimWorker): Promise<void> {
    this.dataDir = mkdtempSync(join(tmpdir(), 'crm-bench-server-'));
    const db = this.pg.connection;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ENV_FILE: 'none',
      NODE_ENV: 'production',
      APP_ROLE: 'asterisk',
      // The ingest role publishes every stored step to the server processes through Redis, as deployed.
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `crm-bench-${process.pid}`,
      LOG_LEVEL: 'warn',
      DEMO_MODE: 'off',
      DATA_DIR: this.dataDir,
      DB_HOST: db.host,
      DB_PORT: String(db.port),
      DB_USER: db.user,
      // Production requires a password; a server with trust authentication ignores it.
      DB_PASSWORD: db.password || 'unused-with-trust-authentication',
      DB_NAME: this.database,
      ASTERISK_HOST: '127.0.0.1',
      ASTERISK_PORT: String(port),
      ASTERISK_USER: SIM_USER.username,
      ASTERISK_SECRET: SIM_USER.secret,
      ASTERISK_ID: BENCH_PBX_ID,
      JWT_SECRET: randomBytes(32).toString('hex'),
      // BENCH_SERVER_ENV: settings of the server alone for a trial, e.g. `INGEST_WRITE_GATHER_EVENTS=32 STATS_FLUSH_INTERVAL_MS=5000`.
      ...Object.fromEntries((process.env.BENCH_SERVER_ENV ?? '').split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
      ...this.extraEnv,
    };
    // BENCH_SERVER_NODE_ARGS: node options for the server alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, 'scripts/run.cjs', 'apps/server/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.once('exit', (code, signal) => (this.exitInfo = `the server exited (${signal ?? `code ${code}`})`));
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => this.onLogLine(line));

    this.admin = await this.connect('crm-bench-admin');
    await this.waitReady(sim);
    this.poller = await this.connect('crm-bench-poll');
    this.benchPids = await Promise.all([this.admin, this.poller].map(async (c) => Number((await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)));
    this.pollerPid = this.benchPids[1];
    const pid = child.pid!;
    this.rss = new PeakRss(() => rssBytesOf(pid));
    this.rssTimer = setInterval(() => this.rss?.sample(), RSS_SAMPLE_MS);
    this.polling = this.pollLoop();
  }

  expect(linkedid: string, phase: CallPhase): void {
    if (this.seen[phase].has(linkedid)) return;
    this.awaiting[phase].add(linkedid);
    this.wake?.();
  }

  observedAt(linkedid: string, phase: CallPhase): number | undefined {
    return this.seen[phase].get(linkedid);
  }

  async endedCount(): Promise<number> {
    const { rows } = await this.admin!.query('SELECT count(*)::int AS n FROM calls WHERE pbx_id = $1 AND ended_at IS NOT NULL', [BENCH_PBX_ID]);
    return rows[0].n as number;
  }

  async census(): Promise<Map<string, CallCensus>> {
    const { rows } = await this.admin!.query<{ linkedid: string; copies: number; ended: boolean; end_steps: number; status: string }>(
      `SELECT c.linkedid, count(*)::int AS copies, bool_and(c.ended_at IS NOT NULL) AS ended, min(c.status) AS status,
              sum((SELECT count(*) FROM call_events e WHERE e.call_id = c.id AND e.type = 'ended'))::int AS end_steps
       FROM calls c WHERE c.pbx_id = $1 GROUP BY c.linkedid`,
      [BENCH_PBX_ID],
    );
    return new Map(rows.map((r) => [r.linkedid, { copies: r.copies, ended: r.ended, endSteps: r.end_steps, status: r.ended ? r.status : null }]));
  }

  async takeUsage(): Promise<ConsumerUsage> {
    const pid = this.child?.pid;
    const cpu = pid === undefined ? null : cpuMsOf(pid);
    const cpuMs = cpu === null ? null : cpu - this.cpuMark;
    if (cpu !== null) this.cpuMark = cpu;
    return { cpuMs, peakRssBytes: this.rss?.take() ?? 0, postgresCpuMs: await this.takePostgresCpu(), observerCpuMs: this.takeObserverCpu() };
  }

  problems(): string[] {
    const out = [...this.logLines];
    if (this.loggedProblems > this.logLines.length) out.push(`... ${this.loggedProblems - this.logLines.length} more warning/error lines`);
    if (this.pollErrors > 0) out.push(`${this.pollErrors} visibility polls failed`);
    return out;
  }

  fatal(): string | null {
    return this.exitInfo;
  }

  /** SIGTERM: the server writes what it still holds and exits; after a Ctrl-C PostgreSQL is gone, so SIGKILL. */
  async stop(hurry: boolean): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.rssTimer) clearInterval(this.rssTimer);
    await this.polling;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill(hurry ? 'SIGKILL' : 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await Promise.all([this.poller?.end(), this.admin?.end()].map((p) => p?.catch(() => undefined)));
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /**
   * Ready = the ingest holds its PBX's advisory lock in our database (so migrations ran and
   * it elected itself writer) and the simulator saw its Login and CoreShowChannels.
   */
  private async waitReady(sim: SimWorker): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (this.exitInfo) throw new Error(`${this.exitInfo} before it was ready:\n${this.logLines.join('\n')}`);
      const { rows } = await this.admin!.query(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()`,
      );
      const report = await sim.report();
      if (rows[0].n > 0 && report.sessions > 0 && report.actions >= 2) return;
      if (Date.now() > deadline) throw new Error(`the server was not ingesting within ${READY_TIMEOUT_MS / 1000} s:\n${this.logLines.join('\n')}`);
      await sleep(100);
    }
  }

  /**
   * Asks for the sampled calls whose event was sent and is not visible yet, every `pollMs`.
   * A row seen by a query was visible when that query's snapshot was taken, and was not when
   * the previous one's was: the query's start time is the visibility time, within one period.
   */
  private async pollLoop(): Promise<void> {
    while (!this.stopped) {
      if (this.awaiting.first.size + this.awaiting.end.size === 0) {
        await new Promise<void>((done) => (this.wake = done));
        this.wake = null;
        continue;
      }
      const started = Date.now();
      const ids = [...new Set([...this.awaiting.first, ...this.awaiting.end])].slice(0, MAX_IDS_PER_POLL);
      try {
        // Named: parsed and planned once, then only executed (it runs up to 1000 / pollMs times a second).
        const { rows } = await this.poller!.query<{ linkedid: string; ended: boolean }>({
          name: 'bench-visibility-poll',
          text: `SELECT k.linkedid, c.ended_at IS NOT NULL AS ended FROM call_keys k JOIN calls c ON c.id = k.id AND c.started_at = k.started_at
                 WHERE k.pbx_id = $1 AND k.linkedid = ANY($2::text[])`,
          values: [BENCH_PBX_ID, ids],
        });
        for (const row of rows) {
          this.see('first', row.linkedid, started);
          if (row.ended) this.see('end', row.linkedid, started);
        }
      } catch {
        this.pollErrors++;
      }
      const rest = started + this.pollMs - Date.now();
      if (rest > 0) await sleep(rest);
    }
  }

  private see(phase: CallPhase, linkedid: string, at: number): void {
    if (!this.awaiting[phase].delete(linkedid)) return;
    this.seen[phase].set(linkedid, at);
  }

  /** The bench process and the backend answering its polls: what observing costs the machine. */
  private takeObserverCpu(): number {
    const own = process.cpuUsage();
    const total = (own.user + own.system) / 1000 + (cpuMsOf(this.pollerPid) ?? 0);
    const delta = total - this.observerCpuMark;
    this.observerCpuMark = total;
    return delta;
  }

  /** CPU of the backends connected to our database, other than the bench's own, since the last take. */
  private async takePostgresCpu(): Promise<number | null> {
    if (!this.admin) return null;
    const { rows } = await this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> ALL($1::int[])', [this.benchPids]);
    let total: number | null = null;
    for (const { pid } of rows) {
      const ms = cpuMsOf(pid);
      if (ms === null) continue;
      total = (total ?? 0) + ms - (this.postgresCpuMark.get(pid) ?? 0);
      this.postgresCpuMark.set(pid, ms);
    }
    return total;
  }

  private async connect(applicationName: string): Promise<Client> {
    const client = new Client({ ...this.pg.connection, database: this.database, application_name: applicationName });
    client.on('error', (error) => this.log(`bench: PostgreSQL connection ${applicationName}: ${error.message}`));
    await client.connect();
    return client;
  }

  /** LOG_LEVEL=warn: every line the server prints is a warning or an error worth showing. */
  private onLogLine(line: string): void {
    if (line.trim() === '') return;
    let text = line;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; context?: string };
      text = `${entry.level !== undefined && entry.level >= 50 ? 'error' : 'warn'}${entry.context ? ` [${entry.context}]` : ''}: ${entry.msg ?? line}`;
    } catch {
      // Not a pino line (a crash before the logger was up): shown as it is.
    }
    this.loggedProblems++;
    if (this.logLines.length < KEPT_LOG_LINES) this.logLines.push(text);
    this.log(`server: ${text}`);
  }
}
