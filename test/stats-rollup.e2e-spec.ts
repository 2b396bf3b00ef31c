import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../apps/server/src/database/data-source-options';
import { MIGRATIONS } from '../apps/server/src/database/migrations';
import { CallStatsRollup1795658000000 } from '../apps/server/src/database/migrations/1795658000000-call-stats-rollup';
import { FLUSH_LOCK_CLASS } from '../apps/server/src/database/migrations/1795659500000-call-stats-deferred';
import { StatsService, type StatsRequest } from '../apps/server/src/stats';
import { CallStatsFlushJob } from '../apps/server/src/call-ingest/stats-flush/call-stats-flush-job.service';
import { createUser, loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { Client } from 'pg';
import { createDatabase, dropDatabase, query, testServerConnection, uniqueName } from './support/test-database';

/**
 * The rollups (migration CallStatsRollup1795658000000) against the raw query: every number
 * GET /api/stats returns, for periods made of whole months, days, hours and partial hours, in
 * zones with whole, half and quarter hour offsets, for all users and for one, after inserts,
 * edits, moves across months, deletes, a user's deletion and a month archived and restored.
 */

const connection = () => ({ host: process.env.DB_HOST!, port: Number(process.env.DB_PORT), user: process.env.DB_USER!, password: process.env.DB_PASSWORD, ssl: false });

/** A small deterministic generator: the same calls on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const STATUSES = ['answered', 'answered', 'answered', 'missed', 'busy', 'abandoned', 'failed'];
const DIRECTIONS = ['inbound', 'inbound', 'outbound', 'internal'];
const ZONES = ['UTC', 'Europe/Moscow', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'Europe/Berlin'];

const STATS_TABLES = ['call_stats_rollup', 'call_stats_quarters', 'call_stats_seconds', 'call_stats_seconds_bins', 'call_stats_clock_hours', 'call_missed_open'];

/** Every rollup row (zero rows left by subtractions aside) and open missed call of `database`, in key order, as they are (no flush). */
function statsSnapshot(database: string): Promise<unknown[][]> {
  return Promise.all(
    STATS_TABLES.map((t) => query(database, `SELECT * FROM ${t} WHERE ${t === 'call_missed_open' ? 'true' : 'calls <> 0'} ORDER BY ${t === 'call_missed_open' ? '1' : t === 'call_stats_quarters' || t === 'call_stats_clock_hours' ? '1, 2' : '1, 2, 3, 4, 5'}`)),
  );
}

/** Rows of call_stats_pending: changes written and not yet applied. */
async function pendingChanges(database: string): Promise<number> {
  return Number((await query<{ n: string }>(database, `SELECT count(*) AS n FROM call_stats_pending`))[0].n);
}

/** Inserts `count` calls from 2031-01-20 to 2031-04-10 (four month partitions), some still live. */
async function insertCalls(database: string, count: number, users: number[], seed: number): Promise<void> {
  const next = random(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
  const rows = Array.from({ length: count }, (_, i) => {
    const started = Date.parse('2031-01-20T00:00:00Z') + Math.floor(next() * 80 * 86_400) * 1000 + Math.floor(next() * 1000);
    const status = pick(STATUSES);
    const ring = Math.floor(next() * 40);
    const talk = status === 'answered' ? Math.floor(next() * 600) : 0;
    const live = next() < 0.05;
    return {
      linkedid: `rollup-${seed}-${i}`,
      direction: pick(DIRECTIONS),
      status: live ? 'ringing' : status,
      external: next() < 0.9 ? `+7495${String(Math.floor(next() * 40)).padStart(7, '0')}` : null,
      started: new Date(started).toISOString(),
      ended: live ? null : new Date(started + (ring + talk) * 1000).toISOString(),
      ring,
      talk: live ? 0 : talk,
      hold: Math.floor(next() * 3) * 5,
      user: next() < 0.2 ? null : pick(users),
      endSource: live ? null : pick(['ami', 'ami', 'ami', 'cdr', 'unobserved']),
    };
  });
  await query(
    database,
    `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, status, caller_number, receiver_number, external_number,
       started_at, answered_at, ended_at, ring_seconds, talk_seconds, duration, hold_seconds, assigned_user_id, end_source)
     SELECT 'rollup', r.linkedid, r.linkedid, r.direction, r.status, COALESCE(r.external, '101'), '102', r.external,
       r.started, CASE WHEN r.status = 'answered' THEN r.started END, r.ended, r.ring, r.talk, r.talk, r.hold, r.user_id, r.end_source
     FROM json_to_recordset($1::json) AS r(linkedid text, direction text, status text, external text, started timestamptz,
       ended timestamptz, ring int, talk int, hold int, user_id int, end_source text)`,
    [JSON.stringify(rows.map((r) => ({ ...r, user_id: r.user, end_source: r.endSource })))],
  );
}

/** Edits of every kind a write path makes, each touching many calls at once. */
async function editCalls(database: string, users: number[]): Promise<void> {
  // Live calls end (the ingest), some answered.
  await query(database, `UPDATE calls SET status = 'answered', answered_at = started_at, ended_at = started_at + interval '90 seconds', talk_seconds = 77, duration = 77, end_source = 'ami' WHERE ended_at IS NULL AND id % 2 = 0`);
  await query(database, `UPDATE calls SET status = 'missed', ended_at = started_at + interval '20 seconds', end_source = 'cdr' WHERE ended_at IS NULL AND id % 3 = 0`);
  // Corrections: status, user, talk, end source (the CDR completion), direction.
  await query(database, `UPDATE calls SET status = 'answered', talk_seconds = 33, duration = 33, answered_at = started_at WHERE status = 'missed' AND id % 5 = 0`);
  await query(database, `UPDATE calls SET assigned_user_id = $1 WHERE id % 7 = 0`, [users[0]]);
  await query(database, `UPDATE calls SET talk_seconds = talk_seconds + 11, duration = talk_seconds + 11, end_source = 'cdr' WHERE end_source = 'unobserved' AND id % 2 = 1`);
  await query(database, `UPDATE calls SET direction = 'inbound', external_number = '+74950000001' WHERE id % 11 = 0`);
  // Calls moved across months (a corrected start), one to another year.
  await query(database, `UPDATE calls SET started_at = started_at + interval '17 days 3 hours 7 minutes' WHERE id % 13 = 0`);
  await query(database, `UPDATE calls SET started_at = started_at - interval '1 year' WHERE id % 97 = 0`);
  // The ingest's batch shape: one statement inserting and updating through CTEs.
  await query(
    database,
    `WITH ins AS (
       INSERT INTO calls (pbx_id, linkedid, call_uid, direction, status, caller_number, receiver_number, external_number, started_at, answered_at, ended_at, ring_seconds, talk_seconds, duration, assigned_user_id, end_source)
       VALUES ('rollup', 'cte-1', 'cte-1', 'inbound', 'answered', '+74950000001', '101', '+74950000001', '2031-02-28T23:59:59.5Z', '2031-02-28T23:59:59.5Z', '2031-03-01T00:02:00Z', 3, 120, 120, $1, 'ami'),
              ('rollup', 'cte-2', 'cte-2', 'inbound', 'missed', '+74950000002', '101', '+74950000002', '2031-03-01T00:00:00Z', NULL, '2031-03-01T00:00:30Z', 30, 0, 0, NULL, 'ami')
       RETURNING id),
     upd AS (UPDATE calls SET status = 'abandoned', talk_seconds = 0, duration = 0, answered_at = NULL WHERE id % 17 = 0 RETURNING id)
     SELECT (SELECT count(*) FROM ins) + (SELECT count(*) FROM upd)`,
    [users[1]],
  );
  // Deletes, and a user's deletion (ON DELETE SET NULL).
  await query(database, `DELETE FROM calls WHERE id % 19 = 0`);
  await query(database, `DELETE FROM call_keys WHERE id IN (SELECT id FROM calls WHERE id % 23 = 0)`);
  await query(database, `DELETE FROM users WHERE id = $1`, [users[2]]);
}

/** Periods: whole months, days and hours mixed with partial hours, a minute, a year. */
const PERIODS: Array<[string, string]> = [
  ['2031-01-01T00:00:00Z', '2032-01-01T00:00:00Z'],
  ['2031-02-01T00:00:00Z', '2031-03-01T00:00:00Z'],
  ['2031-01-20T21:00:00+03:00', '2031-04-02T00:00:00+03:00'],
  ['2031-01-25T13:17:42.123Z', '2031-03-30T05:59:59.999Z'],
  ['2031-02-10T00:00:00+05:30', '2031-02-11T00:00:00+05:30'],
  ['2031-02-10T10:30:00Z', '2031-02-10T14:45:00Z'],
  ['2031-02-10T10:30:00Z', '2031-02-10T11:29:00Z'],
  ['2031-03-01T00:00:00Z', '2031-03-01T00:00:01Z'],
  ['2030-01-01T00:00:00Z', '2031-03-15T07:00:00Z'],
  // Most of January at the start: its month less its first days and hours (the right ends above do the same at the end).
  ['2031-01-03T05:30:00Z', '2031-03-10T00:00:00Z'],
  // Inside one month, most of it: one user's percentiles read its month less the rest.
  ['2031-02-02T00:00:00+05:30', '2031-02-27T00:00:00+05:30'],
];

describe('statistics from the rollups equal the raw query', () => {
  const database = uniqueName('crm_stats_rollup');
  let testApp: TestApp;
  let stats: StatsService;
  let admin: string;
  let users: number[];

  beforeAll(async () => {
    await createDatabase(database);
    testApp = await startTestApp({ DB_NAME: database });
    stats = testApp.app.get(StatsService);
    admin = await loginAdmin(testApp);
    users = [];
    for (const name of ['ann', 'bob', 'cid', 'dan']) users.push((await createUser(testApp, admin, { username: `rollup-${name}`, role: 'operator' })).id);
    for (const month of ['2030-02-01', '2031-01-01', '2031-02-01', '2031-03-01', '2031-04-01']) await query(database, `SELECT crm_calls_add_partition($1::date)`, [month]);
  }, 120_000);

  afterAll(async () => {
    await testApp?.close();
    await dropDatabase(database);
  });

  /** The users editCalls leaves (it deletes the third). */
  const living = () => users.filter((_, i) => i !== 2);

  /** The API's answer (the rollups) and the raw query's, for every period, zone and user. */
  async function compareAll(): Promise<number> {
    let compared = 0;
    for (const [index, [from, to]] of PERIODS.entries()) {
      for (const tz of index < 4 ? ZONES : ZONES.slice(0, 3)) {
        for (const userId of [undefined, users[0], users[3]]) {
          const request: StatsRequest = { from: new Date(from), to: new Date(to), timeZone: tz, userId };
          const api = await testApp
            .http()
            .get('/api/stats')
            .query({ from, to, tz, ...(userId === undefined ? {} : { userId }) })
            .set('Authorization', `Bearer ${admin}`)
            .expect(200);
          const raw = await stats.stats({ ...request, source: 'raw' });
          expect({ from, to, tz, userId, stats: api.body }).toEqual({ from, to, tz, userId, stats: JSON.parse(JSON.stringify(raw)) });
          compared += 1;
        }
      }
    }
    return compared;
  }

  /** The coarse histograms (migration CallStatsSecondsBins1795659100000) sum the values they bin, no more, no less. */
  async function expectBinsEqualValues(): Promise<void> {
    const values = `SELECT user_key, grain, bucket, kind, seconds >> 5 AS bin, sum(calls) AS calls FROM call_stats_seconds GROUP BY 1, 2, 3, 4, 5 HAVING sum(calls) <> 0`;
    const bins = `SELECT user_key, grain, bucket, kind, bin, calls FROM call_stats_seconds_bins WHERE calls <> 0`;
    const [counts] = await query<{ values: string; differ: string }>(
      database,
      `SELECT (SELECT count(*) FROM (${values}) v) AS values, (SELECT count(*) FROM ((${values} EXCEPT ${bins}) UNION ALL (${bins} EXCEPT ${values})) d) AS differ`,
    );
    expect(counts).toEqual({ values: expect.not.stringMatching(/^0$/), differ: '0' });
    // The hour rows (migrations CallStatsClockHours1795659200000, CallStatsClockHalves1795659300000)
    // likewise sum their four quarters, and their first halves the first two.
    const hour = `date_bin('1 hour', bucket, '2000-01-01 00:00:00+00')`;
    const firstHalf = (column: string) => `sum(CASE WHEN bucket < ${hour} + interval '30 minutes' THEN ${column} ELSE 0 END)`;
    const quarters = `SELECT user_key, ${hour} AS bucket, sum(calls) AS calls, sum(answered) AS answered, ${firstHalf('calls')} AS calls_h1, ${firstHalf('answered')} AS answered_h1
      FROM call_stats_quarters GROUP BY 1, 2 HAVING sum(calls) <> 0 OR sum(answered) <> 0`;
    const hours = `SELECT user_key, bucket, calls, answered, calls_h1, answered_h1 FROM call_stats_clock_hours WHERE calls <> 0 OR answered <> 0`;
    const [clock] = await query<{ hours: string; differ: string }>(
      database,
      `SELECT (SELECT count(*) FROM (${quarters}) q) AS hours, (SELECT count(*) FROM ((${quarters} EXCEPT ${hours}) UNION ALL (${hours} EXCEPT ${quarters})) d) AS differ`,
    );
    expect(clock).toEqual({ hours: expect.not.stringMatching(/^0$/), differ: '0' });
  }

  it('after inserts, edits, moves across months, deletes and a deleted user', async () => {
    await insertCalls(database, 3000, users, 1);
    expect(await compareAll()).toBeGreaterThan(100);
    // The rollups are read: a year holds whole months.
    expect(Number((await query(database, `SELECT count(*) AS n FROM call_stats_rollup WHERE grain = 'm'`))[0].n)).toBeGreaterThan(0);
    await expectBinsEqualValues();
    await editCalls(database, users);
    await compareAll();
    await expectBinsEqualValues();
    // The edits reached what they meant to: a call in another year, open missed calls, the deleted user's calls unassigned.
    const [figures] = await query<{ year: string; open: string; unassigned: string }>(
      database,
      `SELECT (SELECT count(*) FROM calls WHERE started_at < '2031-01-01') AS year, (SELECT count(*) FROM call_missed_open) AS open,
              (SELECT count(*) FROM calls WHERE assigned_user_id = $1) AS unassigned`,
      [users[2]],
    );
    expect(figures).toEqual({ year: expect.not.stringMatching(/^0$/), open: expect.not.stringMatching(/^0$/), unassigned: '0' });
  }, 600_000);

  it('after a month is archived and restored, and after TRUNCATE', async () => {
    await insertCalls(database, 1000, living(), 5);
    await query(database, `CALL crm_calls_archive_month('2031-02-01')`);
    await compareAll();
    // A call of the archived month's dates arrives meanwhile (the default partition takes it).
    await insertCalls(database, 50, living(), 2);
    await expectBinsEqualValues();
    await query(database, `SELECT crm_calls_restore_month('2031-02-01')`);
    await compareAll();
    await expectBinsEqualValues();
    // Emptied the way docs/database.md says (the truncation cascades to calls).
    await query(database, `TRUNCATE call_keys CASCADE`);
    expect(await query(database, `SELECT (SELECT count(*) FROM call_stats_rollup) + (SELECT count(*) FROM call_missed_open) + (SELECT count(*) FROM call_stats_seconds_bins) + (SELECT count(*) FROM call_stats_clock_hours) AS n`)).toEqual([{ n: '0' }]);
  }, 600_000);

  it('archiving or restoring a month waits for a running flush (they took the same locks in opposite orders: deadlock)', async () => {
    await query(database, `SELECT crm_calls_add_partition('2032-06-01')`);
    // A flush in progress, as far as anyone can tell: its advisory lock held by another session.
    const flusher = new Client(testServerConnection(database));
    const archiver = new Client(testServerConnection(database));
    await flusher.connect();
    await archiver.connect();
    try {
      await archiver.query(`SET lock_timeout = '300ms'`);
      await flusher.query(`SELECT pg_advisory_lock($1, 0)`, [FLUSH_LOCK_CLASS]);
      await expect(archiver.query(`CALL crm_calls_archive_month('2032-06-01')`)).rejects.toThrow(/lock timeout/);
      await flusher.query(`SELECT pg_advisory_unlock($1, 0)`, [FLUSH_LOCK_CLASS]);
      await archiver.query(`CALL crm_calls_archive_month('2032-06-01')`);
      await flusher.query(`SELECT pg_advisory_lock($1, 0)`, [FLUSH_LOCK_CLASS]);
      await expect(archiver.query(`SELECT crm_calls_restore_month('2032-06-01')`)).rejects.toThrow(/lock timeout/);
      await flusher.query(`SELECT pg_advisory_unlock($1, 0)`, [FLUSH_LOCK_CLASS]);
      await archiver.query(`SELECT crm_calls_restore_month('2032-06-01')`);
    } finally {
      await flusher.end();
      await archiver.end();
    }
  });

  it('the server applies what is pending by itself, every STATS_FLUSH_INTERVAL_MS', async () => {
    await insertCalls(database, 200, living(), 9);
    const pending = () => pendingChanges(database);
    expect(await pending()).toBeGreaterThan(0);
    // Polled: PostgreSQL announces no flush. The job's interval is a second; ten are allowed.
    const deadline = Date.now() + 10_000;
    while ((await pending()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await pending()).toBe(0);
    // What the job applied, the API reports (it flushes too, but nothing is left for it).
    expect(await testApp.app.get(CallStatsFlushJob).tick()).toBe(0);
    await compareAll();
  }, 600_000);

  it('fails when a rollup is off by one call (the comparison can fail)', async () => {
    await insertCalls(database, 500, living(), 3);
    await compareAll();
    await query(database, `UPDATE call_stats_rollup SET calls = calls + 1 WHERE (grain, bucket, user_key, status, direction) IN (SELECT grain, bucket, user_key, status, direction FROM call_stats_rollup WHERE grain = 'm' LIMIT 1)`);
    await expect(compareAll()).rejects.toThrow();
  }, 600_000);

  it('fails when an hour row of the per-hour figures is off', async () => {
    await query(database, `TRUNCATE call_keys CASCADE`);
    await insertCalls(database, 500, living(), 7);
    await compareAll();
    await query(
      database,
      `UPDATE call_stats_clock_hours SET calls = calls + 1 WHERE (user_key, bucket) IN (SELECT user_key, bucket FROM call_stats_clock_hours WHERE user_key = -1 AND calls > 0 ORDER BY bucket LIMIT 1)`,
    );
    await expect(compareAll()).rejects.toThrow();
  }, 600_000);

  it('fails when the first half of an hour row is off (half-hour zones read it)', async () => {
    await query(database, `TRUNCATE call_keys CASCADE`);
    await insertCalls(database, 500, living(), 8);
    await compareAll();
    await query(
      database,
      `UPDATE call_stats_clock_hours SET calls_h1 = calls_h1 + 1 WHERE (user_key, bucket) IN (SELECT user_key, bucket FROM call_stats_clock_hours WHERE user_key = -1 AND calls > calls_h1 ORDER BY bucket LIMIT 1)`,
    );
    await expect(compareAll()).rejects.toThrow();
  }, 600_000);

  it('fails when a coarse histogram bin is off (the two-pass percentile reads them)', async () => {
    await query(database, `TRUNCATE call_keys CASCADE`);
    await insertCalls(database, 500, living(), 6);
    await compareAll();
    // The lowest talk bin of a month, where no 90th percentile falls: the ranks above it move.
    await query(
      database,
      `UPDATE call_stats_seconds_bins SET calls = calls + 1000 WHERE (user_key, grain, bucket, kind, bin) IN (
         SELECT user_key, grain, bucket, kind, bin FROM call_stats_seconds_bins WHERE user_key = -1 AND grain = 'm' AND kind = 't' ORDER BY bucket, bin LIMIT 1)`,
    );
    await expect(compareAll()).rejects.toThrow();
  }, 600_000);
});

describe('missed calls not called back, two writers at once', () => {
  const database = uniqueName('crm_stats_missed_race');
  beforeAll(async () => {
    await createDatabase(database);
    const all = await new DataSource(buildDataSourceOptions(connection(), database)).initialize();
    await all.runMigrations({ transaction: 'each' });
    await all.destroy();
  }, 120_000);
  afterAll(() => dropDatabase(database));

  /** Resolves once backend `pid` waits for a lock (polled: PostgreSQL announces no such event) or `done` says so. */
  async function waitingForLock(pid: number, done: () => boolean): Promise<string> {
    while (!done()) {
      const [row] = await query<{ wait: string | null }>(database, `SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1`, [pid]);
      if (row?.wait === 'Lock') return 'waiting';
    }
    return 'done';
  }

  it('an answered call committed after a missed call of the same number, written meanwhile, closes it', async () => {
    // Months apart, with other ring times: the two writes share no rollup row (whose lock would order them anyway).
    const insert = (linkedid: string, status: string, at: string, ring: number) =>
      `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, status, caller_number, receiver_number, external_number, started_at, answered_at, ended_at, ring_seconds, end_source)
       VALUES ('race', '${linkedid}', '${linkedid}', 'inbound', '${status}', '+74950000009', '101', '+74950000009', '${at}',
               ${status === 'answered' ? `'${at}'` : 'NULL'}, '${at}'::timestamptz + interval '1 minute', ${ring}, 'ami')`;
    const first = new Client(testServerConnection(database));
    const second = new Client(testServerConnection(database));
    await first.connect();
    await second.connect();
    try {
      // The missed call's writer has not committed when the callback's writer stores the callback.
      await first.query('BEGIN');
      await first.query(insert('missed', 'missed', '2031-05-01T10:00:00Z', 3));
      await second.query('BEGIN');
      const [{ pid }] = (await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      let stored = false;
      const callback = second.query(insert('callback', 'answered', '2031-06-02T10:05:00Z', 7)).finally(() => (stored = true));
      // The first commits once the second has stored its callback or waits for a lock the first holds.
      await waitingForLock(pid, () => stored);
      await first.query('COMMIT');
      await callback;
      await second.query('COMMIT');
    } finally {
      await first.end();
      await second.end();
    }
    await query(database, `SELECT crm_call_stats_flush()`);
    expect(await query(database, `SELECT count(*)::int AS open FROM call_missed_open`)).toEqual([{ open: 0 }]);
  }, 60_000);
});

describe('the rollup migration', () => {
  const database = uniqueName('crm_stats_rollup_migration');
  afterAll(() => dropDatabase(database));

  it('fills the rollups from the stored calls, equal to what the triggers build', async () => {
    await createDatabase(database);
    const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(CallStatsRollup1795658000000));
    const old = await new DataSource({ ...buildDataSourceOptions(connection(), database), migrations: before }).initialize();
    await old.runMigrations({ transaction: 'each' });
    await old.destroy();
    await query(database, `INSERT INTO users (username, email, password_hash, role) VALUES ('m1', 'm1@example.com', 'x', 'operator'), ('m2', 'm2@example.com', 'x', 'operator')`);
    const ids = (await query<{ id: number }>(database, `SELECT id FROM users ORDER BY id`)).map((u) => u.id);
    await insertCalls(database, 800, ids, 4);

    const all = await new DataSource(buildDataSourceOptions(connection(), database)).initialize();
    try {
      await all.runMigrations({ transaction: 'each' });
    } finally {
      await all.destroy();
    }
    const snapshot = async () => {
      await query(database, `SELECT crm_call_stats_flush()`);
      return statsSnapshot(database);
    };
    const backfilled = await snapshot();
    expect(backfilled[0].length).toBeGreaterThan(0);
    // The same calls written again through the triggers.
    await query(database, `CREATE TABLE calls_copy AS SELECT * FROM calls`);
    await query(database, `DELETE FROM calls`);
    await query(database, `SELECT crm_call_stats_flush()`);
    expect(await query(database, `SELECT (SELECT coalesce(sum(abs(calls)), 0) FROM call_stats_rollup) AS n`)).toEqual([{ n: '0' }]);
    await query(database, `INSERT INTO call_keys SELECT id, pbx_id, linkedid, started_at FROM calls_copy`);
    await query(database, `INSERT INTO calls SELECT * FROM calls_copy`);
    expect(await snapshot()).toEqual(backfilled);
  }, 120_000);
});

describe('statistics applied by the flush (migration CallStatsDeferred1795659500000)', () => {
  const database = uniqueName('crm_stats_flush');
  beforeAll(async () => {
    await createDatabase(database);
    const all = await new DataSource(buildDataSourceOptions(connection(), database)).initialize();
    await all.runMigrations({ transaction: 'each' });
    await all.destroy();
    for (const month of ['2031-01-01', '2031-02-01', '2031-03-01', '2031-04-01']) await query(database, `SELECT crm_calls_add_partition($1::date)`, [month]);
    await query(database, `INSERT INTO users (username, email, password_hash, role) VALUES ('f1', 'f1@example.com', 'x', 'operator'), ('f2', 'f2@example.com', 'x', 'operator')`);
  }, 120_000);
  afterAll(() => dropDatabase(database));

  const users = async () => (await query<{ id: number }>(database, `SELECT id FROM users ORDER BY id`)).map((u) => u.id);
  const snapshot = () => statsSnapshot(database);
  /** The rollups built anew from the calls as they are, as the rollup migration fills them. */
  async function rebuilt(): Promise<unknown[]> {
    await query(database, `TRUNCATE call_stats_rollup, call_stats_quarters, call_stats_seconds, call_missed_open`);
    await query(database, `SELECT crm_call_stats_apply('(SELECT 1 AS sign, x.* FROM calls x)')`);
    await query(database, `SELECT crm_call_missed_recompute('(SELECT 1 AS sign, x.* FROM calls x)')`);
    return snapshot();
  }
  const pending = () => pendingChanges(database);

  it('a write appends its net change, counted once the flush applies it; a rollback or an uncounted change appends nothing', async () => {
    await query(database, `TRUNCATE call_keys CASCADE`);
    await insertCalls(database, 600, await users(), 11);
    // Written, not yet applied: the rollups are as before the write.
    expect(await pending()).toBeGreaterThan(0);
    expect((await snapshot()).every((rows) => rows.length === 0)).toBe(true);
    expect(await query(database, `SELECT crm_call_stats_flush() > 0 AS applied`)).toEqual([{ applied: true }]);
    expect(await pending()).toBe(0);
    const flushed = await snapshot();
    expect(flushed[0].length).toBeGreaterThan(0);
    expect(flushed[5].length).toBeGreaterThan(0);
    expect(await rebuilt()).toEqual(flushed);

    // Nothing pending from a live call's progress, from columns the statistics do not read, or from a rollback.
    await query(database, `UPDATE calls SET caller_name = 'progress' WHERE ended_at IS NULL AND status <> 'answered'`);
    await query(database, `UPDATE calls SET recording_url = 'r.wav', updated_at = now() WHERE ended_at IS NOT NULL`);
    const client = new Client(testServerConnection(database));
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE calls SET talk_seconds = talk_seconds + 1, duration = duration + 1 WHERE ended_at IS NOT NULL`);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
    expect(await pending()).toBe(0);
    // A flush with nothing pending changes nothing.
    expect(await query(database, `SELECT crm_call_stats_flush() AS applied`)).toEqual([{ applied: '0' }]);
    expect(await snapshot()).toEqual(flushed);
  }, 120_000);

  it('applies a backlog larger than one step (20,000 pending rows) whole', async () => {
    await query(database, `TRUNCATE call_keys CASCADE`);
    await insertCalls(database, 24_000, await users(), 12);
    expect(await pending()).toBeGreaterThan(20_000);
    expect(Number((await query<{ applied: string }>(database, `SELECT crm_call_stats_flush() AS applied`))[0].applied)).toBeGreaterThan(20_000);
    expect(await pending()).toBe(0);
    const flushed = await snapshot();
    expect(await rebuilt()).toEqual(flushed);
  }, 180_000);

  it('writers and flushers at once: nothing lost, nothing counted twice', async () => {
    await query(database, `TRUNCATE call_keys CASCADE`);
    const [u1, u2] = await users();
    const WRITERS = 4;
    const ROUNDS = 40;
    const writers = Array.from({ length: WRITERS }, () => new Client(testServerConnection(database)));
    const flushers = [new Client(testServerConnection(database)), new Client(testServerConnection(database))];
    await Promise.all([...writers, ...flushers].map((c) => c.connect()));
    const batch = (w: number, r: number) => `'w${w}-r${r}-%'`;
    let writing = true;
    let appliedDuringWrites = 0;
    try {
      const write = async (client: Client, w: number) => {
        for (let r = 0; r < ROUNDS; r++) {
          await client.query('BEGIN');
          // New calls ring (the ingest's insert), the previous round's end (answered or missed), older ones are corrected or deleted.
          await client.query(
            `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, status, caller_number, receiver_number, external_number, started_at)
             SELECT 'race', 'w${w}-r${r}-' || g, 'w${w}-r${r}-' || g, (ARRAY['inbound', 'inbound', 'outbound'])[1 + g % 3], 'ringing',
                    '+7495000000' || (g % 4), '101', '+7495000000' || (g % 4),
                    timestamptz '2031-02-27T22:00:00Z' + (${w * 1000 + r * 10} + g) * interval '97 seconds'
             FROM generate_series(1, 6) g`,
          );
          await client.query(
            `UPDATE calls SET status = CASE WHEN id % 3 = 0 THEN 'missed' ELSE 'answered' END, answered_at = CASE WHEN id % 3 = 0 THEN NULL ELSE started_at END,
                    ended_at = started_at + interval '1 minute', ring_seconds = id % 20, talk_seconds = CASE WHEN id % 3 = 0 THEN 0 ELSE id % 50 END, duration = CASE WHEN id % 3 = 0 THEN 0 ELSE id % 50 END,
                    assigned_user_id = CASE WHEN id % 2 = 0 THEN ${u1}::int END, end_source = 'ami',
                    -- Half the missed calls from a number nobody answers: some stay open whatever order the writers' ids come in.
                    external_number = CASE WHEN id % 6 = 0 THEN '+74959990000' ELSE external_number END
             WHERE pbx_id = 'race' AND linkedid LIKE ${batch(w, r - 1)}`,
          );
          await client.query(`UPDATE calls SET talk_seconds = talk_seconds + 3, duration = duration + 3, assigned_user_id = ${u2}, hold_seconds = 5 WHERE pbx_id = 'race' AND linkedid LIKE ${batch(w, r - 3)} AND id % 2 = 1`);
          if (r % 7 === 6) await client.query(`DELETE FROM calls WHERE pbx_id = 'race' AND linkedid LIKE ${batch(w, r - 5)} AND id % 4 = 0`);
          await client.query(r % 5 === 4 ? 'ROLLBACK' : 'COMMIT');
        }
      };
      const flush = async (client: Client, wait: boolean) => {
        while (writing) {
          const [{ applied }] = (await client.query<{ applied: string }>(`SELECT crm_call_stats_flush($1) AS applied`, [wait])).rows;
          if (Number(applied) > 0) appliedDuringWrites += Number(applied);
        }
      };
      const flushing = Promise.all([flush(flushers[0], false), flush(flushers[1], true)]);
      await Promise.all(writers.map((client, w) => write(client, w))).finally(() => (writing = false));
      await flushing;
    } finally {
      await Promise.all([...writers, ...flushers].map((c) => c.end()));
    }
    expect(appliedDuringWrites).toBeGreaterThan(0);
    await query(database, `SELECT crm_call_stats_flush()`);
    expect(await pending()).toBe(0);
    const flushed = await snapshot();
    expect(flushed[0].length).toBeGreaterThan(0);
    expect(flushed[5].length).toBeGreaterThan(0);
    expect(await rebuilt()).toEqual(flushed);
  }, 180_000);
});
