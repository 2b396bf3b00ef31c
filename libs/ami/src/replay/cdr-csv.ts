import { readFileSync } from 'node:fs';

/** One `Master.csv` line (cdr_csv), columns as Asterisk writes them. */
export interface CdrLine {
  accountcode: string;
  src: string;
  dst: string;
  dcontext: string;
  clid: string;
  channel: string;
  dstchannel: string;
  lastapp: string;
  lastdata: string;
  /** PBX local time `YYYY-MM-DD HH:MM:SS`; '' when not answered. */
  start: string;
  answer: string;
  end: string;
  duration: number;
  billsec: number;
  /** ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION. */
  disposition: string;
  amaflags: string;
  uniqueid: string;
  userfield: string;
}

const COLUMNS = [
  'accountcode', 'src', 'dst', 'dcontext', 'clid', 'channel', 'dstchannel', 'lastapp', 'lastdata',
  'start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'amaflags', 'uniqueid', 'userfield',
] as const;

export class CdrCsvError extends Error {
  readonly code = 'CDR_CSV_MALFORMED';
}

/** RFC 4180 fields: quoted (with `""` for a quote) or bare; CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new CdrCsvError(`unterminated quoted field at offset ${i}`);
        field += text.slice(i, q);
        i = q + 1;
        if (text[i] !== '"') break;
        field += '"';
        i++;
      }
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
      if (i === n) row.push('');
      continue;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    rows.push(row);
    row = [];
  }
  return rows;
}

export function parseCdrCsv(text: string): CdrLine[] {
  return parseCsv(text)
    .filter((fields) => fields.length > 1 || fields[0] !== '')
    .map((fields, index) => {
      if (fields.length !== COLUMNS.length) throw new CdrCsvError(`line ${index + 1}: ${fields.length} columns, expected ${COLUMNS.length}`);
      const line = Object.fromEntries(COLUMNS.map((c, k) => [c, fields[k]])) as Record<(typeof COLUMNS)[number], string>;
      return { ...line, duration: Number(line.duration), billsec: Number(line.billsec) };
    });
}

export function readCdrCsv(path: string): CdrLine[] {
  return parseCdrCsv(readFileSync(path, 'utf8'));
}
