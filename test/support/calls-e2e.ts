import { resolve } from 'node:path';
import { AMI_FIXTURES_DIR } from '@app/ami/testing';
import { CaptureReplayServer } from '@app/ami';
import { CallDirectoryService } from '../../apps/server/src/call-ingest';
import type { CallDto, CallDetailDto } from '../../apps/server/src/calls';
import { AmiIngestService } from '../../apps/server/src/call-ingest';
import { createUser, loginAdmin, startTestApp, type TestApp } from './test-app';
import { createDatabase, dropDatabase, uniqueName } from './test-database';

export const FIXTURES = AMI_FIXTURES_DIR;

export function capturePath(name: string): string {
  return resolve(FIXTURES, `${name}.ami`);
}

export interface CallsE2eUser {
  id: number;
  token: string;
}

/**
 * The server on a database of its own (its calls are the test's alone), with the users and
 * companies of the captures: Alice owns extension 1001, Bob 1002 (operators), Sue supervises;
 * Acme owns the captures' external caller +7 495 123-45-67, Globex the number actions_misc dials.
 */
export interface CallsE2e {
  testApp: TestApp;
  database: string;
  adminToken: string;
  alice: CallsE2eUser;
  bob: CallsE2eUser;
  sue: CallsE2eUser;
  acmeId: number;
  globexId: number;
  close(): Promise<void>;
}

export async function startCallsE2e(env: Record<string, string> = {}): Promise<CallsE2e> {
  const database = uniqueName('calls_e2e');
  await createDatabase(database);
  const testApp = await startTestApp({ DB_NAME: database, ...env });
  try {
    const adminToken = await loginAdmin(testApp);
    const alice = await createUser(testApp, adminToken, { username: 'alice', role: 'operator', phones: [{ phoneNumber: '1001', phoneType: 'extension' }] });
    const bob = await createUser(testApp, adminToken, { username: 'bob', role: 'operator', phones: [{ phoneNumber: '1002', phoneType: 'extension' }] });
    const sue = await createUser(testApp, adminToken, { username: 'sue', role: 'supervisor' });
    const company = async (name: string, phones: string[]) =>
      (await testApp.http().post('/api/companies').set('Authorization', `Bearer ${adminToken}`).send({ name, phones }).expect(201)).body.id as number;
    const acmeId = await company('Acme', ['+7 (495) 123-45-67']);
    const globexId = await company('Globex', ['8 495 765-43-21']);
    // The directory reloads on the database's NOTIFY by itself; waiting here makes the start deterministic.
    await testApp.app.get(CallDirectoryService, { strict: false }).reload();
    return {
      testApp,
      database,
      adminToken,
      alice,
      bob,
      sue,
      acmeId,
      globexId,
      close: async () => {
        await testApp.close();
        await dropDatabase(database);
      },
    };
  } catch (error) {
    await testApp.close();
    await dropDatabase(database);
    throw error;
  }
}

export interface Replay {
  server: CaptureReplayServer;
  /** Resolves once every capture was streamed to the ingest. */
  streamed: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Serves captures over TCP as PBX `pbxId` (one capture per connection, in order: a cut-off
 * capture makes the ingest reconnect for the next) and points the app's AMI ingest at it.
 */
export async function replayAsPbx(e2e: CallsE2e, pbxId: string, captures: string[], options: { speed?: number; reconnectDelayMs?: number } = {}): Promise<Replay> {
  const server = new CaptureReplayServer({ captures: captures.map(capturePath), speed: options.speed ?? 1, credentials: { username: 'crm', secret: 'replay-secret' } });
  const { host, port } = await server.listen();
  const ingest = e2e.testApp.app.get(AmiIngestService, { strict: false });
  const delay = options.reconnectDelayMs ?? 100;
  await ingest.add(
    { id: pbxId, host, port, username: 'crm', secret: 'replay-secret', tls: false },
    { connection: { reconnect: { initialDelayMs: delay, maxDelayMs: delay, jitter: 0 } } },
  );
  return {
    server,
    streamed: server.streamed(captures.length - 1),
    stop: async () => {
      await ingest.remove(pbxId);
      await server.close();
    },
  };
}

/** Polls `probe` until it returns a value (not undefined/false) or the deadline passes. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Every call the token may see (one page of up to 200, newest first). */
export async function listCalls(e2e: CallsE2e, token: string, query: Record<string, string> = {}): Promise<CallDto[]> {
  const response = await e2e.testApp.http().get('/api/calls').query({ limit: '200', ...query }).set('Authorization', `Bearer ${token}`).expect(200);
  return response.body.items as CallDto[];
}

export async function callDetail(e2e: CallsE2e, token: string, id: string): Promise<CallDetailDto> {
  return (await e2e.testApp.http().get(`/api/calls/${id}`).set('Authorization', `Bearer ${token}`).expect(200)).body as CallDetailDto;
}

/** The PBX's calls once all of them have ended (and at least `count` exist). */
export function endedCallsOf(e2e: CallsE2e, pbxId: string, count: number, timeoutMs = 30_000): Promise<CallDto[]> {
  return eventually(`${count} ended call(s) on ${pbxId}`, async () => {
    const calls = (await listCalls(e2e, e2e.sue.token)).filter((c) => c.pbxId === pbxId);
    return calls.length >= count && calls.every((c) => c.endedAt !== null) ? calls : undefined;
  }, timeoutMs, 100);
}
