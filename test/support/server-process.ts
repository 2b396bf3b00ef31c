import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** Only what a process needs from the outside world; everything else is given explicitly. */
export function cleanEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ENV_FILE: 'none', ...vars };
}

/** A server started as a separate OS process (`npm start` or `node scripts/run.cjs ...`), with its output captured. */
export class ServerProcess {
  output = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => this.append(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.append(chunk));
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  }

  /** `node scripts/run.cjs apps/server/src/main.ts`, what `npm start` runs. */
  static startServer(env: NodeJS.ProcessEnv): ServerProcess {
    return ServerProcess.spawn(process.execPath, ['scripts/run.cjs', 'apps/server/src/main.ts'], env);
  }

  static npm(args: string[], env: NodeJS.ProcessEnv): ServerProcess {
    return ServerProcess.spawn('npm', args, env);
  }

  /** Any command, run from the project root (e.g. the built entry point a container image runs). */
  static spawn(command: string, args: string[], env: NodeJS.ProcessEnv): ServerProcess {
    return new ServerProcess(spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolvePromise, reject) => {
      const check = (): boolean => {
        const match = this.output.match(pattern);
        if (match) {
          cleanup();
          resolvePromise(match);
        }
        return Boolean(match);
      };
      const onExit = () => {
        if (!check()) {
          cleanup();
          reject(new Error(`process exited before printing ${pattern}; output:\n${this.output}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${this.output}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.child.stdout!.off('data', check);
        this.child.stderr!.off('data', check);
        this.child.off('exit', onExit);
      };
      if (check()) return;
      // Listeners added after the class's own, so the output already holds the new chunk.
      this.child.stdout!.on('data', check);
      this.child.stderr!.on('data', check);
      this.child.once('exit', onExit);
    });
  }

  async exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms; output:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  private append(chunk: Buffer): void {
    this.output += chunk.toString('utf8');
  }
}
