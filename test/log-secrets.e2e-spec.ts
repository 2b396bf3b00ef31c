import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import { freePort } from './support/free-port';
import { RealtimeClient } from './support/realtime-client';
import { cleanEnv, ServerProcess } from './support/server-process';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

const JWT_SECRET = 'jwt-scan-secret-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const ADMIN_PASSWORD = 'admin-scan-password-51f3';
const DB_PASSWORD = 'db-scan-password-7c2e';
const AMI_SECRET = 'amiScanSecret9d4f';
const WRONG_AMI_SECRET = 'amiWrongSecret3b8a';
const USER_PASSWORD = 'user-scan-password-62ad';
const NEW_PASSWORD = 'user-scan-newpass-8e17';
const GUESSED_PASSWORD = 'guessed-scan-password-2f90';

/**
 * Runs the server as it runs in production (its own process, everything it prints captured)
 * with known secrets and the most verbose log level, exercises every path that touches one
 * (logins right and wrong, user passwords set and changed, tokens good and bad over REST and
 * Socket.IO, an AMI login accepted and one refused), then looks for each secret in all of
 * the output. The database runs with trust auth here, so any DB_PASSWORD is accepted.
 */
describe('no secret is ever written to the log', () => {
  let sim: PbxSim;
  let server: ServerProcess;
  let database: string;
  let dataDir: string;

  beforeAll(async () => {
    database = uniqueName('crm_logscan').toLowerCase();
    await createDatabase(database);
    dataDir = mkdtempSync(join(tmpdir(), 'crm-logscan-'));
    sim = await startPbxSim({ port: 0, users: [{ username: 'crm_scan', secret: AMI_SECRET }], authFailDelayMs: 10 });
  });

  afterAll(async () => {
    if (server) {
      server.kill('SIGTERM');
      await server.exit(30_000).catch(() => undefined);
    }
    await sim?.close();
    await dropDatabase(database);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the AMI secret, JWT secret, DB password, passwords, their hashes and tokens out of every line', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = ServerProcess.startServer(
      cleanEnv({
        PORT: String(port),
        LOG_LEVEL: 'trace',
        LOG_FORMAT: 'json',
        DEMO_MODE: 'off',
        DATA_DIR: dataDir,
        RECORDINGS_PATH: join(dataDir, 'recordings'),
        DB_HOST: process.env.DB_HOST!,
        DB_PORT: process.env.DB_PORT!,
        DB_USER: process.env.DB_USER!,
        DB_PASSWORD,
        DB_NAME: database,
        JWT_SECRET,
        ADMIN_PASSWORD,
        ASTERISK_SERVERS: `main=ami://crm_scan:${AMI_SECRET}@127.0.0.1:${sim.port},branch=ami://crm_scan:${WRONG_AMI_SECRET}@127.0.0.1:${sim.port}`,
      }),
    );
    await server.waitFor(/Asterisk CRM started/, 90_000);
    await server.waitFor(/AMI main: .*logged in/, 30_000);

    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }, body: JSON.stringify(body) });
    const adminLogin = await post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(adminLogin.status).toBe(200);
    const adminToken = ((await adminLogin.json()) as { accessToken: string }).accessToken;
    expect((await post('/api/auth/login', { username: 'admin', password: GUESSED_PASSWORD })).status).toBe(401);
    expect((await post('/api/auth/login', { username: 'nobody', password: GUESSED_PASSWORD })).status).toBe(401);
    const created = await post('/api/users', { username: 'scanned', email: 'scanned@example.com', password: USER_PASSWORD }, adminToken);
    expect(created.status).toBe(201);
    const userId = ((await created.json()) as { id: number }).id;
    // A refused body that carries a password is logged as a 400, without the body.
    expect((await post('/api/users', { username: 'x', email: 'not-an-email', password: USER_PASSWORD }, adminToken)).status).toBe(400);
    const userToken = ((await (await post('/api/auth/login', { username: 'scanned', password: USER_PASSWORD })).json()) as { accessToken: string }).accessToken;
    const patched = await fetch(`${base}/api/users/${userId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ password: NEW_PASSWORD }),
    });
    expect(patched.status).toBe(200);
    expect((await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${userToken}` } })).status).toBe(401);
    const tampered = `${adminToken.split('.')[0]}.${Buffer.from('{"sub":1,"role":"admin"}').toString('base64url')}.${adminToken.split('.')[2]}`;
    expect((await fetch(`${base}/api/calls`, { headers: { authorization: `Bearer ${tampered}`, cookie: `session=${adminToken}` } })).status).toBe(401);
    expect((await fetch(`${base}/api/recordings/1/stream?uid=1&exp=9999999999&sig=${adminToken.split('.')[2]}`)).status).toBeGreaterThanOrEqual(400);
    const live = await RealtimeClient.connect(base, adminToken, 1);
    live.close();
    expect((await RealtimeClient.refusal(base, { token: userToken })).data?.code).toBe('TOKEN_REVOKED');
    // The refused AMI login has been tried (and logged) by now.
    await server.waitFor(/AMI branch[^\n]*(refus|fail|denied|Authentication)/i, 30_000);

    server.kill('SIGTERM');
    await server.exit(30_000);
    const output = server.output;
    const hashes = (await query<{ password_hash: string }>(database, `SELECT password_hash FROM users`)).map((row) => row.password_hash);
    expect(hashes.length).toBe(2);
    const secrets: Record<string, string> = {
      'the JWT secret': JWT_SECRET,
      'the admin password': ADMIN_PASSWORD,
      'the DB password': DB_PASSWORD,
      'the AMI secret': AMI_SECRET,
      'a wrong AMI secret': WRONG_AMI_SECRET,
      "a user's password": USER_PASSWORD,
      "a user's new password": NEW_PASSWORD,
      'a guessed password': GUESSED_PASSWORD,
      "the admin's token": adminToken,
      "the admin's token signature": adminToken.split('.')[2],
      "a user's token signature": userToken.split('.')[2],
      ...Object.fromEntries(hashes.map((hash, i) => [`password hash ${i + 1}`, hash.split('$').at(-1)!])),
    };
    // The run did log: requests, logins, the AMI sessions.
    expect(output).toMatch(/"path":"\/api\/auth\/login"/);
    expect(output.split('\n').length).toBeGreaterThan(20);
    const leaked = Object.entries(secrets).filter(([, secret]) => output.includes(secret)).map(([name]) => name);
    expect(leaked).toEqual([]);
  }, 180_000);
});
