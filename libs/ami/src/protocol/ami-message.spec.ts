import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { listAmiCaptures } from './ami-fixtures';
import { AmiMessage } from './ami-message';
import { AmiParser } from './ami-parser';

/** The same text read lazily (parser path) and split at once. */
function bothWays(text: string): [AmiMessage, AmiMessage] {
  const lazy = new AmiMessage([], [], 0, 'p', undefined, text);
  const eager = new AmiMessage([], [], 0, 'p', undefined, text);
  void eager.keys; // forces the split
  return [lazy, eager];
}

describe('AmiMessage', () => {
  it('answers every lookup from the raw text exactly as from the split lines, on every captured message', () => {
    let checked = 0;
    for (const path of listAmiCaptures()) {
      const text = readFileSync(path, 'latin1');
      for (const frame of text.slice(text.indexOf('\r\n') + 2).split('\r\n\r\n').filter(Boolean)) {
        const [, eager] = bothWays(frame);
        for (const key of new Set([...eager.keys, 'Missing', 'Chan', 'Event', 'Linkedid'])) {
          // A fresh message per key: the first lookups are the ones served from the text.
          const [lazy] = bothWays(frame);
          expect(lazy.get(key)).toBe(eager.get(key));
          checked++;
        }
        const [lazy] = bothWays(frame);
        expect([lazy.kind, lazy.name]).toEqual([eager.kind, eager.name]);
      }
    }
    expect(checked).toBeGreaterThan(20_000);
  });

  it('answers lookups from the text like the split lines for any text (property)', () => {
    const piece = fc.constantFrom('Event', 'Response', 'Key', 'Ke', 'y', ':', ': ', '\r\n', '\r', '\n', ' ', 'Value', 'Follows', 'ActionID', '--END COMMAND--');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 30 }), fc.constantFrom('Event', 'Response', 'Key', 'Ke', 'y', 'Value', 'ActionID', 'Output', ':', 'Key:', ''), (pieces, key) => {
        const text = pieces.join('');
        const [lazy, eager] = bothWays(text);
        expect([lazy.kind, lazy.name]).toEqual([eager.kind, eager.name]);
        expect(lazy.get(key)).toBe(eager.get(key));
        expect(lazy.getAll(key)).toEqual(eager.getAll(key));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps answering correctly after it switches from text lookups to split lines', () => {
    const [m] = new AmiParser({ expectGreeting: false }).push(Buffer.from('Event: Newchannel\r\nChannel: SIP/1001-0000000a\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\nExten: 1002\r\n\r\n'));
    const reads = ['Channel', 'Uniqueid', 'Linkedid', 'Exten', 'Channel', 'Nope'].map((k) => m.get(k));
    expect(reads).toEqual(['SIP/1001-0000000a', '1.1', '1.1', '1002', 'SIP/1001-0000000a', undefined]);
    expect(m.keys).toEqual(['Event', 'Channel', 'Uniqueid', 'Linkedid', 'Exten']);
  });

  it('classifies by Event first, then Response, then Action', () => {
    const kinds = ['Response: Failure\r\nEvent: OriginateResponse', 'ActionID: 1\r\nResponse: Success', 'Action: Ping\r\nActionID: 2', 'Foo: bar'].map((t) => {
      const m = new AmiMessage([], [], 0, '', undefined, t);
      return [m.kind, m.name];
    });
    expect(kinds).toEqual([
      ['event', 'OriginateResponse'],
      ['response', 'Success'],
      ['action', 'Ping'],
      ['unknown', ''],
    ]);
  });

  it('keeps its text and pbx id through withPbx and serialises repeated keys as arrays', () => {
    const m = new AmiMessage([], [], 5, '', undefined, 'Event: X\r\nChanVariable: a=1\r\nChanVariable: b=2').withPbx('pbx-b');
    expect([m.pbxId, m.receivedAt, m.name]).toEqual(['pbx-b', 5, 'X']);
    expect(m.toJSON()).toEqual({ Event: 'X', ChanVariable: ['a=1', 'b=2'] });
  });
});
