import { appendFileSync } from 'node:fs';
import { cdrTime } from './dialplan';
import type { SimCdrRecord } from './pbx-engine';

/**
 * Appends each CDR record to a `Master.csv` as Asterisk's cdr_csv writes it (loguniqueid and
 * loguserfield on: 18 quoted columns, numbers bare, times as the PBX's wall clock).
 */
export function cdrCsvSink(path: string): (record: SimCdrRecord) => void {
  return (r) => {
    const text = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const fields = [
      text(r.accountcode), text(r.src), text(r.dst), text(r.dcontext), text(r.clid), text(r.channel), text(r.dstchannel),
      text(r.lastapp), text(r.lastdata), text(cdrTime(r.start)), text(cdrTime(r.answer)), text(cdrTime(r.end)),
      String(r.duration), String(r.billsec), text(r.disposition), text(r.amaflags), text(r.uniqueid), text(r.userfield),
    ];
    appendFileSync(path, `${fields.join(',')}\n`);
  };
}
