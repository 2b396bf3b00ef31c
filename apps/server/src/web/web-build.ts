import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Where the web UI's sources and its build live, relative to the project root (the working directory of npm scripts). */
export const WEB_SOURCE_DIR = 'apps/web';
export const WEB_DIST_DIR = 'dist/web';
/** Hash of the sources a build was made from; a dotfile, so the static server never serves it. */
const BUILD_HASH_FILE = '.source-hash';
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);

export type WebBuildState =
  | { kind: 'fresh' }
  | { kind: 'missing' | 'stale'; sourceHash: string }
  /** No sources to build from (a deployment that ships only dist/): whatever dist/web holds is served as it is. */
  | { kind: 'no-sources' };

export interface WebBuildLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** A hash of every file under apps/web (paths and contents), so any edit, checkout or pull makes the build stale. */
export function webSourceHash(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (entry.isFile()) {
        hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
      }
    }
  };
  walk(join(root, WEB_SOURCE_DIR));
  return hash.digest('hex');
}

export function webBuildState(root: string): WebBuildState {
  if (!existsSync(join(root, WEB_SOURCE_DIR, 'index.html'))) return { kind: 'no-sources' };
  const sourceHash = webSourceHash(root);
  const dist = join(root, WEB_DIST_DIR);
  if (!existsSync(join(dist, 'index.html'))) return { kind: 'missing', sourceHash };
  const builtFrom = existsSync(join(dist, BUILD_HASH_FILE)) ? readFileSync(join(dist, BUILD_HASH_FILE), 'utf8').trim() : '';
  return builtFrom === sourceHash ? { kind: 'fresh' } : { kind: 'stale', sourceHash };
}

/** Vite's command-line entry in this checkout, or null when dev dependencies were not installed. */
function viteBin(root: string): string | null {
  const bin = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  return existsSync(bin) ? bin : null;
}

/**
 * Builds apps/web into dist/web with Vite in a child process. The output goes to a temporary
 * folder first and replaces dist/web only when complete, so a server never serves half a build
 * (and an interrupted build leaves the previous one in place).
 */
export async function buildWeb(root: string, sourceHash = webSourceHash(root)): Promise<void> {
  const bin = viteBin(root);
  if (!bin) throw new Error('vite is not installed: run `npm ci` (the web UI is built with the dev dependencies)');
  const dist = join(root, WEB_DIST_DIR);
  const temporary = `${dist}.tmp-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  try {
    await runVite(root, bin, ['build', WEB_SOURCE_DIR, '--outDir', temporary, '--emptyOutDir', '--logLevel', 'warn']);
    await writeFile(join(temporary, BUILD_HASH_FILE), `${sourceHash}\n`);
    await rm(dist, { recursive: true, force: true });
    // Another process may have built the same sources meanwhile (servers started together): its build is as good.
    await rename(temporary, dist).catch((error: unknown) => {
      if (!existsSync(join(dist, 'index.html'))) throw error;
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

function runVite(root: string, bin: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`vite build failed (${signal ?? `exit ${code}`}):\n${output.trim()}`)),
    );
  });
}

/**
 * Makes sure dist/web holds a build of the current apps/web sources: builds it the first time
 * (and after the sources changed), says so in the log, and never stops the server over it: on
 * failure the API still starts and the log says how to build the UI by hand.
 */
export async function ensureWebBuild(root: string, logger: WebBuildLogger): Promise<'fresh' | 'built' | 'failed' | 'no-sources'> {
  const state = webBuildState(root);
  if (state.kind === 'fresh') return 'fresh';
  if (state.kind === 'no-sources') {
    if (!existsSync(join(root, WEB_DIST_DIR, 'index.html'))) {
      logger.warn(`Web UI: neither ${WEB_DIST_DIR} nor the sources in ${WEB_SOURCE_DIR} exist; serving the API only`);
    }
    return 'no-sources';
  }
  const why = state.kind === 'missing' ? 'first start: no build yet' : 'its sources changed since the last build';
  logger.log(`Web UI: building ${WEB_SOURCE_DIR} into ${WEB_DIST_DIR} (${why}); this takes a few seconds, once`);
  const started = Date.now();
  try {
    await buildWeb(root, state.sourceHash);
  } catch (error) {
    const kept = state.kind === 'stale' ? `the previous build in ${WEB_DIST_DIR} is served` : 'serving the API only';
    logger.warn(`Web UI: the build failed, ${kept}; run \`npm run build:web\` to retry. ${(error as Error).message}`);
    return 'failed';
  }
  logger.log(`Web UI: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}
