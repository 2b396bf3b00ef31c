import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_VERSION } from '../apps/server/src/common/app-version';
import { WEB_DIST_DIR } from '../apps/server/src/web/web-build';
import { PROJECT_ROOT } from './support/server-process';
import { startTestApp, type TestApp } from './support/test-app';

/** The web UI (built by the global setup) served at / next to the API, which keeps every path of its own. */
describe('web UI served by the server', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ TEST_MODE: 'true' });
  });

  afterAll(() => app?.close());

  const isIndexHtml = (response: { status: number; headers: Record<string, string>; text: string }) =>
    response.status === 200 && response.headers['content-type'].startsWith('text/html') && response.text.includes('<div id="root"></div>');

  it('serves the app at / and its client routes (reload on /calls/42 works), revalidating index.html', async () => {
    for (const path of ['/', '/login', '/calls', '/calls/42?from=x', '/admin/users', '/stats']) {
      const response = await app.http().get(path);
      expect({ path, index: isIndexHtml(response) }).toEqual({ path, index: true });
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves the hashed assets as immutable, under the same Content-Security-Policy as the API', async () => {
    const script = readdirSync(join(PROJECT_ROOT, WEB_DIST_DIR, 'assets')).find((name) => /^index-.*\.js$/.test(name))!;
    const response = await app.http().get(`/assets/${script}`).expect(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('never answers the API, Socket.IO or metrics paths with the app', async () => {
    const api = await app.http().get('/api/no-such-route').expect(404);
    expect(api.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
    expect((await app.http().get('/api').expect(404)).body).toMatchObject({ error: 'NOT_FOUND' });
    for (const path of ['/socket.io/?EIO=4&transport=polling', '/metrics', '/api/docs-json/nope']) {
      const response = await app.http().get(path);
      expect({ path, index: isIndexHtml(response) }).toEqual({ path, index: false });
    }
    expect((await app.http().get('/api/docs-json').expect(200)).body.paths['/api/meta']).toBeDefined();
  });

  it('GET /api/meta tells the login page about TEST_MODE, without a token; no demo logins outside demo mode', async () => {
    expect((await app.http().get('/api/meta').expect(200)).body).toEqual({ version: APP_VERSION, role: 'all', testMode: true, demo: null });
    expect(APP_VERSION).toBe(JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version);
  });
});
