import { DataSource } from 'typeorm';
import { AuditService } from '../apps/server/src/audit';
import { createHttpApp } from '../apps/server/src/http-app';
import { expectErrorShape, loginAdmin, startTestApp, testConfig, TestApp } from './support/test-app';
import { uniqueName } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';

/**
 * The inputs of the security probe (issue 14) that answered 500 or did something else than
 * refuse: each must now be a 4xx in the error contract, with nothing written.
 */
describe('hostile input is refused', () => {
  let testApp: TestApp;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    testApp = await startTestApp({ DEFAULT_PHONE_REGION: 'RU' });
    token = await loginAdmin(testApp);
  });

  afterAll(() => testApp?.close());

  const companyCount = async () => Number((await testApp.app.get(DataSource).query(`SELECT count(*) AS n FROM companies`))[0].n);

  describe('NUL bytes and lone surrogates, in any text field or query', () => {
    it.each([
      ['a NUL in a query', () => testApp.http().get('/api/users').query({ q: 'ab\u0000c' }).set(auth())],
      ['a NUL in a companies query', () => testApp.http().get('/api/companies?q=%00').set(auth())],
      ['a NUL in a company name', () => testApp.http().post('/api/companies').set(auth()).send({ name: 'Nul\u0000Co' })],
      ['a NUL in notes', () => testApp.http().post('/api/companies').set(auth()).send({ name: uniqueName('n'), notes: 'x\u0000' })],
      ['a NUL in the login username', () => testApp.http().post('/api/auth/login').send({ username: 'ad\u0000min', password: 'whatever-123' })],
      ['a NUL in a user first name', () => testApp.http().post('/api/users').set(auth()).send({ username: uniqueName('u'), email: `${uniqueName('u')}@x.com`, password: 'password-1234', firstName: 'a\u0000' })],
      ['a NUL in a key', () => testApp.http().post('/api/companies').set(auth()).send({ name: uniqueName('k'), ['no\u0000tes']: 'x' })],
      ['a lone surrogate in an email', () => testApp.http().post('/api/users').set(auth()).set('Content-Type', 'application/json').send(`{"username":"${uniqueName('s')}","email":"a\\ud800@example.com","password":"password-1234"}`)],
      ['a lone low surrogate in a name', () => testApp.http().post('/api/companies').set(auth()).set('Content-Type', 'application/json').send('{"name":"x\\udc00y"}')],
      ['a NUL in a path parameter', () => testApp.http().get('/api/companies/1%00').set(auth())],
      ['a lone surrogate in the login password', () => testApp.http().post('/api/auth/login').set('Content-Type', 'application/json').send('{"username":"admin","password":"\\ud83d"}')],
    ])('%s: 400', async (_name, send) => {
      const before = await companyCount();
      const response = await send();
      expect(response.status).toBe(400);
      expectErrorShape(response.body, 400, 'VALIDATION_FAILED');
      expect(await companyCount()).toBe(before);
    });

    it('a well-formed pair (an emoji) and Cyrillic still pass', async () => {
      const name = uniqueName('Ромашка 😀');
      const created = await testApp.http().post('/api/companies').set(auth()).send({ name }).expect(201);
      expect(created.body.name).toBe(name);
    });
  });

  describe('deeply nested JSON', () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

    it.each([
      ['without a token', () => testApp.http().post('/api/companies').set('Content-Type', 'application/json').send(`{"name":${deep(5000)}}`)],
      ['on the public login', () => testApp.http().post('/api/auth/login').set('Content-Type', 'application/json').send(deepObject(5000))],
      ['with a token', () => testApp.http().post('/api/companies').set(auth()).set('Content-Type', 'application/json').send(`{"name":"x","phones":${deep(3000)}}`)],
    ])('%s: 400 NESTING_TOO_DEEP', async (_name, send) => {
      const response = await send();
      expect(response.status).toBe(400);
      expectErrorShape(response.body, 400, 'NESTING_TOO_DEEP');
    });

    it('a modest nesting in a string is only text', async () => {
      await testApp.http().post('/api/companies').set(auth()).send({ name: uniqueName(`[[[[{{{{`) }).expect(201);
    });
  });

  describe('nested arrays where a list of values is expected', () => {
    it.each([
      ['company phones', () => testApp.http().post('/api/companies').set(auth()).send({ name: uniqueName('p'), phones: [['+74951234567']] })],
      ['user phones', () => testApp.http().post('/api/users').set(auth()).send({ username: uniqueName('p'), email: `${uniqueName('p')}@x.com`, password: 'password-1234', phones: [[{ phoneNumber: '1001', phoneType: 'extension' }]] })],
      ['user phones of strings', () => testApp.http().post('/api/users').set(auth()).send({ username: uniqueName('p'), email: `${uniqueName('p')}@x.com`, password: 'password-1234', phones: ['1001'] })],
    ])('%s: 400', async (_name, send) => {
      const response = await send();
      expect(response.status).toBe(400);
      expectErrorShape(response.body, 400, 'VALIDATION_FAILED');
    });
  });

  describe('keyset cursors that JavaScript reads but PostgreSQL does not', () => {
    const cursor = (position: object) => Buffer.from(JSON.stringify(position)).toString('base64url');
    it.each(['2026-02-30', '1', '2026-02-30T10:00:00Z', '99999-01-01', 'Tue, 1 Dec 2026 10:00:00 GMT', '2026-11-26 12:37:15.262+00 BC'])(
      'calls cursor at %j: 400',
      async (v) => {
        const response = await testApp.http().get('/api/calls').query({ cursor: cursor({ s: 'startedAt:desc', v, id: 1 }) }).set(auth());
        expect(response.status).toBe(400);
        expectErrorShape(response.body, 400, 'INVALID_CURSOR');
      },
    );

    it.each(['2026-02-30', '1', '2026-13-01T00:00:00Z'])('recordings cursor at %j: 400', async (at) => {
      const response = await testApp.http().get('/api/recordings').query({ cursor: cursor({ at, id: 1 }) }).set(auth());
      expect(response.status).toBe(400);
      expect(response.body.statusCode).toBe(400);
    });

    it('a cursor the server issued still works', async () => {
      const page = await testApp.http().get('/api/calls').query({ cursor: cursor({ s: 'startedAt:desc', v: '2026-11-26 12:37:15.262+00', id: 5 }) }).set(auth());
      expect(page.status).toBe(200);
    });
  });

  describe('time zones', () => {
    it.each(['US/Pacific-New', 'Asia/Hanoi', 'Europe/Nowhere'])('tz=%s (unknown to PostgreSQL): 400', async (tz) => {
      const response = await testApp.http().get('/api/stats').query({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', tz }).set(auth());
      expect(response.status).toBe(400);
      expectErrorShape(response.body, 400, 'VALIDATION_FAILED');
    });

    it('TIME_ZONE=US/Pacific-New (the default of tz) stops the start, saying why', async () => {
      const app = await createHttpApp(testConfig({ TIME_ZONE: 'US/Pacific-New' }));
      try {
        await expect(app.init()).rejects.toThrow(/TIME_ZONE=US\/Pacific-New is not a time zone this PostgreSQL knows/);
      } finally {
        // What did start (database, listeners) is stopped, as main.ts's process exit would.
        await app.close();
      }
    });

    it.each(['Europe/Moscow', 'America/Los_Angeles', 'UTC'])('tz=%s: 200', async (tz) => {
      await testApp.http().get('/api/stats').query({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', tz }).set(auth()).expect(200);
    });
  });

  describe('ids are parsed strictly', () => {
    let companyId: number;
    beforeAll(async () => {
      companyId = (await testApp.http().post('/api/companies').set(auth()).send({ name: uniqueName('Sixteen') }).expect(201)).body.id;
    });

    it.each(['0x{id}', '000{id}', '+{id}', '{id}.0', '{id}e0', ' {id}', '0', '-1', '2147483648', '99999999999999999999'])('GET /api/companies/%s: 400', async (pattern) => {
      const response = await testApp.http().get(`/api/companies/${encodeURIComponent(pattern.replace('{id}', String(companyId)))}`).set(auth());
      expect(response.status).toBe(400);
      expectErrorShape(response.body, 400, 'VALIDATION_FAILED');
    });

    it('DELETE /api/companies/0x.. deletes nothing', async () => {
      await testApp.http().delete(`/api/companies/0x${companyId.toString(16)}`).set(auth()).expect(400);
      await testApp.http().get(`/api/companies/${companyId}`).set(auth()).expect(200);
    });

    it.each(['/api/users/0x1', '/api/users/+1', '/api/calls/1.0', '/api/recordings/01', '/api/recordings/0x1/url'])('%s: 400', async (path) => {
      expect((await testApp.http().get(path).set(auth())).status).toBe(400);
    });

    it.each(['0x3', '3.0', '+3', '003', '2147483648', '1e3'])('an id in a query (userId=%s): 400 JSON, also on export.csv', async (userId) => {
      for (const path of ['/api/calls', '/api/calls/export.csv', '/api/recordings', '/api/stats']) {
        const response = await testApp.http().get(path).query({ userId, from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }).set(auth());
        expect({ path, status: response.status, type: response.type }).toEqual({ path, status: 400, type: 'application/json' });
        expectErrorShape(response.body, 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('bodies that are not JSON', () => {
    let userId: number;
    beforeAll(async () => {
      userId = (await testApp.http().get('/api/auth/me').set(auth()).expect(200)).body.id;
    });

    it.each([
      ['XML', 'application/xml', '<user><firstName>X</firstName></user>'],
      ['a form', 'application/x-www-form-urlencoded', 'firstName=X'],
      ['plain text', 'text/plain', 'firstName=X'],
      ['no type', '', '{"firstName":"X"}'],
    ])('PATCH with %s: 415', async (_name, type, body) => {
      const request = testApp.http().patch(`/api/users/${userId}`).set(auth());
      const response = await (type ? request.set('Content-Type', type) : request.unset('Content-Type')).send(body);
      expect(response.status).toBe(415);
      expectErrorShape(response.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('POST of a form to create a company: 415, nothing created', async () => {
      const before = await companyCount();
      const response = await testApp.http().post('/api/companies').set(auth()).type('form').send({ name: uniqueName('form') });
      expect(response.status).toBe(415);
      expect(await companyCount()).toBe(before);
    });

    it('JSON with a charset and an empty DELETE still pass', async () => {
      const id = (await testApp.http().post('/api/companies').set(auth()).set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify({ name: uniqueName('cs') })).expect(201)).body.id;
      await testApp.http().delete(`/api/companies/${id}`).set(auth()).expect(204);
    });
  });

  describe('the audit log', () => {
    it('keeps an entry whose details hold a NUL or a lone surrogate', async () => {
      const target = uniqueName('audit-target');
      await testApp.app.get(AuditService).record({ userId: null, ip: 'not-an-ip' }, { action: 'test.hostile', target, details: { text: 'a\u0000b\ud800c', [`k\udc00`]: ['\u0000'] } });
      const rows = await testApp.app.get(DataSource).query(`SELECT details FROM audit_log WHERE target = $1`, [target]);
      expect(rows).toEqual([{ details: { text: 'a\ufffdb\ufffdc', 'k\ufffd': ['\ufffd'] } }]);
    });
  });
});

describe('database outage', () => {
  let proxy: TcpProxy;
  let testApp: TestApp;
  let token: string;

  beforeAll(async () => {
    proxy = await new TcpProxy(process.env.DB_HOST!, Number(process.env.DB_PORT)).start();
    testApp = await startTestApp({ DB_HOST: '127.0.0.1', DB_PORT: String(proxy.port) });
    token = await loginAdmin(testApp);
  });

  afterAll(async () => {
    await proxy?.restore();
    await testApp?.close();
    await proxy?.stop();
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while PostgreSQL is unreachable, and 200 again once it is back', async () => {
    await testApp.http().get('/api/calls').set('Authorization', `Bearer ${token}`).expect(200);
    await proxy.cut();
    for (const path of ['/api/calls', '/api/companies', '/api/users', '/api/auth/me']) {
      const response = await testApp.http().get(path).set('Authorization', `Bearer ${token}`);
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      expectErrorShape(response.body, 503, 'DATABASE_UNAVAILABLE');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }
    await proxy.restore();
    await testApp.http().get('/api/calls').set('Authorization', `Bearer ${token}`).expect(200);
  });
});
