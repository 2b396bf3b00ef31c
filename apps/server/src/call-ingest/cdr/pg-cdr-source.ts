import { Pool } from 'pg';
import type { CdrRecord, CdrSource } from './cdr-record';

interface CdrRow {
  uniqueid: string;
  linkedid: string | null;
  start_ms: string;
  answer_ms: string | null;
  end_ms: string;
  billsec: number;
  disposition: string;
  userfield: string | null;
  src: string | null;
  dst: string | null;
  clid: string | null;
  channel: string | null;
  dstchannel: string | null;
}

/**
 * The table cdr_pgsql writes, read with the configured URL. cdr_pgsql fills the columns the
 * table has: `start`, `answer`, `end` (docker/asterisk/cdr-pgsql.sql) or the classic `calldate`
 * + `duration`; `linkedid` when present. Times are `timestamp` columns in the PBX's zone
 * (cdr_pgsql.conf `timezone`) or `timestamptz`.
 */
export class PgCdrSource implements CdrSource {
  readonly description: string;
  private readonly pool: Pool;
  private built: Promise<{ select: string; ofCalls: string; startMs: string }> | null = null;

  constructor(
    url: string,
    private readonly table: string,
    private readonly timeZone: string,
  ) {
    this.pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000, application_name: 'crm-cdr-reader' });
    this.pool.on('error', () => undefined);
    this.description = `cdr_pgsql ${table}`;
  }

  async recordsOf(linkedids: string[]): Promise<CdrRecord[]> {
    if (linkedids.length === 0) return [];
    const q = await this.queries();
    return this.run(`${q.select} WHERE ${q.ofCalls}`, [linkedids, this.timeZone]);
  }

  async recordsStartedBetween(from: number, to: number): Promise<CdrRecord[]> {
    const q = await this.queries();
    return this.run(`${q.select} WHERE ${q.startMs} BETWEEN $1 AND $3`, [from, this.timeZone, to]);
  }

  private async queries(): Promise<{ select: string; ofCalls: string; startMs: string }> {
    try {
      return await (this.built ??= this.buildQueries());
    } catch (error) {
      this.built = null;
      throw error;
    }
  }

  private async run(text: string, values: unknown[]): Promise<CdrRecord[]> {
    const { rows } = await this.pool.query<CdrRow>(text, values);
    return rows.map((r) => {
      const start = Number(r.start_ms);
      const answer = r.answer_ms === null ? null : Number(r.answer_ms);
      return {
        uniqueid: r.uniqueid,
        linkedid: r.linkedid || null,
        start,
        // An unanswered record's answer is empty or Asterisk's zero time.
        answer: answer !== null && answer >= start ? answer : null,
        end: Number(r.end_ms),
        billsec: r.billsec,
        disposition: r.disposition,
        userfield: r.userfield ?? '',
        src: r.src ?? '',
        dst: r.dst ?? '',
        clid: r.clid ?? '',
        channel: r.channel ?? '',
        dstchannel: r.dstchannel ?? '',
      };
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async buildQueries(): Promise<{ select: string; ofCalls: string; startMs: string }> {
    const [schema, name] = this.table.includes('.') ? this.table.split('.') : [null, this.table];
    const { rows } = await this.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND ($2::text IS NULL OR table_schema = $2)`,
      [name, schema],
    );
    const has = new Set(rows.map((r) => r.column_name));
    if (!has.has('uniqueid')) throw new Error(`${this.table} has no uniqueid column (cdr_pgsql's table?)`);
    const ms = (column: string) =>
      `(extract(epoch FROM (CASE WHEN pg_typeof(${column})::text = 'timestamp without time zone' THEN ${column}::timestamp AT TIME ZONE $2 ELSE ${column}::timestamptz END)) * 1000)::bigint`;
    const start = has.has('start') ? ms('start') : ms('calldate');
    const end = has.has('end') ? ms('"end"') : `${start} + duration * 1000`;
    const answer = has.has('answer') ? ms('answer') : `CASE WHEN disposition = 'ANSWERED' THEN ${end} - billsec * 1000 END`;
    const table = this.table.split('.').map((part) => `"${part}"`).join('.');
    const linkedid = has.has('linkedid');
    const text = (column: string) => (has.has(column) ? column : `''::text AS ${column}`);
    return {
      select: `SELECT uniqueid, ${linkedid ? 'linkedid' : 'NULL::text AS linkedid'}, ${start} AS start_ms, ${answer} AS answer_ms, ${end} AS end_ms,
                      billsec, disposition, ${['userfield', 'src', 'dst', 'clid', 'channel', 'dstchannel'].map(text).join(', ')}
               FROM ${table}`,
      ofCalls: `uniqueid = ANY($1)${linkedid ? ' OR linkedid = ANY($1)' : ''}`,
      startMs: start,
    };
  }
}
