import { SignedUrls } from '../apps/server/src/auth';
import { PasswordHasher } from '../apps/server/src/users';
import { RealtimeClient } from './support/realtime-client';
import { listen } from './support/realtime-e2e';
import { createUser, expectErrorShape, login, loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { uniqueName } from './support/test-database';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('sessions end: password change and logout', () => {
  let testApp: TestApp;
  let adminToken: string;
  let url: string;
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    testApp = await startTestApp();
    adminToken = await loginAdmin(testApp);
    url = await listen(testApp);
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(() => testApp?.close());

  it('a password reset by an admin revokes every token of the user (REST and Socket.IO), the new password logs in', async () => {
    const username = uniqueName('reset');
    const user = await createUser(testApp, adminToken, { username });
    const second = await login(testApp, username, 'password-1234');
    const live = await RealtimeClient.connect(url, user.token, user.id);
    clients.push(live);
    await testApp.http().get('/api/auth/me').set(bearer(user.token)).expect(200);

    await testApp.http().patch(`/api/users/${user.id}`).set(bearer(adminToken)).send({ password: 'a-new-password-5678' }).expect(200);

    for (const token of [user.token, second]) {
      const refused = await testApp.http().get('/api/auth/me').set(bearer(token));
      expect(refused.status).toBe(401);
      expectErrorShape(refused.body, 401, 'TOKEN_REVOKED');
    }
    expect(await live.next('session:ended')).toEqual({ reason: 'sessions_revoked', message: expect.any(String) });
    expect((await RealtimeClient.refusal(url, { token: user.token })).data?.code).toBe('TOKEN_REVOKED');
    await testApp.http().post('/api/auth/login').send({ username, password: 'password-1234' }).expect(401);
    const fresh = await login(testApp, username, 'a-new-password-5678');
    await testApp.http().get('/api/auth/me').set(bearer(fresh)).expect(200);
  });

  it('a signed media URL issued before a logout stops working with it', async () => {
    const user = await createUser(testApp, adminToken, { username: uniqueName('signer') });
    const signer = testApp.app.get(SignedUrls);
    const signature = await signer.sign('recording:7:play', user.id, 600);
    await expect(signer.verify('recording:7:play', signature)).resolves.toMatchObject({ id: user.id });
    await testApp.http().post('/api/auth/logout').set(bearer(user.token)).expect(204);
    await expect(signer.verify('recording:7:play', signature)).rejects.toMatchObject({ code: 'SIGNED_URL_INVALID' });
    const fresh = await signer.sign('recording:7:play', user.id, 600);
    await expect(signer.verify('recording:7:play', fresh)).resolves.toMatchObject({ id: user.id });
  });

  it('changing other fields (a name) keeps the sessions', async () => {
    const user = await createUser(testApp, adminToken, { username: uniqueName('rename') });
    await testApp.http().patch(`/api/users/${user.id}`).set(bearer(adminToken)).send({ firstName: 'Renamed' }).expect(200);
    await testApp.http().get('/api/auth/me').set(bearer(user.token)).expect(200);
  });

  it('POST /api/auth/logout ends every session of the caller (204), and only theirs', async () => {
    const username = uniqueName('logout');
    const user = await createUser(testApp, adminToken, { username });
    const other = await createUser(testApp, adminToken, { username: uniqueName('bystander') });
    const second = await login(testApp, username, 'password-1234');
    await testApp.http().post('/api/auth/logout').set(bearer(user.token)).expect(204);
    for (const token of [user.token, second]) expectErrorShape((await testApp.http().get('/api/calls').set(bearer(token)).expect(401)).body, 401, 'TOKEN_REVOKED');
    await testApp.http().get('/api/auth/me').set(bearer(other.token)).expect(200);
    await testApp.http().post('/api/auth/logout').set(bearer(user.token)).expect(401);
    await testApp.http().post('/api/auth/logout').expect(401);
    const again = await login(testApp, username, 'password-1234');
    await testApp.http().get('/api/auth/me').set(bearer(again)).expect(200);
  });
});

describe('login flood', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ LOGIN_RATE_LIMIT: '3', LOGIN_RATE_LIMIT_PER_IP: '8', PASSWORD_HASH_CONCURRENCY: '1' });
  });

  afterAll(() => testApp?.close());

  it('limits one address across usernames (LOGIN_RATE_LIMIT_PER_IP), then answers 429', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 9; attempt++) {
      statuses.push((await testApp.http().post('/api/auth/login').send({ username: uniqueName('random'), password: 'guess-1234' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 429]);
  });

  it('a forged X-Forwarded-For does not escape the limit when no proxy is trusted', async () => {
    const response = await testApp.http().post('/api/auth/login').set('X-Forwarded-For', '203.0.113.77').send({ username: uniqueName('spoof'), password: 'guess-1234' });
    expect(response.status).toBe(429);
  });
});

