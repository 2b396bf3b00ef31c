import { parse } from 'csv-parse/sync';
import { InvalidCsvError } from './companies.errors';

export const CSV_COLUMNS = ['name', 'phones', 'inn', 'email', 'notes'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: CsvColumn[] = ['name', 'phones'];
export const MAX_CSV_ROWS = 10_000;

export interface CompanyCsvRow {
  /** Line of the file where the record starts (the header is line 1). */
  row: number;
  values: Partial<Record<CsvColumn, string>>;
}

export interface CompanyCsv {
  rows: CompanyCsvRow[];
  ignoredColumns: string[];
}

/**
 * The text of an uploaded file: UTF-8 (a byte order mark is dropped) or UTF-16 with its byte
 * order mark, as spreadsheets save "Unicode text". Anything else is refused with a message
 * saying what to do, instead of being read as garbage that then lacks its columns.
 */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (looksLikeBomlessUtf16(bytes)) {
    throw new InvalidCsvError('The file looks like UTF-16 without a byte order mark: save it as "CSV UTF-8" (or UTF-16 with a BOM)');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InvalidCsvError(`The file is not UTF-8 text (line ${lineOfFirstInvalidUtf8(bytes)}): save it as "CSV UTF-8", not in a local code page such as Windows-1251`);
  }
}

/** ASCII text in UTF-16 has a zero byte in every other position. */
function looksLikeBomlessUtf16(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 512);
  let zeros = 0;
  for (const byte of sample) if (byte === 0) zeros++;
  return sample.length >= 4 && zeros * 4 >= sample.length;
}

function lineOfFirstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    try {
      decoder.decode(bytes.subarray(start, i));
    } catch {
      return line;
    }
    line++;
    start = i + 1;
  }
  return line;
}

/**
 * Reads a companies CSV: a header row naming the columns (any order, any case), then one
 * company per row. The delimiter is `,`, `;` or a tab, whichever the header uses (spreadsheets
 * in Russian locales save with `;`). A UTF-8 byte order mark is accepted.
 */
export function parseCompanyCsv(text: string): CompanyCsv {
  // One newline convention, so multi-line quoted values read the same from any platform.
  const content = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (content.trim() === '') throw new InvalidCsvError('The CSV is empty');
  const firstLine = content.slice(0, content.search(/\n|$/));
  const delimiter = detectDelimiter(firstLine);
  let header: string[];
  let records: { record: Record<string, string | undefined>; info: { lines: number } }[];
  try {
    header = (parse(firstLine, { delimiter, trim: true }) as string[][])[0].map((name) => name.toLowerCase());
    records = parse(content, {
      delimiter,
      columns: header,
      from_line: 2,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
    });
  } catch (error) {
    throw new InvalidCsvError(`The CSV cannot be read: ${(error as Error).message}`);
  }
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new InvalidCsvError(`The header must name the columns ${REQUIRED_COLUMNS.join(', ')}; missing: ${missing.join(', ')}`);
  if (records.length > MAX_CSV_ROWS) throw new InvalidCsvError(`The CSV has ${records.length} rows; the limit is ${MAX_CSV_ROWS}`);
  return {
    rows: records.map(({ record, info }) => ({
      // info.lines is the line where the record ends; quoted values may span lines.
      row: info.lines - Object.values(record).reduce((lines, value) => lines + (value?.split('\n').length ?? 1) - 1, 0),
      values: Object.fromEntries(CSV_COLUMNS.filter((column) => record[column] !== undefined).map((column) => [column, record[column]!])),
    })),
    ignoredColumns: header.filter((column) => !(CSV_COLUMNS as readonly string[]).includes(column)),
  };
}

function detectDelimiter(headerLine: string): string {
  const counts = [',', ';', '\t'].map((delimiter) => ({ delimiter, count: headerLine.split(delimiter).length - 1 }));
  return counts.reduce((best, candidate) => (candidate.count > best.count ? candidate : best)).delimiter;
}

/** Phones in one cell are separated by `;`, `|` or `,`. */
export function splitPhones(cell: string | undefined): string[] {
  return (cell ?? '')
    .split(/[;|,]/)
    .map((phone) => phone.trim())
    .filter((phone) => phone !== '');
}
