import { jsonNestsDeeperThan } from './json-depth';

const depthOf = (text: string, max: number) => jsonNestsDeeperThan(Buffer.from(text), max);

describe('jsonNestsDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(depthOf('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(depthOf('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(depthOf('{"a":"[[[[[[[[{{{{"}', 1)).toBe(false);
    expect(depthOf('{"a":"\\"[[[[[["}', 1)).toBe(false);
    expect(depthOf('["\\\\",[[1]]]', 2)).toBe(true);
  });

  it('reads a million levels without recursion', () => {
    expect(depthOf('['.repeat(1_000_000) + ']'.repeat(1_000_000), 32)).toBe(true);
  });
});
