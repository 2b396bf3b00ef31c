import { randomBytes } from 'node:crypto';

/**
 * REDIS_URL (prepared by the global setup) and a REDIS_KEY_PREFIX of its own, so processes of
 * this test exchange call events among themselves only, whatever else shares that Redis.
 */
export function testRedisEnv(): { REDIS_URL: string; REDIS_KEY_PREFIX: string } {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('This test needs Redis: start redis-server (apt-get install -y redis-server) or set REDIS_URL');
  return { REDIS_URL: url, REDIS_KEY_PREFIX: `crm-test-${process.pid}-${randomBytes(3).toString('hex')}` };
}
