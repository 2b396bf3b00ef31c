import type { CallTrackerEvent } from '@app/ami';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { buildCallBatchStatement, collapseBatch } from '../apps/server/src/call-ingest/store/call-batch-sql';
import { buildCallWrite, type CallDirectoryView } from '../apps/server/src/call-ingest/store/call-write-builder';
import { BATCH_SESSION_OPTIONS, PgCallStore } from '../apps/server/src/call-ingest/store/pg-call-store';
import { makeCallRecord } from '../apps/server/src/call-ingest/testing/call-record-factory';
import { startTestApp, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, query, testServerConnection, uniqueName } from './support/test-database';

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
    await store?.close();
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

  it('reads the stored calls by their keys whatever the statistics: no scan of call_keys or of a month', async () => {
    // 1,500 calls of one PBX in one month, on a database autovacuum has not analysed yet (as the
    // first minutes of a new installation or a month): a generic plan made now must still look
    // each key up, not filter every call of the PBX (the plan before: 1,497 rows filtered out).
    const startedAt = Date.parse('2026-12-03T09:00:00Z');
    await query(database, `SELECT crm_calls_add_partition('2026-12-01')`);
    const ringing = (i: number): CallTrackerEvent => {
      const call = makeCallRecord({ linkedid: `1796290000.${i}`, startedAt: startedAt + i });
      return { type: 'ringing', at: call.startedAt + 10, call, extension: '1001', channel: `SIP/1001-${i}` };
    };
    for (let from = 0; from < 1500; from += 500) await write(Array.from({ length: 500 }, (_, i) => ringing(from + i)));
    const answered = [7, 700, 1400].map((i): CallTrackerEvent => {
      const call = makeCallRecord({ linkedid: `1796290000.${i}`, startedAt: startedAt + i, status: 'answered', answeredBy: '1001', answeredAt: startedAt + i + 900 });
      return { type: 'answered', at: startedAt + i + 900, call, extension: '1001', channel: `SIP/1001-${i}` };
    });
    const { text, values } = buildCallBatchStatement(collapseBatch(answered.map((event) => buildCallWrite(event, seq++, directoryOf({}, {}), { writer: 'store-spec' }))));
    const { plan } = await explainAnalyze({ text, values });
    const reads = planNodes(plan).filter((node) => /^(call_keys|calls_)/.test(node['Relation Name'] ?? ''));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((node) => node['Node Type'] === 'Seq Scan' || (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0) > 0)).toEqual([]);
    expect(await query(database, `SELECT count(*)::int AS n FROM calls WHERE linkedid LIKE '1796290000.%' AND status = 'answered'`)).toEqual([{ n: 3 }]);
  });

  it('gives the new calls of a batch their keys in the statement itself, not through a trigger run per call', async () => {
    const startedAt = Date.parse('2026-12-04T09:00:00Z');
    await query(database, `SELECT crm_calls_add_partition('2026-12-01')`);
    const ringing = Array.from({ length: 20 }, (_, i): CallTrackerEvent => {
      const call = makeCallRecord({ linkedid: `1796380000.${i}`, startedAt: startedAt + i });
      return { type: 'ringing', at: call.startedAt + 10, call, extension: '1001', channel: `SIP/1001-${i}` };
    });
    const statement = buildCallBatchStatement(collapseBatch(ringing.map((event) => buildCallWrite(event, seq++, directoryOf({}, {}), { writer: 'store-spec' }))));
    const { triggers } = await explainAnalyze(statement);
    // calls_key_insert (a plpgsql INSERT per row) cost each new call more than its row.
    expect(triggers.filter((t) => t['Trigger Name'] === 'calls_key_insert')).toEqual([]);
    const rows = await query<{ linkedid: string; keyed: boolean }>(
      database,
      `SELECT c.linkedid, k.id = c.id AND k.started_at = c.started_at AND k.pbx_id = c.pbx_id AS keyed
       FROM calls c LEFT JOIN call_keys k ON k.pbx_id = c.pbx_id AND k.linkedid = c.linkedid WHERE c.linkedid LIKE '1796380000.%'`,
    );
    expect(rows).toHaveLength(20);
    expect(rows.filter((r) => !r.keyed)).toEqual([]);
    expect(await query(database, `SELECT count(*)::int AS n FROM call_events e JOIN call_keys k ON k.id = e.call_id WHERE k.linkedid LIKE '1796380000.%'`)).toEqual([{ n: 20 }]);
  });

  /** EXPLAIN ANALYZE of a batch statement as the store runs it: prepared, generic, on a session set as the store's own. */
  async function explainAnalyze({ text, values }: { text: string; values: unknown[] }): Promise<{ plan: PlanNode; triggers: TriggerTime[] }> {
    const client = new Client({ ...testServerConnection(database), options: BATCH_SESSION_OPTIONS });
    await client.connect();
    try {
      await client.query(`PREPARE batch AS ${text}`);
      // EXPLAIN takes no bound parameters: the batch's two JSON documents as literals.
      const args = values.map((value) => client.escapeLiteral(String(value))).join(', ');
      const explained = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode; Triggers?: TriggerTime[] }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE batch(${args})`);
      const [result] = explained.rows[0]['QUERY PLAN'];
      return { plan: result.Plan, triggers: result.Triggers ?? [] };
    } finally {
      await client.end();
    }
  }

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

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

interface TriggerTime {
  'Trigger Name': string;
  Calls: number;
}

/** Every node of an EXPLAIN (FORMAT JSON) plan. */
function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}
