import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Looks at other processes by pid: /proc on Linux, `ps` elsewhere. */
export class ProcessInspector {
  /** Alive and not a zombie (a zombie still answers kill(pid, 0)). */
  isAlive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
    } catch (error) {
      // EPERM: it exists but belongs to another user.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    return this.state(pid) !== 'Z';
  }

  /** The process's arguments joined by spaces, or null when it cannot be read. */
  commandLine(pid: number): string | null {
    const procFile = `/proc/${pid}/cmdline`;
    if (existsSync('/proc/self')) {
      try {
        return readFileSync(procFile, 'utf8').split('\0').join(' ').trim();
      } catch {
        return null;
      }
    }
    return this.ps(pid, 'args');
  }

  private state(pid: number): string | null {
    if (existsSync('/proc/self')) {
      try {
        // "pid (comm) S ..." - comm may contain spaces and parentheses, so split after the last ')'.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      } catch {
        return null;
      }
    }
    return this.ps(pid, 'stat')?.charAt(0) ?? null;
  }

  private ps(pid: number, field: 'args' | 'stat'): string | null {
    try {
      const output = execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' }).trim();
      return output === '' ? null : output;
    } catch {
      return null;
    }
  }
}
