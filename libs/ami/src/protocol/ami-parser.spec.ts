import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import { loadCapture, parseCapture } from '../replay/capture';
import { amiFixturePath, listAmiCaptures } from './ami-fixtures';
import { AmiMessage } from './ami-message';
import { AmiParser, AmiParserOptions } from './ami-parser';
import { SeededRandom } from '../util/seeded-random';

/** What a message is, independent of when it arrived. */
function shape(messages: AmiMessage[]): Array<[string, string, string[], string[]]> {
  return messages.map((m) => [m.kind, m.name, [...m.keys], [...m.values]]);
}

function feedWhole(bytes: Buffer, options?: AmiParserOptions): AmiMessage[] {
  return new AmiParser(options).push(bytes, 0);
}

/** Feeds `bytes` in chunks whose sizes come from `nextSize`. */
function feedChunked(bytes: Buffer, nextSize: () => number, options?: AmiParserOptions): { messages: AmiMessage[]; parser: AmiParser } {
  const parser = new AmiParser(options);
  const messages: AmiMessage[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const size = Math.max(1, nextSize());
    // Copy each chunk, as a socket read would be: nothing may alias the source.
    messages.push(...parser.push(Buffer.from(bytes.subarray(offset, offset + size)), 0));
    offset += size;
  }
  return { messages, parser };
}


/** Writes messages back as AMI bytes (every capture line is `Key: Value`). */
function serialise(messages: AmiMessage[]): Buffer {
  let out = '';
  for (const m of messages) {
    if (m.kind === 'greeting') {
      out += `${m.name}\r\n`;
      continue;
    }
    for (let i = 0; i < m.keys.length; i++) out += `${m.keys[i]}: ${m.values[i]}\r\n`;
    out += '\r\n';
  }
  return Buffer.from(out, 'utf8');
}

const bytesOf = (text: string) => Buffer.from(text, 'utf8');

describe('AmiParser on the real captures', () => {
  const captures = listAmiCaptures();

  it('finds every capture', () => {
    expect(captures.length).toBeGreaterThanOrEqual(15);
  });

  describe.each(captures.map((path) => [basename(path), path]))('%s', (_name, path) => {
    const bytes = readFileSync(path);
    const whole = feedWhole(bytes);

    it('reads the greeting and one message per terminator, and writes back byte-identical', () => {
      expect(whole[0].kind).toBe('greeting');
      expect(whole[0].name).toBe('Asterisk Call Manager/9.0.0');
      const terminators = bytes.toString('latin1').split('\r\n\r\n').length - 1;
      expect(whole.length - 1).toBe(terminators);
      expect(serialise(whole).equals(bytes)).toBe(true);
    });

    it.each([
      ['1 byte', () => () => 1],
      ['1..16 bytes', (seed: number) => { const r = new SeededRandom(seed); return () => 1 + Math.floor(r.next() * 16); }],
      ['1..4096 bytes', (seed: number) => { const r = new SeededRandom(seed); return () => 1 + Math.floor(r.next() * 4096); }],
      ['1..64 KiB', (seed: number) => { const r = new SeededRandom(seed); return () => 1 + Math.floor(r.next() * 65536); }],
      ['log-uniform 1..64 KiB', (seed: number) => { const r = new SeededRandom(seed); return () => Math.floor(2 ** (r.next() * 16)); }],
    ])('gives the same messages fed in chunks of %s', (_label, sizes) => {
      for (const seed of [1, 2, 3]) {
        const { messages, parser } = feedChunked(bytes, sizes(seed));
        expect(shape(messages)).toEqual(shape(whole));
        expect(parser.bufferedLength).toBe(0);
        expect(parser.stats.garbageMessages).toBe(0);
      }
    });

    it('stamps each message with the arrival time of the read that completed it', () => {
      const capture = loadCapture(path);
      const timed = parseCapture(capture, 'pbx-a');
      expect(shape(timed)).toEqual(shape(whole));
      const ends: number[] = [];
      const text = bytes.toString('latin1');
      for (let i = text.indexOf('\r\n\r\n'); i >= 0; i = text.indexOf('\r\n\r\n', i + 4)) ends.push(i + 4);
      const arrivalOf = (endOffset: number) => capture.chunks.find((c) => endOffset <= c.offset + c.length)!.at;
      timed.slice(1).forEach((m, i) => expect(m.receivedAt).toBe(arrivalOf(ends[i])));
      expect(timed.every((m) => m.pbxId === 'pbx-a')).toBe(true);
    });
  });

  it('keeps every value of a repeated key (Command output)', () => {
    const messages = feedWhole(readFileSync(amiFixturePath('actions_misc.ami')));
    const command = messages.find((m) => m.kind === 'response' && m.actionId === 'crmlab-5')!;
    const output = command.getAll('Output');
    expect(output).toHaveLength(8);
    expect(output[0]).toMatch(/^Channel +Location +State +Application\(Data\)/);
    expect(output[7]).toBe('36 calls processed');
  });

  it('keeps values that contain ": " whole', () => {
    const messages = feedWhole(readFileSync(amiFixturePath('actions_misc.ami')));
    const error = messages.find((m) => m.actionId === 'crmlab-9')!;
    expect(error.kind).toBe('response');
    expect(error.name).toBe('Error');
    expect(error.get('Message')).toBe('Channel does not exist: SIP/1009-0000ffff');
  });

  it('classifies OriginateResponse as an event although it carries Response:', () => {
    const messages = feedWhole(readFileSync(amiFixturePath('actions_misc.ami')));
    const originate = messages.filter((m) => m.actionId === 'crmlab-11');
    expect(originate.map((m) => [m.kind, m.name])).toEqual([
      ['response', 'Success'],
      ['event', 'OriginateResponse'],
    ]);
    expect(originate[1].get('Response')).toBe('Failure');
    expect(originate[1].get('Uniqueid')).toBe('<unknown>');
  });

  it('returns FullyBooted from the same read as the login response', () => {
    const bytes = readFileSync(amiFixturePath('inbound_answered.ami'));
    const firstRead = bytes.subarray(0, bytes.indexOf('Event: Newchannel'));
    const messages = new AmiParser().push(firstRead);
    expect(messages.map((m) => m.name)).toEqual(['Asterisk Call Manager/9.0.0', 'Success', 'FullyBooted']);
  });
});