describe('login limits behind a trusted proxy (TRUST_PROXY)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ LOGIN_RATE_LIMIT_PER_IP: '3', TRUST_PROXY: 'loopback' });
  });

  afterAll(() => testApp?.close());

  it('counts each client address the balancer forwards, not the balancer\'s own', async () => {
    const attempt = (client: string) => testApp.http().post('/api/auth/login').set('X-Forwarded-For', client).send({ username: uniqueName('lb'), password: 'guess-1234' });
    for (let n = 1; n <= 6; n++) expect((await attempt(`198.51.100.${n}`)).status).toBe(401);
    const statuses = [];
    for (let n = 0; n < 4; n++) statuses.push((await attempt('198.51.100.200')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('password hashing is bounded', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ LOGIN_RATE_LIMIT_PER_IP: '1000', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '4' });
  });

  afterAll(() => testApp?.close());

  it('16 parallel logins never run more than PASSWORD_HASH_CONCURRENCY hashes at once; past the queue they get 503 LOGIN_BUSY, never 500', async () => {
    const hasher = testApp.app.get(PasswordHasher);
    const responses = await Promise.all(
      Array.from({ length: 16 }, () => testApp.http().post('/api/auth/login').send({ username: uniqueName('flood'), password: 'guess-1234' })),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(hasher.load().peakRunning).toBe(1);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((status) => status === 401 || status === 503)).toBe(true);
    const busy = responses.find((response) => response.status === 503);
    if (busy) {
      expectErrorShape(busy.body, 503, 'LOGIN_BUSY');
      expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(hasher.load()).toMatchObject({ running: 0, queued: 0 });
  });
});

describe('what operators see of other users', () => {
  let testApp: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    adminToken = await loginAdmin(testApp);
  });

  afterAll(() => testApp?.close());

  it('an operator gets the directory (names, extensions, presence), not emails, roles, phones or flags', async () => {
    const colleague = await createUser(testApp, adminToken, {
      username: uniqueName('colleague'),
      role: 'supervisor',
      phones: [
        { phoneNumber: '1077', phoneType: 'extension' },
        { phoneNumber: '+7 916 000-11-22', phoneType: 'mobile' },
      ],
    });
    const operator = await createUser(testApp, adminToken, { username: uniqueName('op'), role: 'operator' });
    for (const path of ['/api/users', `/api/users/${colleague.id}`]) {
      expectErrorShape((await testApp.http().get(path).set(bearer(operator.token)).expect(403)).body, 403, 'FORBIDDEN');
    }
    const directory = await testApp.http().get('/api/users/directory').set(bearer(operator.token)).expect(200);
    const entry = directory.body.items.find((item: { id: number }) => item.id === colleague.id);
    expect(entry).toEqual({ id: colleague.id, username: expect.any(String), firstName: null, lastName: null, extensions: ['1077'], status: 'offline' });
    expect(JSON.stringify(directory.body)).not.toMatch(/@example\.com|"role"|9160001122|passwordHash|"active"/);
    const full = await testApp.http().get('/api/users').set(bearer(adminToken)).expect(200);
    expect(full.body.items.find((item: { id: number }) => item.id === colleague.id)).toMatchObject({ email: expect.stringContaining('@'), role: 'supervisor' });
  });

  it('the directory is searchable and paged like the list, for every role', async () => {
    const name = uniqueName('findme');
    await createUser(testApp, adminToken, { username: name });
    const found = await testApp.http().get('/api/users/directory').query({ q: name, limit: 5 }).set(bearer(adminToken)).expect(200);
    expect(found.body).toMatchObject({ total: 1, page: 1, limit: 5, items: [{ username: name }] });
  });
});
