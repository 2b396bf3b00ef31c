import { amiFixturePath } from '../protocol/ami-fixtures';
import { CdrCsvError, parseCdrCsv, parseCsv, readCdrCsv } from './cdr-csv';

describe('CDR CSV reader', () => {
  it('reads quoted fields with doubled quotes, empty fields and bare numbers', () => {
    expect(parseCsv('"a","""Alice"" <1001>",,3\r\n"x,y",""\n')).toEqual([
      ['a', '"Alice" <1001>', '', '3'],
      ['x,y', ''],
    ]);
  });

  it('reads Master.csv lines as Asterisk writes them', () => {
    const [hangup, ...rest] = readCdrCsv(amiFixturePath('inbound_no_answer.cdr.csv')).reverse();
    expect(rest).toHaveLength(1);
    expect(hangup).toMatchObject({
      src: '+74951234567',
      clid: '"" <+74951234567>',
      dstchannel: '',
      lastapp: 'Hangup',
      answer: '',
      duration: 0,
      billsec: 0,
      disposition: 'NO ANSWER',
      uniqueid: '1795696650.4',
      userfield: '20261126-123730-+74951234567-74959876543',
    });
  });

  it('refuses a line with the wrong number of columns, and an open quote', () => {
    expect(() => parseCdrCsv('"a","b"\n')).toThrow(CdrCsvError);
    expect(() => parseCsv('"open')).toThrow(expect.objectContaining({ code: 'CDR_CSV_MALFORMED' }));
  });
});
