import type { CallDto } from '../apps/server/src/calls';
import { eventually } from './support/calls-e2e';
import { loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

/**
 * Test calls (`POST /api/calls/simulate`) live in the process that made them: when it stops,
 * the next start closes the ones it left open, as the AMI ingest closes a PBX's calls left
 * open; a test call of a process still running is left alone.
 */
describe('test calls left open by a stopped process', () => {
  const database = uniqueName('simulate_restart');
  const apps: TestApp[] = [];

  beforeAll(() => createDatabase(database));

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await dropDatabase(database);
  });

  const start = async () => {
    const app = await startTestApp({ DB_NAME: database });
    apps.push(app);
    return { app, token: await loginAdmin(app) };
  };
  const simulate = async (app: TestApp, token: string) =>
    (await app.http().post('/api/calls/simulate').set('Authorization', `Bearer ${token}`).send({ callerNumber: '+74951234567', extension: '1001', ringTimeoutSeconds: 600 }).expect(201))
      .body.call as CallDto;
  const rowOf = async (id: string) => (await query<{ status: string; ended_at: Date | null }>(database, `SELECT status, ended_at FROM calls WHERE id = $1`, [id]))[0];

  it('closes the stopped process`s ringing test call at the next start, and not a live process`s', async () => {
    const first = await start();
    const orphan = await simulate(first.app, first.token);
    const running = await start();
    const live = await simulate(running.app, running.token);
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);

    const next = await start();
    const closed = await eventually('the orphaned test call closed', async () => {
      const row = await rowOf(orphan.id);
      return row.ended_at !== null ? row : undefined;
    }, 10_000);
    expect(closed.status).not.toBe('ringing');
    const active = (await next.app.http().get('/api/calls/active').set('Authorization', `Bearer ${next.token}`).expect(200)).body as CallDto[];
    expect(active.map((c) => c.id)).not.toContain(orphan.id);
    expect(active.map((c) => c.id)).toContain(live.id);
    expect((await rowOf(live.id)).ended_at).toBeNull();
  });
});
