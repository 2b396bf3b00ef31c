import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AppConfig } from '../../apps/server/src/config/app-config';
import { loadConfig } from '../../apps/server/src/config/load-config';
import { createHttpApp } from '../../apps/server/src/http-app';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';

let apps = 0;
/** Distinct for each test file's copy of this module. */
const RUN = randomBytes(4).toString('hex');

/** The config a test app runs with: the run's test database (from the global setup) plus overrides. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const result = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    // Keep the ingest idle: no PBX, so nothing but the test writes calls.
    ASTERISK_HOST: '',
    ASTERISK_SERVERS: '',
    // Each app its own Redis namespace: apps of this run and of other runs sharing the machine's
    // Redis must not receive each other's call events nor join each other's Socket.IO cluster,
    // nor read each other's kept phone states. The pid alone is not enough: jest runs every test
    // file in one process and gives each file fresh modules, so this counter restarts per file
    // (a web UI test once showed a phone state kept by an earlier file's app).
    REDIS_KEY_PREFIX: `test-${process.pid}-${RUN}-${++apps}`,
    ...overrides,
  });
  if ('problems' in result) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** The real HTTP application (same factory as main.ts) against the test database, not listening on a port. */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const app = await createHttpApp(config);
  await app.init();
  const server = app.getHttpServer() as App;
  return { app, config, http: () => request(server), close: () => app.close() };
}

/** Logs in and returns the access token. */
export async function login(testApp: TestApp, username: string, password: string): Promise<string> {
  const response = await testApp.http().post('/api/auth/login').send({ username, password }).expect(200);
  return response.body.accessToken as string;
}

export function loginAdmin(testApp: TestApp): Promise<string> {
  return login(testApp, testApp.config.ADMIN_USERNAME, TEST_ADMIN_PASSWORD);
}

/** Creates a user through the API (as admin) and returns its id and a token for it. */
export async function createUser(
  testApp: TestApp,
  adminToken: string,
  fields: { username: string; role?: string; password?: string; phones?: { phoneNumber: string; phoneType: string }[] },
): Promise<{ id: number; token: string }> {
  const password = fields.password ?? 'password-1234';
  const created = await testApp
    .http()
    .post('/api/users')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ email: `${fields.username}@example.com`, password, ...fields })
    .expect(201);
  return { id: created.body.id as number, token: await login(testApp, fields.username, password) };
}

/** Asserts the uniform error body and returns it. */
export function expectErrorShape(body: Record<string, unknown>, statusCode: number, error: string): void {
  expect(body).toEqual(
    expect.objectContaining({ statusCode, error, message: expect.any(String), path: expect.any(String), timestamp: expect.any(String) }),
  );
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+|QueryFailedError|SELECT |INSERT INTO|duplicate key value/);
}
