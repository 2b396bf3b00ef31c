import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../support/free-port';

export interface TestRedis {
  url: string;
  /** A redis-server this run started itself (none when REDIS_URL or a local one answered). */
  server: ChildProcess | null;
  dir: string | null;
}

const LOCAL = 'redis://127.0.0.1:6379';

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * The Redis the tests use, found the way the PostgreSQL is: REDIS_URL when set, else one
 * answering on 127.0.0.1:6379, else a redis-server binary (Debian's `redis-server`) started
 * for this run on a free port. Without any, the suites that need Redis fail saying so.
 */
export async function prepareTestRedis(): Promise<TestRedis | null> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, server: null, dir: null };
  if (await answers(LOCAL)) return { url: LOCAL, server: null, dir: null };
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'crm-test-redis-'));
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50 && !(await answers(url)); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  return { url, server, dir };
}

export function stopTestRedis(redis: TestRedis | null | undefined): void {
  redis?.server?.kill('SIGTERM');
  if (redis?.dir) rmSync(redis.dir, { recursive: true, force: true });
}
