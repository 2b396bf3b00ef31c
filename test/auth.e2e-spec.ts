import { createHmac } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { createUser, expectErrorShape, login, loginAdmin, startTestApp, TEST_ADMIN_PASSWORD, TEST_JWT_SECRET, TestApp } from './support/test-app';
import { uniqueName } from './support/test-database';

function base64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

describe('authentication and roles', () => {
  let testApp: TestApp;
  let adminToken: string;
  let adminId: number;

  beforeAll(async () => {
    testApp = await startTestApp();
    adminToken = await loginAdmin(testApp);
    adminId = (await testApp.http().get('/api/auth/me').set('Authorization', `Bearer ${adminToken}`).expect(200)).body.id;
  });

  afterAll(() => testApp?.close());

  it('logs in with the right password: a JWT with its lifetime and the user', async () => {
    const response = await testApp.http().post('/api/auth/login').send({ username: 'ADMIN', password: TEST_ADMIN_PASSWORD }).expect(200);
    expect(response.body).toEqual({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      expiresIn: 3600,
      user: expect.objectContaining({ username: 'admin', role: 'admin' }),
    });
    expect(response.body.user).not.toHaveProperty('passwordHash');
    const claims = JSON.parse(Buffer.from(response.body.accessToken.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('rejects a wrong password and an unknown user alike (401 INVALID_CREDENTIALS)', async () => {
    const wrong = await testApp.http().post('/api/auth/login').send({ username: 'admin', password: 'not-the-password' }).expect(401);
    expectErrorShape(wrong.body, 401, 'INVALID_CREDENTIALS');
    const unknown = await testApp.http().post('/api/auth/login').send({ username: uniqueName('nobody'), password: 'whatever-123' }).expect(401);
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('validates the login body', async () => {
    const response = await testApp.http().post('/api/auth/login').send({ username: 'admin' }).expect(400);
    expectErrorShape(response.body, 400, 'VALIDATION_FAILED');
    expect(response.body.details).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('GET /api/auth/me returns the token owner; without a token it is 401', async () => {
    const me = await testApp.http().get('/api/auth/me').set('Authorization', `Bearer ${adminToken}`).expect(200);
    expect(me.body).toMatchObject({ id: adminId, username: 'admin', role: 'admin' });
    expectErrorShape((await testApp.http().get('/api/auth/me').expect(401)).body, 401, 'UNAUTHORIZED');
  });

  it('rejects an expired token (401 TOKEN_EXPIRED)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new JwtService({ secret: TEST_JWT_SECRET }).signAsync({ sub: adminId, username: 'admin', role: 'admin', iat: now - 7200, exp: now - 60 });
    const response = await testApp.http().get('/api/auth/me').set('Authorization', `Bearer ${expired}`).expect(401);
    expectErrorShape(response.body, 401, 'TOKEN_EXPIRED');
  });

  it('rejects forged tokens: another key, alg none, a tampered payload, another algorithm, garbage', async () => {
    const payload = { sub: adminId, username: 'admin', role: 'admin', exp: Math.floor(Date.now() / 1000) + 600 };
    const otherKey = await new JwtService({ secret: 'another-secret-another-secret-another-secret' }).signAsync(payload);
    const algNone = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
    const [header, , signature] = adminToken.split('.');
    const tamperedPayload = `${header}.${base64url({ ...payload, role: 'admin', sub: adminId + 1000 })}.${signature}`;
    const hs512 = (() => {
      const head = base64url({ alg: 'HS512', typ: 'JWT' });
      const body = base64url(payload);
      return `${head}.${body}.${createHmac('sha512', TEST_JWT_SECRET).update(`${head}.${body}`).digest('base64url')}`;
    })();
    for (const token of [otherKey, algNone, tamperedPayload, hs512, 'not-a-jwt']) {
      const response = await testApp.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
      expectErrorShape(response.body, 401, 'INVALID_TOKEN');
    }
  });

  it('denies a role: an operator may read the directory but not the user list, nor create a user (403)', async () => {
    const operator = await createUser(testApp, adminToken, { username: uniqueName('op'), role: 'operator' });
    await testApp.http().get('/api/users/directory').set('Authorization', `Bearer ${operator.token}`).expect(200);
    await testApp.http().get('/api/users').set('Authorization', `Bearer ${operator.token}`).expect(403);
    const denied = await testApp
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${operator.token}`)
      .send({ username: uniqueName('x'), email: `${uniqueName('x')}@example.com`, password: 'password-1234' })
      .expect(403);
    expectErrorShape(denied.body, 403, 'FORBIDDEN');
  });

  it('takes the role from the database: a demoted or deleted user loses access at once', async () => {
    const supervisor = await createUser(testApp, adminToken, { username: uniqueName('sup'), role: 'supervisor' });
    const company = { name: uniqueName('Demoted Co') };
    await testApp.http().post('/api/companies').set('Authorization', `Bearer ${supervisor.token}`).send(company).expect(201);
    await testApp.http().patch(`/api/users/${supervisor.id}`).set('Authorization', `Bearer ${adminToken}`).send({ role: 'operator' }).expect(200);
    await testApp.http().post('/api/companies').set('Authorization', `Bearer ${supervisor.token}`).send({ name: uniqueName('Other') }).expect(403);
    await testApp.http().delete(`/api/users/${supervisor.id}`).set('Authorization', `Bearer ${adminToken}`).expect(204);
    expectErrorShape((await testApp.http().get('/api/auth/me').set('Authorization', `Bearer ${supervisor.token}`).expect(401)).body, 401, 'INVALID_TOKEN');
  });

  it('records logins and failures in the audit log', async () => {
    const username = uniqueName('audited');
    const user = await createUser(testApp, adminToken, { username });
    await testApp.http().post('/api/auth/login').send({ username, password: 'wrong-password' }).expect(401);
    const rows = await testApp.app.get(DataSource).query(
      `SELECT action, user_id FROM audit_log WHERE target = $1 ORDER BY id`,
      [`user:${user.id}`],
    );
    expect(rows.map((row: { action: string }) => row.action)).toEqual(['user.create', 'auth.login', 'auth.login_failed']);
  });
});

describe('login rate limit', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ LOGIN_RATE_LIMIT: '3' });
  });

  afterAll(() => testApp?.close());

  it('answers 429 with Retry-After after LOGIN_RATE_LIMIT attempts per IP and username, other usernames unaffected', async () => {
    const username = uniqueName('target');
    for (let attempt = 0; attempt < 3; attempt++) {
      await testApp.http().post('/api/auth/login').send({ username, password: 'guess-123' }).expect(401);
    }
    const limited = await testApp.http().post('/api/auth/login').send({ username, password: 'guess-123' }).expect(429);
    expectErrorShape(limited.body, 429, 'TOO_MANY_REQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await login(testApp, 'admin', TEST_ADMIN_PASSWORD);
  });
});
