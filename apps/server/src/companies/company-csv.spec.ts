import { parseCompanyCsv, splitPhones } from './company-csv';

describe('parseCompanyCsv', () => {
  it('reads the header in any case and order, with the delimiter the header uses', () => {
    for (const delimiter of [',', ';', '\t']) {
      const csv = ['Phones', 'NAME', 'inn'].join(delimiter) + '\n' + ['+7 495 1234567', 'Acme', '7701234567'].join(delimiter) + '\n';
      expect(parseCompanyCsv(csv)).toEqual({ rows: [{ row: 2, values: { name: 'Acme', phones: '+7 495 1234567', inn: '7701234567' } }], ignoredColumns: [] });
    }
  });

  it('numbers rows by the line they start on, across blank lines, CRLF and multi-line quoted values', () => {
    const csv = '\uFEFFname,phones,notes\r\nA,1,"two\r\nlines"\r\n\r\nB,2,\r\n';
    expect(parseCompanyCsv(csv).rows).toEqual([
      { row: 2, values: { name: 'A', phones: '1', notes: 'two\nlines' } },
      { row: 5, values: { name: 'B', phones: '2', notes: '' } },
    ]);
  });

  it('reports extra columns and tolerates short rows', () => {
    const parsed = parseCompanyCsv('name;phones;email;manager\nA\nB;1;b@example.com;Ivan\n');
    expect(parsed.ignoredColumns).toEqual(['manager']);
    expect(parsed.rows.map((row) => row.values)).toEqual([{ name: 'A' }, { name: 'B', phones: '1', email: 'b@example.com' }]);
  });

  it('rejects an empty file, a missing required column and broken quoting', () => {
    expect(() => parseCompanyCsv('  \n')).toThrow('The CSV is empty');
    expect(() => parseCompanyCsv('name,inn\nA,1\n')).toThrow('missing: phones');
    expect(() => parseCompanyCsv('name,phones\n"A,1\n')).toThrow(/cannot be read: Quote Not Closed/);
  });
});

describe('splitPhones', () => {
  it('splits on ; | and , and drops empty parts', () => {
    expect(splitPhones(' +7 495 1234567 ;8 800 555 35 35|1001,, ')).toEqual(['+7 495 1234567', '8 800 555 35 35', '1001']);
    expect(splitPhones(undefined)).toEqual([]);
  });
});
