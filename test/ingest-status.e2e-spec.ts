import { asIngestProcessStatus, RedisIngestStatusBoard, RedisPubSub, type IngestProcessStatus } from '../apps/server/src/call-events';
import { eventually } from './support/calls-e2e';
import { startTestApp, type TestApp } from './support/test-app';
import { testRedisEnv } from './support/test-redis-env';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

const redisUrl = () => testRedisEnv().REDIS_URL;

function status(process: string, pbx: Partial<IngestProcessStatus['pbxs'][number]> = {}, full = false): IngestProcessStatus {
  return {
    process,
    at: new Date().toISOString(),
    pbxs: [{ pbxId: 'main', state: 'ingesting', amiState: 'ready', readingPaused: false, activeCalls: 0, ...pbx }],
    writeQueue: { pending: full ? 50_000 : 3, capacity: 50_000, full },
  };
}

/** The ingest processes' heartbeat on the machine's Redis (a prefix of this run's own). */
describe('ingest status board on Redis', () => {
  const prefix = `test-ingest-status-${process.pid}:`;
  let redis: RedisPubSub;

  beforeAll(() => {
    redis = new RedisPubSub(redisUrl(), quiet);
  });
  afterAll(() => redis.close());

  it('keeps each process`s latest report, drops it once it expires or is withdrawn', async () => {
    const board = new RedisIngestStatusBoard(redis, prefix, 400);
    board.report(status('a', { amiState: 'connecting' }));
    board.report(status('a'));
    board.report(status('b', { pbxId: 'branch' }));
    const both = await eventually('both reports', async () => {
      const all = await board.current();
      return all.length === 2 ? all : undefined;
    });
    expect(both.find((s) => s.process === 'a')!.pbxs[0].amiState).toBe('ready');
    await board.withdraw('b');
    expect((await board.current()).map((s) => s.process)).toEqual(['a']);
    // No more reports from a: gone after its TTL, and no longer listed in the set either.
    await eventually('the report to expire', async () => (await board.current()).length === 0, 5000);
    expect(await redis.client.smembers(`${prefix}ingest-status`)).toEqual([]);
  });

  it('ignores what is not a report', async () => {
    expect(asIngestProcessStatus({ process: 'x', at: 'now', pbxs: [{ pbxId: 1 }], writeQueue: { pending: 0, capacity: 1, full: false } })).toBeNull();
    expect(asIngestProcessStatus('text')).toBeNull();
    const board = new RedisIngestStatusBoard(redis, `${prefix}garbage:`);
    await redis.client.multi().sadd(`${prefix}garbage:ingest-status`, 'junk').set(`${prefix}garbage:ingest-status:junk`, '{not json', 'PX', 5000).exec();
    expect(await board.current()).toEqual([]);
  });
});

/**
 * APP_ROLE=server runs no ingest: its readiness reports what the ingest processes say on the
 * board, as `degraded` (still HTTP 200: the API serves without the PBX) when a PBX is not
 * followed, not logged in or not read.
 */
describe('GET /api/ready in APP_ROLE=server', () => {
  const prefix = `test-ready-server-${process.pid}`;
  let app: TestApp;
  let redis: RedisPubSub;
  let board: RedisIngestStatusBoard;

  const ingestCheck = async () => {
    const response = await app.http().get('/api/ready').expect(200);
    return response.body as { status: string; checks: { ingest: { status: string; message?: string; processes: unknown[] } } };
  };

  beforeAll(async () => {
    app = await startTestApp({ APP_ROLE: 'server', REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix, ASTERISK_SERVERS: 'main=ami://crm:secret@127.0.0.1:1' });
    redis = new RedisPubSub(redisUrl(), quiet);
    board = new RedisIngestStatusBoard(redis, `${prefix}:`);
  });
  afterAll(async () => {
    await board.withdraw('ingest-1');
    await redis.close();
    await app.close();
  });

  it('is ready and degraded while no ingest process reports, then up once one follows every configured PBX', async () => {
    const none = await ingestCheck();
    expect(none.status).toBe('degraded');
    expect(none.checks.ingest).toMatchObject({ status: 'degraded', message: expect.stringMatching(/^no ingest process has reported/), processes: [] });

    board.report(status('ingest-1'));
    const up = await eventually('the ingest report', async () => {
      const body = await ingestCheck();
      return body.status === 'ok' ? body : undefined;
    });
    expect(up.checks.ingest.processes).toEqual([{ process: 'ingest-1', pbxs: [expect.objectContaining({ pbxId: 'main', amiState: 'ready' })], writeQueue: expect.any(Object) }]);
  });

  it('says which PBX is not logged in, not read, or followed by nobody', async () => {
    board.report({ ...status('ingest-1', { amiState: 'waiting-to-reconnect', readingPaused: true }, true) });
    const body = await eventually('the degraded report', async () => {
      const b = await ingestCheck();
      return b.status === 'degraded' ? b : undefined;
    });
    expect(body.checks.ingest.message).toBe('PBX main: not logged in to AMI (waiting-to-reconnect); PBX main: not read, the write queue is full');

    board.report(status('ingest-1', { state: 'standby', amiState: null }));
    await eventually('the standby report', async () => (await ingestCheck()).checks.ingest.message === 'PBX main: no ingest process follows it');
  });
});
