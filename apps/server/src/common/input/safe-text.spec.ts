import { toStorableText, unsafeTextProblems, unsafeTextReason } from './safe-text';

describe('safe text', () => {
  it('refuses NUL and unpaired surrogates, accepts pairs and any script', () => {
    expect(unsafeTextReason('ab\u0000')).toMatch(/NUL/);
    expect(unsafeTextReason('\ud800')).toMatch(/surrogate/);
    expect(unsafeTextReason('x\udc00')).toMatch(/surrogate/);
    expect(unsafeTextReason('\udc00\ud800')).toMatch(/surrogate/);
    expect(unsafeTextReason('Ромашка 😀 東京')).toBeNull();
  });

  it('names every bad field of a nested value, keys included', () => {
    expect(unsafeTextProblems({ name: 'a\u0000', phones: ['1', '\ud800'], nested: { ['k\u0000']: 1 }, n: 5 })).toEqual([
      { field: 'name', messages: ['name must not contain NUL characters'] },
      { field: 'phones.1', messages: ['phones.1 must not contain unpaired UTF-16 surrogates'] },
      { field: 'nested.k\ufffd', messages: ['a field name must not contain NUL characters'] },
    ]);
    expect(unsafeTextProblems('\u0000', 'id')).toEqual([{ field: 'id', messages: ['id must not contain NUL characters'] }]);
    expect(unsafeTextProblems(Buffer.from([0, 0xd8]))).toEqual([]);
  });

  it('makes server-side text storable by replacing what cannot be stored', () => {
    expect(toStorableText({ a: ['x\u0000', { ['\ud800']: 'ok 😀' }], n: 1 })).toEqual({ a: ['x\ufffd', { '\ufffd': 'ok 😀' }], n: 1 });
  });
});
