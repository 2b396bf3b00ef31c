import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { cdrTime } from '../../apps/pbx-sim/src/engine/dialplan';
import type { SimCdrRecord } from '../../apps/pbx-sim/src/engine/pbx-engine';
import { PROJECT_ROOT } from './server-process';
import { testServerConnection } from './test-database';

/**
 * The cdr_pgsql table of the README (docker/asterisk/cdr-pgsql.sql) in a test database, filled
 * with the simulator's CDR records as cdr_pgsql would write them (times as the PBX's wall clock:
 * the simulator's is UTC). `write` is pbx-sim's `onCdr`.
 */
export class CdrTable {
  readonly byUniqueid = new Map<string, SimCdrRecord>();
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: Client,
    private readonly database: string,
  ) {}

  static async create(database: string): Promise<CdrTable> {
    const client = new Client(testServerConnection(database));
    await client.connect();
    await client.query(readFileSync(join(PROJECT_ROOT, 'docker/asterisk/cdr-pgsql.sql'), 'utf8'));
    return new CdrTable(client, database);
  }

  /** ASTERISK_CDR_DB_URL for it. */
  get url(): string {
    const c = testServerConnection(this.database);
    return `postgres://${encodeURIComponent(String(c.user))}${c.password ? `:${encodeURIComponent(String(c.password))}` : ''}@${c.host}:${c.port}/${this.database}`;
  }

  readonly write = (r: SimCdrRecord): void => {
    this.byUniqueid.set(r.uniqueid, r);
    this.writes = this.writes.then(() =>
      this.client.query(
        `INSERT INTO cdr (start, answer, "end", clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, duration, billsec, disposition, amaflags, accountcode, uniqueid, linkedid, userfield)
         VALUES ($1::timestamp, $2::timestamp, $3::timestamp, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
        [cdrTime(r.start), cdrTime(r.answer) || null, cdrTime(r.end), r.clid, r.src, r.dst, r.dcontext, r.channel, r.dstchannel, r.lastapp, r.lastdata, r.duration, r.billsec, r.disposition, r.amaflags, r.accountcode, r.uniqueid, r.linkedid, r.userfield],
      ),
    );
  };

  /** Resolves once every record handed to `write` so far is in the table. */
  flushed(): Promise<unknown> {
    return this.writes;
  }

  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
    await this.client.end();
  }
}
