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
