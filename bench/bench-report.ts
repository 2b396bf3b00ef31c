/**
 * What every `npm run bench:*` script needs to publish its figures: its own section of
 * docs/benchmarks.md rewritten in place, and a description of the machine it ran on.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { resolve } from 'node:path';

export const BENCHMARKS_DOC = resolve(__dirname, '../docs/benchmarks.md');

const NEW_DOC = '# Benchmarks\n\nEach section is written by its `npm run bench:*` script; re-run the script to refresh it.\n';

/**
 * Replaces the section that starts with the same `## ` heading as `section` (up to the next
 * `## ` heading), or appends it; the other sections are left as they are, one blank line apart.
 * Returns the path written.
 */
export function writeBenchmarkSection(section: string, path: string = BENCHMARKS_DOC): string {
  const heading = section.split('\n', 1)[0];
  if (!/^## \S/.test(heading)) throw new Error(`a benchmark section starts with a "## " heading, got ${JSON.stringify(heading)}`);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : NEW_DOC;
  const lines = current.split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  const body = section.trimEnd();
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${body}\n`;
  } else {
    const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
    const before = lines.slice(0, start).join('\n').trimEnd();
    const after = end < 0 ? '' : lines.slice(end).join('\n').trimEnd();
    next = `${before ? `${before}\n\n` : ''}${body}\n${after ? `\n${after}\n` : ''}`;
  }
  writeFileSync(path, next);
  return path;
}

export interface MachineInfo {
  /** Cores this process may use (`nproc`). */
  cpus: number;
  model: string;
  memoryGiB: number;
  node: string;
  os: string;
}

export function machineInfo(): MachineInfo {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model.trim() ?? 'unknown';
  return {
    cpus: os.availableParallelism(),
    model,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** One-minute load average, as `uptime` prints it. */
export function loadAverage(): string {
  return os.loadavg()[0].toFixed(2);
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
