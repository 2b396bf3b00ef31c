import { readFile } from 'node:fs/promises';
import { parseCsv } from '@app/ami';
import { cdrWallTime, type CdrRecord, type CdrSource } from './cdr-record';

/** Columns of a cdr_csv line with loguniqueid and loguserfield (Asterisk's defaults). */
const SRC = 1;
const DST = 2;
const CLID = 4;
const CHANNEL = 5;
const DSTCHANNEL = 6;
const START = 9;
const ANSWER = 10;
const END = 11;
const BILLSEC = 13;
const DISPOSITION = 14;
const UNIQUEID = 16;
const USERFIELD = 17;

/**
 * Asterisk's `Master.csv`, read whole at each lookup (a file mounted from the PBX; lines that
 * are not 18 columns, such as one being written, are skipped). It has no Linkedid: a call's
 * records are those whose Uniqueid is its first Linkedid (the caller's channel).
 */
export class CsvCdrSource implements CdrSource {
  readonly description: string;

  constructor(
    private readonly path: string,
    private readonly timeZone: string,
  ) {
    this.description = `Master.csv ${path}`;
  }

  async recordsOf(linkedids: string[]): Promise<CdrRecord[]> {
    const wanted = new Set(linkedids);
    return (await this.read()).filter((r) => wanted.has(r.uniqueid));
  }

  async recordsStartedBetween(from: number, to: number): Promise<CdrRecord[]> {
    return (await this.read()).filter((r) => r.start >= from && r.start <= to);
  }

  private async read(): Promise<CdrRecord[]> {
    const out: CdrRecord[] = [];
    for (const f of parseCsv(await readFile(this.path, 'utf8'))) {
      if (f.length !== 18) continue;
      const start = cdrWallTime(f[START], this.timeZone);
      const end = cdrWallTime(f[END], this.timeZone);
      if (start === null || end === null) continue;
      out.push({
        uniqueid: f[UNIQUEID],
        linkedid: null,
        start,
        answer: cdrWallTime(f[ANSWER], this.timeZone),
        end,
        billsec: Number(f[BILLSEC]) || 0,
        disposition: f[DISPOSITION],
        userfield: f[USERFIELD],
        src: f[SRC],
        dst: f[DST],
        clid: f[CLID],
        channel: f[CHANNEL],
        dstchannel: f[DSTCHANNEL],
      });
    }
    return out;
  }

  async close(): Promise<void> {}
}
