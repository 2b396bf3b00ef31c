import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureWebBuild, webBuildState, webSourceHash } from './web-build';

const PROJECT_ROOT = resolve(__dirname, '..', '..', '..', '..');

describe('web build (apps/web -> dist/web, built when missing or outdated)', () => {
  let root: string;
  const logs: string[] = [];
  const logger = { log: (m: string) => logs.push(`log ${m}`), warn: (m: string) => logs.push(`warn ${m}`) };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'crm-web-build-'));
    logs.length = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A minimal web app: an index.html and one module. */
  function writeSources(text = 'hello'): void {
    mkdirSync(join(root, 'apps/web/src'), { recursive: true });
    writeFileSync(join(root, 'apps/web/index.html'), '<!doctype html><html><body><script type="module" src="/src/main.ts"></script></body></html>');
    writeFileSync(join(root, 'apps/web/src/main.ts'), `document.body.append(${JSON.stringify(text)});\n`);
  }

  it('has nothing to build without sources, and says so only when nothing can be served', async () => {
    expect(webBuildState(root)).toEqual({ kind: 'no-sources' });
    await expect(ensureWebBuild(root, logger)).resolves.toBe('no-sources');
    expect(logs).toEqual([expect.stringMatching(/^warn Web UI: neither dist\/web nor the sources in apps\/web exist; serving the API only/)]);
  });

  it('tells missing, fresh and stale apart by a hash of the sources', () => {
    writeSources();
    const hash = webSourceHash(root);
    expect(webBuildState(root)).toEqual({ kind: 'missing', sourceHash: hash });
    mkdirSync(join(root, 'dist/web'), { recursive: true });
    writeFileSync(join(root, 'dist/web/index.html'), 'built');
    expect(webBuildState(root)).toEqual({ kind: 'stale', sourceHash: hash });
    writeFileSync(join(root, 'dist/web/.source-hash'), `${hash}\n`);
    expect(webBuildState(root)).toEqual({ kind: 'fresh' });
    writeSources('changed');
    expect(webBuildState(root)).toEqual({ kind: 'stale', sourceHash: webSourceHash(root) });
    expect(webSourceHash(root)).not.toBe(hash);
  });

  it('ignores build output and installed packages inside apps/web when hashing', () => {
    writeSources();
    const hash = webSourceHash(root);
    mkdirSync(join(root, 'apps/web/node_modules/x'), { recursive: true });
    writeFileSync(join(root, 'apps/web/node_modules/x/index.js'), '1');
    mkdirSync(join(root, 'apps/web/dist'), { recursive: true });
    writeFileSync(join(root, 'apps/web/dist/index.html'), '2');
    expect(webSourceHash(root)).toBe(hash);
  });

  it('keeps the server starting when vite is not installed, with the way out in the log', async () => {
    writeSources();
    await expect(ensureWebBuild(root, logger)).resolves.toBe('failed');
    expect(logs[0]).toMatch(/^log Web UI: building apps\/web into dist\/web \(first start: no build yet\)/);
    expect(logs[1]).toMatch(/^warn Web UI: the build failed, serving the API only; run `npm run build:web` to retry\. vite is not installed/);
    expect(existsSync(join(root, 'dist/web'))).toBe(false);
  });

  it('builds with vite into dist/web in one swap, then finds it fresh', async () => {
    writeSources();
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    await expect(ensureWebBuild(root, logger)).resolves.toBe('built');
    expect(logs[1]).toMatch(/^log Web UI: built in \d+\.\d s$/);
    expect(readFileSync(join(root, 'dist/web/index.html'), 'utf8')).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(['web']);
    await expect(ensureWebBuild(root, logger)).resolves.toBe('fresh');
    expect(logs).toHaveLength(2);
  }, 60_000);
});
