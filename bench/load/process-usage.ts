/**
 * CPU time and memory of other processes, read from Linux's /proc: the server under load
 * runs in its own process and must not report on itself (that would cost it CPU time
 * and change what is measured).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The resolution of {@link cpuMsOf}. */
export const CPU_TICK_MS = 1000 / TICKS_PER_SECOND;

/** User + system CPU time of a process in ms, or null when it is gone or not on this machine. */
export function cpuMsOf(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ..." - comm may hold spaces and parentheses: fields count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime + stime) ? ((utime + stime) * 1000) / TICKS_PER_SECOND : null;
}

/** Resident set size in bytes, or null when the process is gone. */
export function rssBytesOf(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** Sum of {@link cpuMsOf} over the processes that can be read; null when none can. */
export function cpuMsOfAll(pids: readonly number[]): number | null {
  let total: number | null = null;
  for (const pid of pids) {
    const ms = cpuMsOf(pid);
    if (ms !== null) total = (total ?? 0) + ms;
  }
  return total;
}

/** Whole-machine CPU counters (all cores) in ms: busy is everything but idle and iowait. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = ticks[3] + ticks[4];
  return { busy: ((total - idle) * 1000) / TICKS_PER_SECOND, total: (total * 1000) / TICKS_PER_SECOND };
}

/** Follows one process's RSS between two reads: the highest value seen by `sample()`. */
export class PeakRss {
  private peak = 0;

  constructor(private readonly read: () => number | null) {}

  sample(): void {
    const rss = this.read();
    if (rss !== null && rss > this.peak) this.peak = rss;
  }

  /** The peak since the last take (sampling once more first), then starts over. */
  take(): number {
    this.sample();
    const peak = this.peak;
    this.peak = 0;
    return peak;
  }
}
