import { DataSource } from 'typeorm';
import { expectErrorShape, loginAdmin, startTestApp, TestApp } from './support/test-app';

describe('HTTP surface: errors, security headers, health, API docs', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ TEST_MODE: 'true' });
  });

  afterAll(() => testApp?.close());

  it('GET /api/health (liveness) is public and reports the mode; GET /api/ready is public and reports the database', async () => {
    const health = await testApp.http().get('/api/health').expect(200);
    expect(health.body).toEqual({ status: 'ok', mode: { testMode: true, role: 'all' }, uptimeSeconds: expect.any(Number) });
    const ready = await testApp.http().get('/api/ready').expect(200);
    const redis = testApp.config.REDIS_URL ? { redis: expect.objectContaining({ status: 'up' }) } : {};
    expect(ready.body).toEqual({
      status: 'ok',
      checks: { database: expect.objectContaining({ status: 'up' }), ...redis, writeQueue: expect.objectContaining({ status: 'up' }) },
      mode: { testMode: true, role: 'all' },
    });
  });

  it('answers unknown routes, bad JSON and bad ids with the error shape and no internals', async () => {
    expectErrorShape((await testApp.http().get('/api/no-such-thing').expect(404)).body, 404, 'NOT_FOUND');
    const badJson = await testApp.http().post('/api/auth/login').set('Content-Type', 'application/json').send('{"username": ').expect(400);
    expectErrorShape(badJson.body, 400, 'BAD_REQUEST');
    const token = await loginAdmin(testApp);
    const badId = await testApp.http().get('/api/companies/99999999999999999999').set('Authorization', `Bearer ${token}`).expect(400);
    expectErrorShape(badId.body, 400, 'VALIDATION_FAILED');
    expect(badId.body.path).toBe('/api/companies/99999999999999999999');
  });

  it('sends security headers (helmet)', async () => {
    const response = await testApp.http().get('/api/health').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('serves Swagger UI at /api/docs and documents every route with bearer auth and the error schema', async () => {
    expect((await testApp.http().get('/api/docs').expect(200)).text).toContain('swagger');
    const document = (await testApp.http().get('/api/docs-json').expect(200)).body;
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.schemas.ErrorResponseDto.required).toEqual(expect.arrayContaining(['statusCode', 'error', 'message', 'path', 'timestamp']));

    const routes = routesOf(testApp);
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.sort()).toEqual(expect.arrayContaining(routes));
    for (const route of ['POST /api/auth/login', 'GET /api/auth/me', 'POST /api/users', 'GET /api/companies/lookup', 'POST /api/companies/import', 'GET /api/health', 'GET /api/ready']) {
      expect(routes).toContain(route);
    }

    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, OpenApiOperation>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect({ name, summary: operation.summary }).toEqual({ name, summary: expect.any(String) });
        for (const [status, response] of Object.entries(operation.responses)) {
          // Any media type: a CSV download documents its errors under text/csv.
          const schemas = Object.values(response.content ?? {}).map((media) => media.schema);
          const documentsError = schemas.some((schema) => JSON.stringify(schema) === '{"$ref":"#/components/schemas/ErrorResponseDto"}');
          if (Number(status) >= 400) expect({ name, status, documentsError }).toEqual({ name, status, documentsError: true });
        }
      }
    }
    const createUser = document.paths['/api/users'].post as OpenApiOperation;
    expect(Object.keys(createUser.responses).sort()).toEqual(['201', '400', '401', '403', '409']);
    expect(createUser.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(document.paths['/api/auth/login'].post.responses).sort()).toEqual(['200', '400', '401', '429', '503']);
  });

  it('is not ready (503 NOT_READY) but alive when the database is unreachable', async () => {
    const broken = await startTestApp();
    try {
      await broken.app.get(DataSource).destroy();
      const response = await broken.http().get('/api/ready').expect(503);
      expectErrorShape(response.body, 503, 'NOT_READY');
      expect(response.body.message).toMatch(/^Not ready: database \(down: /);
      expect(response.body.details).toMatchObject({ status: 'error', checks: { database: { status: 'down' } }, mode: { testMode: false } });
      await broken.http().get('/api/health').expect(200);
    } finally {
      await broken.close();
    }
  });
});

interface OpenApiOperation {
  summary?: string;
  security?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** "METHOD /path" of every route Express has, from Nest's router. */
function routesOf(testApp: TestApp): string[] {
  const express = testApp.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  return express.router.stack
    .filter((layer) => layer.route && layer.route.path.startsWith('/api/') && !layer.route.path.startsWith('/api/docs'))
    .flatMap((layer) => Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`));
}
