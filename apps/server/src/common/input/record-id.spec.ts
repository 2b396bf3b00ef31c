import { parseRecordId } from './record-id';

describe('parseRecordId', () => {
  it.each(['1', '3', '2147483647'])('reads %j', (text) => expect(parseRecordId(text)).toBe(Number(text)));
  it.each(['0x3', '0003', '03', '+3', '3.0', '3e0', ' 3', '3 ', '0', '-1', '2147483648', '99999999999', '', '٣', '３'])('refuses %j', (text) =>
    expect(parseRecordId(text)).toBeNull(),
  );
  it('takes integers in range and nothing else', () => {
    expect(parseRecordId(7)).toBe(7);
    for (const value of [0, 1.5, 2 ** 31, NaN, null, undefined, ['1'], { id: 1 }]) expect(parseRecordId(value)).toBeNull();
  });
});
