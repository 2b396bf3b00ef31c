import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessInspector } from '../apps/server/src/database/embedded/process-inspector';
import { createServer } from 'node:net';
import { freePort } from './support/free-port';
import { cleanEnv, ServerProcess } from './support/server-process';

const STARTED = /Asterisk CRM started/;
const inspector = new ProcessInspector();

describe('start with an invalid configuration', () => {
  it('`NODE_ENV=production ASTERISK_PORT=abc npm start` (no JWT_SECRET) exits non-zero naming each bad variable', async () => {
    const server = ServerProcess.npm(['start', '--silent'], cleanEnv({ NODE_ENV: 'production', ASTERISK_PORT: 'abc' }));
    const { code } = await server.exit(60_000);
    expect(code).not.toBe(0);
    const lines = server.output.trim().split('\n');
    expect(lines).toEqual([
      'Invalid configuration (6 variables):',
      '  DB_HOST: is required when NODE_ENV=production',
      '  DB_NAME: is required when NODE_ENV=production',
      '  DB_USER: is required when NODE_ENV=production',
      '  DB_PASSWORD: is required when NODE_ENV=production',
      '  ASTERISK_PORT: must be an integer port number (got "abc")',
      '  JWT_SECRET: is required when NODE_ENV=production',
    ]);
  }, 60_000);

  it('prints the value of a bad ordinary variable but never of a bad secret', async () => {
    const server = ServerProcess.startServer(
      cleanEnv({ JWT_SECRET: 'short-secret-value', REDIS_URL: 'http://user:redis-secret-value@cache', LOG_LEVEL: 'bogus', DB_PORT: '99999' }),
    );
    expect((await server.exit(60_000)).code).toBe(1);
    expect(server.output.trim().split('\n')).toEqual([
      'Invalid configuration (4 variables):',
      '  LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "bogus")',
      '  DB_PORT: must be between 1 and 65535 (got "99999")',
      '  JWT_SECRET: must be at least 32 characters',
      '  REDIS_URL: must be a redis:// or rediss:// URL',
    ]);
  }, 60_000);
});

describe('embedded PostgreSQL (no DB_HOST)', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'crm-embedded-'));
    // As root the package runs PostgreSQL as the `postgres` user, which must reach the data folder.
    chmodSync(root, 0o755);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts with no configuration, survives a SIGKILL (orphan stopped), a stale pid file, and stops PostgreSQL on SIGTERM', async () => {
    const pgDir = join(root, 'pg');
    const port = await freePort();
    const env = cleanEnv({
      PORT: String(port),
      EMBEDDED_PG_DIR: pgDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      DATA_DIR: join(root, 'data'),
      LOG_LEVEL: 'info',
    });
    const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);
    const loginAs = (password: string) =>
      api('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });

    // 1. First start: initdb, database created, migrations, generated admin password printed once.
    const first = ServerProcess.startServer(env);
    await first.waitFor(STARTED, 90_000);
    expect(first.output).toContain(`data in ${pgDir}`);
    const password = first.output.match(/generated password: (\S+)/)![1];
    expect(await (await api('/api/ready')).json()).toMatchObject({ status: 'ok', checks: { database: { status: 'up' } }, mode: { role: 'all' } });
    expect((await api('/api/docs')).status).toBe(200);
    const { accessToken } = (await (await loginAs(password)).json()) as { accessToken: string };
    expect((await api('/api/auth/me', { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    // Requests are logged, but neither the token nor the password (printed once by FirstAdmin).
    await first.waitFor(/"path":"\/api\/auth\/me"/, 10_000);
    expect(first.output).not.toContain(accessToken);
    expect(first.output.split(password).length - 1).toBe(1);

    // 2. SIGKILL leaves PostgreSQL running without its parent; the next start stops it and starts its own.
    const orphanPid = Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    first.kill('SIGKILL');
    await first.exit(10_000);
    expect(inspector.isAlive(orphanPid)).toBe(true);
    const second = ServerProcess.startServer(env);
    await second.waitFor(STARTED, 90_000);
    expect(second.output).toContain(`Stopping embedded PostgreSQL (pid ${orphanPid}) orphaned`);
    expect(second.output).not.toContain('generated password');
    expect((await loginAs(password)).status).toBe(200);

    // 3. SIGTERM: Nest shuts down, PostgreSQL stops, the process exits 0.
    const secondPostgres = Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    second.kill('SIGTERM');
    expect(await second.exit(30_000)).toEqual({ code: 0, signal: null });
    expect(second.output).toContain('Embedded PostgreSQL stopped');
    expect(existsSync(join(pgDir, 'postmaster.pid'))).toBe(false);
    expect(inspector.isAlive(secondPostgres)).toBe(false);

    // 4. A postmaster.pid naming a live process that is not PostgreSQL (this test process) is stale.
    writeFileSync(join(pgDir, 'postmaster.pid'), `${process.pid}\n${pgDir}\n0\n${env.EMBEDDED_PG_PORT}\n`);
    const third = ServerProcess.startServer(env);
    await third.waitFor(STARTED, 90_000);
    expect(third.output).toContain(`Removing stale ${join(pgDir, 'postmaster.pid')}`);
    expect((await loginAs(password)).status).toBe(200);
    third.kill('SIGTERM');
    expect((await third.exit(30_000)).code).toBe(0);
  }, 240_000);

  it('exits 1 with PostgreSQL\'s reason when EMBEDDED_PG_PORT is taken', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const server = ServerProcess.startServer(
        cleanEnv({ PORT: String(await freePort()), EMBEDDED_PG_DIR: join(root, 'blocked'), EMBEDDED_PG_PORT: String(port), DATA_DIR: join(root, 'data') }),
      );
      expect((await server.exit(90_000)).code).toBe(1);
      expect(server.output).toContain(`embedded PostgreSQL did not start on 127.0.0.1:${port}`);
      // PostgreSQL's words, inside a JSON log line (quotes escaped).
      expect(server.output).toMatch(/could not bind IPv4 address \\?"127\.0\.0\.1\\?": Address already in use/);
    } finally {
      blocker.close();
    }
  }, 120_000);
});
