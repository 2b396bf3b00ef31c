import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The house rules for imports, checked on every file (a lint rule that cannot be switched off):
 * - a bounded context of the server (a folder under apps/server/src) is entered through its
 *   public index only; `common` and `config` are the shared kernel and may be imported by path;
 *   entity files may name each other (the schema is one graph) and database/entities.ts lists them;
 * - specs may use another context's test kit (its `testing/` folder);
 * - libs/ami is imported as `@app/ami` (and its test kit `@app/ami/testing` from test code:
 *   specs, tests, benchmarks, `testing/` folders and pbx-sim's capture-fidelity harness), never
 *   by a deep path.
 */
const ROOT = resolve(__dirname, '../../..');
const SERVER = resolve(ROOT, 'apps/server/src');
const SHARED_KERNEL = new Set(['common', 'config']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]);
}

/** `calls` for apps/server/src/calls/history/x.ts. */
function contextOf(path: string): string | null {
  const rel = relative(SERVER, path);
  if (rel.startsWith('..')) return null;
  const [first, ...rest] = rel.split(sep);
  return rest.length > 0 ? first : null;
}

function isSpec(path: string): boolean {
  return /\.(spec|e2e-spec)\.ts$/.test(path);
}

function isEntity(path: string): boolean {
  return /[/\\]entities[/\\][^/\\]+\.entity(\.ts)?$/.test(path);
}

export function boundaryViolations(): string[] {
  const problems: string[] = [];
  for (const file of tsFiles(SERVER)) {
    const from = contextOf(file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const to = contextOf(target) ?? (relative(SERVER, target).split(sep).length === 1 && !relative(SERVER, target).startsWith('..') ? relative(SERVER, target) : null);
      if (!to || to === from || SHARED_KERNEL.has(to)) continue;
      const entry = relative(join(SERVER, to), target);
      if (entry === '' || entry === 'index') continue;
      if (isEntity(target) && (isEntity(file) || relative(SERVER, file) === join('database', 'entities.ts'))) continue;
      if (isSpec(file) && entry.split(sep)[0] === 'testing') continue;
      problems.push(`${relative(ROOT, file)} imports ${spec}: enter ${to}/ through its index`);
    }
  }
  const everything = ['apps', 'libs', 'test', 'bench'].flatMap((dir) => tsFiles(resolve(ROOT, dir)));
  for (const file of everything) {
    if (relative(ROOT, file).startsWith(join('libs', 'ami'))) continue;
    const testCode = isSpec(file) || /^(test|bench)[/\\]/.test(relative(ROOT, file)) || /[/\\](testing|fidelity)[/\\]/.test(file);
    for (const spec of importsOf(file)) {
      const deep = spec.startsWith('@app/ami/') || /libs\/ami\/src\//.test(spec);
      if (!deep) continue;
      if (spec === '@app/ami/testing' && testCode) continue;
      problems.push(`${relative(ROOT, file)} imports ${spec}: use @app/ami${testCode ? ' or @app/ami/testing' : ''}`);
    }
  }
  return problems;
}

describe('module boundaries', () => {
  it('enters every server context through its index and libs/ami through @app/ami', () => {
    expect(boundaryViolations()).toEqual([]);
  });
});