describe('AmiParser edge cases', () => {
  it('keeps a bare LF inside a value (Park) and a bare CR', () => {
    const [m] = feedWhole(bytesOf('Response: Success\r\nMessage: Park successful\nSee parkinglot\r\nX: a\rb\r\n\r\n'), { expectGreeting: false });
    expect(m.get('Message')).toBe('Park successful\nSee parkinglot');
    expect(m.get('X')).toBe('a\rb');
  });

  it('tolerates stray blank lines between messages and at the start', () => {
    const messages = feedWhole(bytesOf('\r\n\r\nEvent: A\r\n\r\n\r\n\r\n\r\nEvent: B\r\n\r\n\r\n'), { expectGreeting: false });
    expect(messages.map((m) => m.name)).toEqual(['A', 'B']);
  });

  it('keeps empty values, "<unknown>", a missing space after the colon and both BridgeId spellings', () => {
    const [m] = feedWhole(bytesOf('Event: X\r\nAccountCode: \r\nEmpty:\r\nCallerIDName: <unknown>\r\nTight:value\r\nBridgeID: b1\r\n\r\n'), { expectGreeting: false });
    expect(m.get('AccountCode')).toBe('');
    expect(m.get('Empty')).toBe('');
    expect(m.get('CallerIDName')).toBe('<unknown>');
    expect(m.get('Tight')).toBe('value');
    expect(m.getAny('BridgeId', 'BridgeID')).toBe('b1');
  });

  it('reassembles a UTF-8 character split across reads', () => {
    const bytes = bytesOf('Asterisk Call Manager/9.0.0\r\nEvent: Newchannel\r\nCallerIDName: Алиса Ёлкина 🎧\r\n\r\n');
    const whole = feedWhole(bytes);
    expect(whole[1].get('CallerIDName')).toBe('Алиса Ёлкина 🎧');
    for (let cut = 1; cut < bytes.length; cut++) {
      const parser = new AmiParser();
      const split = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
      expect(shape(split)).toEqual(shape(whole));
    }
  });

  it('treats a stream without a banner as messages', () => {
    const messages = feedWhole(bytesOf('Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n'));
    expect(messages.map((m) => [m.kind, m.name])).toEqual([['event', 'FullyBooted']]);
  });

  it('reads old-style "Response: Follows" Command output whose lines hold colons', () => {
    const bytes = bytesOf(
      'Response: Follows\r\nPrivilege: Command\r\nActionID: a-1\r\n' +
        'Channel: SIP/1001-0000000a is up\nUptime: 12:00\n2 active calls\n--END COMMAND--\r\n\r\n',
    );
    const [m] = feedWhole(bytes, { expectGreeting: false });
    expect(m.kind).toBe('response');
    expect(m.name).toBe('Follows');
    expect(m.actionId).toBe('a-1');
    expect(m.getAll('Output')).toEqual(['Channel: SIP/1001-0000000a is up', 'Uptime: 12:00', '2 active calls']);
  });

  it('keeps a key named __proto__ as an ordinary key', () => {
    const [m] = feedWhole(bytesOf('Event: X\r\n__proto__: polluted\r\n\r\n'), { expectGreeting: false });
    expect(m.get('__proto__')).toBe('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(m.toJSON())).toBeNull();
  });

  it('counts and drops messages with no Event/Response/Action, and keeps going', () => {
    const seen: string[] = [];
    const parser = new AmiParser({ expectGreeting: false, onGarbage: (reason) => seen.push(reason) });
    const messages = parser.push(bytesOf('hello world\r\nno colon here\r\n\r\nEvent: After\r\nstray line\r\n\r\n'));
    expect(messages.map((m) => m.name)).toEqual(['After']);
    expect(messages[0].keys).toEqual(['Event', '']);
    expect(messages[0].values).toEqual(['After', 'stray line']);
    expect(parser.stats.garbageMessages).toBe(1);
    expect(seen).toEqual(['no-event-or-response']);
  });

  it('discards an oversize run up to its end, whether it arrives whole or dripping, and keeps memory bounded', () => {
    const max = 1024;
    const big = `Event: Big\r\nData: ${'x'.repeat(5000)}\r\n\r\n`;
    const bytes = bytesOf(`Event: Before\r\n\r\n${big}Event: After\r\n\r\n`);
    const whole = new AmiParser({ expectGreeting: false, maxMessageBytes: max });
    expect(whole.push(bytes).map((m) => m.name)).toEqual(['Before', 'After']);
    expect(whole.stats.oversizeDiscards).toBe(1);

    const { messages, parser } = feedChunked(bytes, () => 7, { expectGreeting: false, maxMessageBytes: max });
    expect(messages.map((m) => m.name)).toEqual(['Before', 'After']);
    expect(parser.stats.oversizeDiscards).toBe(1);
  });

  it('never buffers more than the limit of a stream with no message end, even fed byte by byte', () => {
    const max = 4096;
    const parser = new AmiParser({ maxMessageBytes: max });
    const garbage = Buffer.alloc(200_000, 'A');
    let peak = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < garbage.length; i++) {
      parser.push(garbage.subarray(i, i + 1));
      peak = Math.max(peak, parser.bufferedLength);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(peak).toBeLessThanOrEqual(max + 3);
    expect(parser.stats.oversizeDiscards).toBe(1);
    expect(ms).toBeLessThan(5000);
    expect(parser.push(bytesOf('\r\n\r\nEvent: Recovered\r\n\r\n')).map((m) => m.name)).toEqual(['Recovered']);
  });

  it('stays linear when one large message drips in byte by byte', () => {
    const value = 'v'.repeat(300_000);
    const bytes = bytesOf(`Event: Large\r\nData: ${value}\r\n\r\n`);
    const parser = new AmiParser({ expectGreeting: false });
    const out: AmiMessage[] = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < bytes.length; i++) out.push(...parser.push(bytes.subarray(i, i + 1)));
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5000);
    expect(out).toHaveLength(1);
    expect(out[0].get('Data')).toBe(value);
  });

  it('starts clean after reset (a reconnect)', () => {
    const parser = new AmiParser();
    parser.push(bytesOf('Asterisk Call Manager/9.0.0\r\nEvent: Half'));
    parser.reset();
    const messages = parser.push(bytesOf('Asterisk Call Manager/9.0.0\r\nResponse: Success\r\n\r\n'));
    expect(messages.map((m) => m.kind)).toEqual(['greeting', 'response']);
  });
});

