import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizePhoneNumber } from '../apps/server/src/common/phone/phone-normalizer';
import { DEMO_COMPANIES, DEMO_PASSWORD, DEMO_UNKNOWN_CALLER, DEMO_USERS } from '../apps/server/src/demo/demo-data';
import { freePort } from './support/free-port';
import { cleanEnv, ServerProcess } from './support/server-process';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

const STARTED = /Asterisk CRM started/;

interface CallItem {
  id: string;
  pbxId: string;
  status: string;
  externalNumber: string | null;
  answeredByExtension: string | null;
  assignedUserName: string | null;
  callerCompanyName: string | null;
  talkSeconds: number;
  endedAt: string | null;
  participantUserIds: string[];
}

/** Company of each demo caller, by E.164 number. */
const COMPANY_OF = new Map(DEMO_COMPANIES.flatMap((company) => company.phones.map((phone) => [normalizePhoneNumber(phone, 'RU')!, company.name])));
/** "Alice Agent" for 1001, as the users API and the call records name users. */
const USER_NAME_OF = new Map(DEMO_USERS.map((user) => [user.extension, `${user.firstName} ${user.lastName}`]));

/** Calls `probe` until it returns a value, or fails with `what` when the deadline passes. */
async function eventually<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not seen in time${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

class Api {
  constructor(private readonly port: number) {}

  async json<T>(path: string, token?: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async login(username: string, password: string): Promise<string> {
    const { status, body } = await this.json<{ accessToken: string }>('/api/auth/login', undefined, { method: 'POST', body: JSON.stringify({ username, password }) });
    expect({ username, status }).toEqual({ username, status: 200 });
    return body.accessToken;
  }

  async calls(token: string): Promise<CallItem[]> {
    const { status, body } = await this.json<{ items: CallItem[] }>('/api/calls?limit=200', token);
    expect(status).toBe(200);
    return body.items;
  }
}

describe('zero-config demo (npm start with no Asterisk configured)', () => {
  let root: string;
  let database: string;
  let env: NodeJS.ProcessEnv;
  let api: Api;
  const running: ServerProcess[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'crm-demo-'));
    chmodSync(root, 0o755);
    database = uniqueName('demo_e2e');
    await createDatabase(database);
    const port = await freePort();
    api = new Api(port);
    // DB_* from the test environment; no ASTERISK_*; the demo's switch at its default.
    env = cleanEnv({
      DB_HOST: process.env.DB_HOST!,
      DB_PORT: process.env.DB_PORT!,
      DB_USER: process.env.DB_USER!,
      DB_PASSWORD: process.env.DB_PASSWORD ?? '',
      DB_NAME: database,
      PORT: String(port),
      DATA_DIR: join(root, 'data'),
      DEMO_MODE: 'auto',
      LOG_LEVEL: 'info',
    });
  });

  afterEach(async () => {
    for (const server of running.splice(0)) {
      server.kill('SIGKILL');
      await server.exit(10_000).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await dropDatabase(database);
    rmSync(root, { recursive: true, force: true });
  });

  function start(extra: Record<string, string> = {}): ServerProcess {
    const server = ServerProcess.startServer({ ...env, ...extra });
    running.push(server);
    return server;
  }

  async function stop(server: ServerProcess): Promise<void> {
    server.kill('SIGTERM');
    expect(await server.exit(30_000)).toEqual({ code: 0, signal: null });
    running.splice(running.indexOf(server), 1);
  }

  it('seeds demo users and companies, and calls from the simulator reach the API within a minute', async () => {
    const startedAt = Date.now();
    const server = start();
    await server.waitFor(STARTED, 60_000);
    expect(server.output).toMatch(/Asterisk CRM started: role all, demo mode;/);
    expect(server.output).toContain(`log in with the password \\"${DEMO_PASSWORD}\\"`);
    expect(server.output).toContain('demo users: created: alice, bob, carol, dave, eve');
    expect(server.output).toContain('demo companies: created: Romashka LLC, Vektor Logistics, Sever Bank, Neva Trading House, Orbita Media');
    expect((await api.json('/api/health')).status).toBe(200);
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    // The login page offers the demo logins: GET /api/meta lists them, public, in demo mode only.
    expect((await api.json('/api/meta')).body).toEqual({
      version: expect.any(String),
      role: 'all',
      testMode: false,
      demo: { password: DEMO_PASSWORD, users: DEMO_USERS.map((u) => ({ username: u.username, role: u.role, extension: u.extension, name: `${u.firstName} ${u.lastName}` })) },
    });

    const adminPassword = server.output.match(/generated password: (\S+)/)![1];
    const admin = await api.login('admin', adminPassword);

    // The scripted first call: Romashka LLC -> Alice's DID, answered, 10 s of talk, then ended.
    const first = await eventually('the first demo call, ended', startedAt + 60_000, async () =>
      (await api.calls(admin)).find((call) => call.callerCompanyName === 'Romashka LLC' && call.endedAt !== null),
    );
    expect(first).toMatchObject({ pbxId: 'demo', status: 'answered', answeredByExtension: '1001', assignedUserName: 'Alice Agent', externalNumber: '+74951234567' });
    expect(first.talkSeconds).toBeGreaterThanOrEqual(9);
    expect(first.talkSeconds).toBeLessThanOrEqual(11);
    expect(Date.now() - startedAt).toBeLessThan(60_000);

    // Steady traffic: more calls, every one matched to its user and its caller's company.
    const calls = await eventually('five demo calls', startedAt + 90_000, async () => {
      const items = await api.calls(admin);
      return items.length >= 5 ? items : undefined;
    });
    for (const call of calls) {
      expect(call.pbxId).toBe('demo');
      if (call.externalNumber && call.externalNumber !== DEMO_UNKNOWN_CALLER) {
        expect({ number: call.externalNumber, company: call.callerCompanyName }).toEqual({ number: call.externalNumber, company: COMPANY_OF.get(call.externalNumber) });
      }
      if (call.externalNumber === DEMO_UNKNOWN_CALLER) expect(call.callerCompanyName).toBeNull();
      if (call.answeredByExtension) expect(call.assignedUserName).toBe(USER_NAME_OF.get(call.answeredByExtension));
    }
    expect((await api.json<unknown[]>('/api/calls/active', admin)).status).toBe(200);

    // The demo users: extensions as their phones, the documented password.
    const users = (await api.json<{ items: { username: string; role: string; phones: { normalizedNumber: string }[] }[] }>('/api/users?limit=100', admin)).body.items;
    expect(users.map((user) => [user.username, user.role, user.phones.map((phone) => phone.normalizedNumber)])).toEqual([
      ['admin', 'admin', []],
      ['alice', 'operator', ['1001']],
      ['bob', 'operator', ['1002']],
      ['carol', 'operator', ['1003']],
      ['dave', 'operator', ['1004']],
      ['eve', 'supervisor', ['1005']],
    ]);
    // An operator sees the calls she took part in only.
    const alice = await api.login('alice', DEMO_PASSWORD);
    const aliceId = String((await api.json<{ id: number }>('/api/auth/me', alice)).body.id);
    const aliceCalls = await api.calls(alice);
    expect(aliceCalls.map((call) => call.id)).toContain(first.id);
    expect(aliceCalls.every((call) => call.participantUserIds.includes(aliceId))).toBe(true);

    // SIGTERM: the simulator stops before the process exits cleanly.
    await stop(server);
    expect(server.output).toMatch(/demo PBX simulator stopped after \d+ calls/);
  }, 150_000);

  it('a restart duplicates nothing and leaves edited demo records alone; calls keep coming, here from an Asterisk 22 simulator with the FreePBX-style dialplan', async () => {
    const admin = async (server: ServerProcess) => {
      await server.waitFor(STARTED, 60_000);
      const rows = await query<{ count: string }>(database, `SELECT count(*) FROM users WHERE role = 'admin'`);
      expect(rows[0].count).toBe('1');
      return api.login('alice', DEMO_PASSWORD);
    };
    // A user renames a demo company; the next start must not bring the old name back.
    await query(database, `UPDATE companies SET name = 'Romashka Group' WHERE name = 'Romashka LLC'`);
    await query(database, `UPDATE users SET last_name = 'Smith' WHERE username = 'alice'`);
    const before = await query<{ id: string }>(database, 'SELECT max(id)::text AS id FROM calls');

    const server = start({ PBX_SIM_DIALECT: 'asterisk22', PBX_SIM_DIALPLAN: 'freepbx' });
    const alice = await admin(server);
    expect(server.output).toMatch(/pbx-sim: Asterisk 22\.10\.1 \(asterisk22, FreePBX-style dialplan\) AMI on/);
    expect(server.output).toContain('demo users: already there: alice, bob, carol, dave, eve');
    expect(server.output).toContain(
      'demo companies: already there: Vektor Logistics, Sever Bank, Neva Trading House, Orbita Media; not created (conflict): Romashka LLC',
    );
    expect(server.output).toContain('Romashka LLC not created: +74951234567 belongs to company \\"Romashka Group\\"');
    expect(server.output).not.toContain('generated password');

    const counts = await query<{ users: string; companies: string; phones: string }>(
      database,
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM companies) AS companies, (SELECT count(*) FROM user_phones) AS phones`,
    );
    expect(counts).toEqual([{ users: '6', companies: '5', phones: '5' }]);
    expect(await query(database, `SELECT last_name FROM users WHERE username = 'alice'`)).toEqual([{ last_name: 'Smith' }]);

    // The new simulator's calls arrive as well, now from "Romashka Group".
    const fresh = await eventually('a call of the second run', Date.now() + 60_000, async () =>
      (await api.calls(alice)).find((call) => BigInt(call.id) > BigInt(before[0].id) && call.callerCompanyName === 'Romashka Group'),
    );
    expect(fresh.assignedUserName).toBe('Alice Smith');
    await stop(server);
  }, 120_000);

  it('with ASTERISK_HOST set, no simulator starts and no demo data is seeded; the demo later leaves that database\'s own data alone', async () => {
    const other = uniqueName('demo_off_e2e');
    await createDatabase(other);
    try {
      const closedPort = await freePort();
      const server = start({ DB_NAME: other, ASTERISK_HOST: '127.0.0.1', ASTERISK_PORT: String(closedPort), ASTERISK_SECRET: 'secret' });
      await server.waitFor(STARTED, 60_000);
      // The real-PBX path runs: the ingest tries the configured host (and fails, the port is closed).
      await server.waitFor(new RegExp(`AMI default: .*127\\.0\\.0\\.1:${closedPort}`), 20_000);
      expect(server.output).toMatch(/Asterisk CRM started: role all;/);
      expect(server.output).not.toMatch(/pbx-sim|DEMO MODE|demo users|demo companies/);
      const counts = await query<{ users: string; companies: string; calls: string }>(
        other,
        `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM companies) AS companies, (SELECT count(*) FROM calls) AS calls`,
      );
      expect(counts).toEqual([{ users: '1', companies: '0', calls: '0' }]);
      expect((await api.json<{ demo: unknown }>('/api/meta')).body.demo).toBeNull();
      await stop(server);

      // The database's own user on extension 1002 and company on Vektor's number keep them when the demo starts on it.
      await query(
        other,
        `WITH robert AS (INSERT INTO users (username, email, password_hash, role) VALUES ('robert', 'robert@example.com', 'x', 'operator') RETURNING id)
         INSERT INTO user_phones (user_id, phone_number, phone_type, normalized_number) SELECT id, '1002', 'extension', '1002' FROM robert`,
      );
      await query(
        other,
        `WITH acme AS (INSERT INTO companies (name) VALUES ('Acme') RETURNING id)
         INSERT INTO company_phones (company_id, phone_number, normalized_number) SELECT id, '+7 495 765-43-21', '+74957654321' FROM acme`,
      );
      const demo = start({ DB_NAME: other });
      await demo.waitFor(STARTED, 60_000);
      expect(demo.output).toContain('demo user bob not created: extension 1002 belongs to user \\"robert\\"');
      expect(demo.output).toContain('demo company Vektor Logistics not created: +74957654321 belongs to company \\"Acme\\"');
      expect(demo.output).toContain('demo users: created: alice, carol, dave, eve; not created (conflict): bob');
      const owners = await query<{ number: string; owner: string }>(
        other,
        `SELECT up.normalized_number AS number, u.username AS owner FROM user_phones up JOIN users u ON u.id = up.user_id
         UNION ALL SELECT cp.normalized_number, c.name FROM company_phones cp JOIN companies c ON c.id = cp.company_id ORDER BY 1`,
      );
      expect(owners).toEqual([
        { number: '+74951112233', owner: 'Sever Bank' },
        { number: '+74951234567', owner: 'Romashka LLC' },
        { number: '+74957654321', owner: 'Acme' },
        { number: '+74993332211', owner: 'Orbita Media' },
        { number: '+78123334455', owner: 'Neva Trading House' },
        { number: '1001', owner: 'alice' },
        { number: '1002', owner: 'robert' },
        { number: '1003', owner: 'carol' },
        { number: '1004', owner: 'dave' },
        { number: '1005', owner: 'eve' },
      ]);
      await stop(demo);
    } finally {
      await dropDatabase(other);
    }
  }, 120_000);

  it('DEMO_MODE=on in production refuses to start', async () => {
    const server = start({ NODE_ENV: 'production', DEMO_MODE: 'on', JWT_SECRET: 'x'.repeat(40), DB_PASSWORD: 'unused-password' });
    expect((await server.exit(60_000)).code).toBe(1);
    running.splice(0);
    expect(server.output.trim().split('\n')).toEqual(['Invalid configuration (1 variable):', '  DEMO_MODE: cannot be on with NODE_ENV=production (got "on")']);
  }, 60_000);
});
