import type { CallTrackerEvent } from '@app/ami';
import { DataSource } from 'typeorm';
import { collapseBatch } from '../apps/server/src/call-ingest/store/call-batch-sql';
import { buildCallWrite, type CallDirectoryView } from '../apps/server/src/call-ingest/store/call-write-builder';
import { PgCallStore } from '../apps/server/src/call-ingest/store/pg-call-store';
import { makeCallRecord } from '../apps/server/src/call-ingest/testing/call-record-factory';
import { startTestApp, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

/** The store's SQL against a real, migrated database of its own. */
describe('PgCallStore', () => {
  const database = uniqueName('call_store');
  let testApp: TestApp;
  let store: PgCallStore;
  let seq = 0;

  beforeAll(async () => {
    await createDatabase(database);
    testApp = await startTestApp({ DB_NAME: database });
    store = new PgCallStore(testApp.app.get(DataSource));
  }, 60_000);

  afterAll(async () => {
    await testApp?.close();
    await dropDatabase(database);
  });

  const directoryOf = (users: Record<string, string>, companies: Record<string, string>): CallDirectoryView => ({
    userOf: (ext) => users[ext] ?? null,
    companyOf: (n) => companies[n] ?? null,
    normalize: (raw) => raw.replace(/[^\d+]/g, '') || null,
  });

  async function write(events: CallTrackerEvent[], directory = directoryOf({}, {})) {
    return store.write(collapseBatch(events.map((event) => buildCallWrite(event, seq++, directory, { writer: 'store-spec' }))));
  }

  it('stores a call whose user or company vanished after the directory was loaded, with that reference null', async () => {
    const [{ id: userId }] = await query<{ id: number }>(database, `INSERT INTO users (username, email, password_hash, role) VALUES ('gone', 'gone@example.com', 'x', 'operator') RETURNING id`);
    const [{ id: companyId }] = await query<{ id: number }>(database, `INSERT INTO companies (name) VALUES ('Gone Ltd') RETURNING id`);
    // The ingest's in-memory directory still names them when the call is written.
    const directory = directoryOf({ '1001': String(userId) }, { '+74951234567': String(companyId) });
    await query(database, `DELETE FROM users WHERE id = $1`, [userId]);
    await query(database, `DELETE FROM companies WHERE id = $1`, [companyId]);

    const call = makeCallRecord({ linkedid: '1795000100.1' });
    const stored = await write([{ type: 'ringing', at: call.startedAt + 10, call, extension: '1001', channel: 'SIP/1001-00000001' }], directory);
    expect(stored).toHaveLength(1);
    const [row] = await query(database, `SELECT assigned_user_id, caller_company_id, participant_user_ids FROM calls WHERE linkedid = '1795000100.1'`);
    expect(row).toEqual({ assigned_user_id: null, caller_company_id: null, participant_user_ids: [] });
  });

  it('keeps a call whose start is corrected into the next month once, moved with its key and timeline, and never moved back', async () => {
    const linkedid = '1796083199.7';
    // November has no partition here (its calls wait in calls_default), December has.
    await query(database, `SELECT crm_calls_add_partition('2026-12-01')`);
    const firstStart = Date.parse('2026-11-30T23:59:59.800Z');
    const ringing = makeCallRecord({ linkedid, startedAt: firstStart });
    await write([{ type: 'ringing', at: firstStart + 100, call: ringing, extension: '1001', channel: 'SIP/1001-00000007' }]);
    const stale = { type: 'ringing' as const, at: firstStart + 150, call: ringing, extension: '1002', channel: 'SIP/1002-00000008' };
    // A Cdr's start, later: the call began just after midnight (a snapshot's start was rounded).
    const corrected = makeCallRecord({ linkedid, startedAt: Date.parse('2026-12-01T00:00:00.300Z'), status: 'answered', answeredBy: '1001', answeredAt: firstStart + 900 });
    await write([{ type: 'answered', at: firstStart + 900, call: corrected, extension: '1001', channel: 'SIP/1001-00000007' }]);
    // A late duplicate of an older state changes nothing, its start included.
    expect(await write([stale])).toEqual([]);

    const rows = await query(database, `SELECT id, tableoid::regclass::text AS part, started_at, status FROM calls WHERE linkedid = $1`, [linkedid]);
    expect(rows).toEqual([{ id: expect.any(Number), part: 'calls_p2026_12', started_at: new Date('2026-12-01T00:00:00.300Z'), status: 'answered' }]);
    const [{ id }] = rows as Array<{ id: number }>;
    expect(await query(database, `SELECT id, started_at FROM call_keys WHERE linkedid = $1`, [linkedid])).toEqual([{ id, started_at: new Date('2026-12-01T00:00:00.300Z') }]);
    expect(await query(database, `SELECT type FROM call_events WHERE call_id = $1 ORDER BY occurred_at, id`, [id])).toEqual([{ type: 'ringing' }, { type: 'answered' }]);
  });
});