describe('AmiParser properties', () => {
  const captureBytes = listAmiCaptures().map((p) => readFileSync(p));

  /** Feeds bytes at the given cut points; must neither throw nor keep more than the limit. */
  function feedAt(bytes: Uint8Array, cuts: number[], options: AmiParserOptions): AmiMessage[] {
    const parser = new AmiParser(options);
    const out: AmiMessage[] = [];
    let last = 0;
    for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
      out.push(...parser.push(Buffer.from(bytes.subarray(last, cut)), 0));
      expect(parser.bufferedLength).toBeLessThanOrEqual((options.maxMessageBytes ?? 1 << 20) + 3);
      last = cut;
    }
    return out;
  }

  // Bytes biased towards the characters that matter to framing.
  const amiByte = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(0x0d, 0x0a, 0x3a, 0x20, 0x00, 0xd0, 0xb0, 0xff) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    { weight: 2, arbitrary: fc.constantFrom(...Buffer.from('Event: Response: Action: EventList\r\n\r\n')) },
  );

  it('never throws on random bytes and gives the same messages however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(amiByte, { maxLength: 3000 }).map((a) => Uint8Array.from(a)),
        fc.array(fc.nat(3000), { maxLength: 40 }),
        fc.boolean(),
        (bytes, cuts, expectGreeting) => {
          const options = { expectGreeting, maxMessageBytes: 256 };
          const whole = feedAt(bytes, [], options);
          expect(shape(feedAt(bytes, cuts, options))).toEqual(shape(whole));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never throws on mutated captures, and mutation stays local', () => {
    fc.assert(
      fc.property(
        fc.nat(captureBytes.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (which, edits, cutSeeds) => {
          const mutated = [...captureBytes[which]];
          for (const [at, value, op] of edits) {
            const i = at % mutated.length;
            if (op === 'set') mutated[i] = value;
            else if (op === 'insert') mutated.splice(i, 0, value);
            else mutated.splice(i, 1);
          }
          const bytes = Uint8Array.from(mutated);
          const options = { maxMessageBytes: 8192 };
          const whole = feedAt(bytes, [], options);
          // Each edit can damage at most the message it lands in and the one after it.
          const original = feedAt(captureBytes[which], [], options);
          expect(whole.length).toBeGreaterThanOrEqual(original.length - 3 * edits.length);
          const cuts = cutSeeds.map((s) => s % bytes.length);
          expect(shape(feedAt(bytes, cuts, options))).toEqual(shape(whole));
        },
      ),
      { numRuns: 150 },
    );
  });
});
