import { createHmac } from 'node:crypto';
import { RealtimeClient } from './support/realtime-client';
import { listen } from './support/realtime-e2e';
import { createUser, loginAdmin, startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';
import { uniqueName } from './support/test-database';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT with any header and claims, signed by HMAC with `hash` (or unsigned). */
function forge(header: object, claims: object, secret: string | null, hash = 'sha256'): string {
  const head = `${b64(header)}.${b64(claims)}`;
  return secret === null ? `${head}.` : `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`;
}

interface Attack {
  name: string;
  token: () => string;
  /** The 401 code REST answers, which is also the Socket.IO handshake's connect_error code. */
  code: 'INVALID_TOKEN' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'UNAUTHORIZED';
}

/**
 * The JWT attacks, each against every door the Authenticator guards: a REST route and the
 * Socket.IO handshake. Every one must be refused with 401 and the same code on both.
 */
describe('JWT attacks, on REST and on the Socket.IO handshake', () => {
  let testApp: TestApp;
  let url: string;
  let adminToken: string;
  let victim: { id: number; token: string; username: string };
  const now = () => Math.floor(Date.now() / 1000);
  const claimsOf = (user: { id: number; username: string }, extra: object = {}) => ({ sub: user.id, username: user.username, role: 'operator', ver: 0, iat: now(), exp: now() + 600, ...extra });
  const attacks: Attack[] = [];
  /** Tokens of users changed after their token was issued: filled in beforeAll. */
  const changed: Record<'deleted' | 'demoted' | 'reset' | 'loggedOut', string> = { deleted: '', demoted: '', reset: '', loggedOut: '' };

  beforeAll(async () => {
    testApp = await startTestApp({ LOGIN_RATE_LIMIT_PER_IP: '1000' });
    url = await listen(testApp);
    adminToken = await loginAdmin(testApp);
    const username = uniqueName('victim');
    victim = { ...(await createUser(testApp, adminToken, { username })), username };
    const fresh = async (role = 'operator') => {
      const name = uniqueName(role);
      return { ...(await createUser(testApp, adminToken, { username: name, role })), username: name };
    };
    const deleted = await fresh();
    changed.deleted = deleted.token;
    await testApp.http().delete(`/api/users/${deleted.id}`).set('Authorization', `Bearer ${adminToken}`).expect(204);
    const reset = await fresh();
    changed.reset = reset.token;
    await testApp.http().patch(`/api/users/${reset.id}`).set('Authorization', `Bearer ${adminToken}`).send({ password: 'reset-password-999' }).expect(200);
    const loggedOut = await fresh();
    changed.loggedOut = loggedOut.token;
    await testApp.http().post('/api/auth/logout').set('Authorization', `Bearer ${loggedOut.token}`).expect(204);
  });

  afterAll(() => testApp?.close());

  attacks.push(
    { name: 'signed with another key', token: () => forge({ alg: 'HS256', typ: 'JWT' }, claimsOf(victim), 'another-secret-that-is-long-enough-0123456789'), code: 'INVALID_TOKEN' },
    { name: 'alg: none, no signature', token: () => forge({ alg: 'none', typ: 'JWT' }, claimsOf(victim), null), code: 'INVALID_TOKEN' },
    { name: 'alg: none with a signature kept', token: () => `${forge({ alg: 'none', typ: 'JWT' }, claimsOf(victim), null)}${victim.token.split('.')[2]}`, code: 'INVALID_TOKEN' },
    { name: 'HS384 with the right key', token: () => forge({ alg: 'HS384', typ: 'JWT' }, claimsOf(victim), TEST_JWT_SECRET, 'sha384'), code: 'INVALID_TOKEN' },
    { name: 'HS512 with the right key', token: () => forge({ alg: 'HS512', typ: 'JWT' }, claimsOf(victim), TEST_JWT_SECRET, 'sha512'), code: 'INVALID_TOKEN' },
    { name: 'RS256 header over an HMAC', token: () => forge({ alg: 'RS256', typ: 'JWT' }, claimsOf(victim), TEST_JWT_SECRET), code: 'INVALID_TOKEN' },
    { name: 'expired', token: () => forge({ alg: 'HS256', typ: 'JWT' }, claimsOf(victim, { iat: now() - 7200, exp: now() - 60 }), TEST_JWT_SECRET), code: 'TOKEN_EXPIRED' },
    { name: 'nbf in the future', token: () => forge({ alg: 'HS256', typ: 'JWT' }, claimsOf(victim, { nbf: now() + 3600 }), TEST_JWT_SECRET), code: 'INVALID_TOKEN' },
    { name: 'payload edited to admin (signature of the original)', token: () => {
      const [head, , signature] = victim.token.split('.');
      return `${head}.${b64(claimsOf(victim, { role: 'admin' }))}.${signature}`;
    }, code: 'INVALID_TOKEN' },
    { name: 'payload edited to another user', token: () => {
      const [head, , signature] = victim.token.split('.');
      return `${head}.${b64(claimsOf({ id: 1, username: 'admin' }))}.${signature}`;
    }, code: 'INVALID_TOKEN' },
    { name: 'subject as a string', token: () => forge({ alg: 'HS256', typ: 'JWT' }, claimsOf(victim, { sub: String(victim.id) }), TEST_JWT_SECRET), code: 'INVALID_TOKEN' },
    { name: 'no subject', token: () => forge({ alg: 'HS256', typ: 'JWT' }, { ...claimsOf(victim), sub: undefined }, TEST_JWT_SECRET), code: 'INVALID_TOKEN' },
    { name: 'an older token version', token: () => forge({ alg: 'HS256', typ: 'JWT' }, claimsOf(victim, { ver: -1 }), TEST_JWT_SECRET), code: 'TOKEN_REVOKED' },
    { name: 'a deleted user', token: () => changed.deleted, code: 'INVALID_TOKEN' },
    { name: 'after a password reset', token: () => changed.reset, code: 'TOKEN_REVOKED' },
    { name: 'after logout', token: () => changed.loggedOut, code: 'TOKEN_REVOKED' },
    { name: 'garbage', token: () => 'not.a.jwt', code: 'INVALID_TOKEN' },
    { name: 'empty', token: () => '', code: 'UNAUTHORIZED' },
  );

  it.each(attacks.map((attack) => [attack.name, attack] as const))('%s: 401 on REST and refused by the handshake, with one code', async (_name, attack) => {
    const token = attack.token();
    const rest = await testApp.http().get('/api/calls').set('Authorization', `Bearer ${token}`);
    expect({ status: rest.status, code: rest.body.error }).toEqual({ status: 401, code: attack.code });
    const refusal = await RealtimeClient.refusal(url, { token });
    expect(refusal.data?.code).toBe(attack.code);
  });

  it('the victim\'s own token still works (the attacks are refused for what they are, not for the user)', async () => {
    await testApp.http().get('/api/calls').set('Authorization', `Bearer ${victim.token}`).expect(200);
  });

  it('a demoted user keeps their token but not their old role: the role comes from the database', async () => {
    const name = uniqueName('sup');
    const supervisor = await createUser(testApp, adminToken, { username: name, role: 'supervisor' });
    await testApp.http().get('/api/users').set('Authorization', `Bearer ${supervisor.token}`).expect(200);
    await testApp.http().patch(`/api/users/${supervisor.id}`).set('Authorization', `Bearer ${adminToken}`).send({ role: 'operator' }).expect(200);
    const denied = await testApp.http().get('/api/users').set('Authorization', `Bearer ${supervisor.token}`);
    expect({ status: denied.status, code: denied.body.error }).toEqual({ status: 403, code: 'FORBIDDEN' });
    // A token claiming the old role, freshly signed, changes nothing either.
    const claimed = forge({ alg: 'HS256', typ: 'JWT' }, claimsOf({ id: supervisor.id, username: name }, { role: 'supervisor' }), TEST_JWT_SECRET);
    await testApp.http().get('/api/users').set('Authorization', `Bearer ${claimed}`).expect(403);
  });

  it('a token is read only from the Authorization header, not from a query string or a cookie', async () => {
    await testApp.http().get(`/api/calls?access_token=${victim.token}`).expect(401);
    await testApp.http().get('/api/calls').set('Cookie', `token=${victim.token}`).expect(401);
    await testApp.http().get('/api/calls').set('Authorization', `Basic ${victim.token}`).expect(401);
  });
});
