import fc from 'fast-check';
import { AmiMessage } from '../protocol/ami-message';
import { AmiParser } from '../protocol/ami-parser';
import { amiFixturePath, listAmiCaptures } from '../protocol/ami-fixtures';
import { loadCapture, parseCapture } from '../replay/capture';
import type { CallTrackerEvent } from './call-record';
import { CallTracker } from './call-tracker';

interface Chunk {
  bytes: Buffer;
  at: number;
}

// FreePBX-style captures add Local chains: a damaged name must not make a chain loop forever.
const CAPTURES = [...listAmiCaptures('ami'), ...listAmiCaptures('ami-fpbx')].map((path) => {
  const capture = loadCapture(path);
  return capture.chunks.map((c): Chunk => ({ bytes: capture.bytes.subarray(c.offset, c.offset + c.length), at: c.at }));
});

type Mutation =
  | { kind: 'bytes'; chunk: number; offset: number; bytes: Uint8Array }
  | { kind: 'drop' | 'duplicate'; index: number }
  | { kind: 'move'; from: number; to: number }
  | { kind: 'field'; index: number; key: number; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), chunk: fc.nat(), offset: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('move' as const), from: fc.nat(), to: fc.nat() }),
  // Values that break assumptions: empty, <unknown>, a Uniqueid/Linkedid of another channel, junk.
  fc.record({
    kind: fc.constant('field' as const),
    index: fc.nat(),
    key: fc.nat(),
    value: fc.oneof(fc.constantFrom('', '<unknown>', '1795696635.2', '1795696635.3', '1795696620.0', 'ANSWER', 'CANCEL', '6'), fc.string({ maxLength: 12 })),
  }),
);

function mutate(chunks: Chunk[], mutations: Mutation[]): AmiMessage[] {
  const bytes = chunks.map((c) => c.bytes);
  for (const m of mutations) {
    if (m.kind !== 'bytes') continue;
    const i = m.chunk % bytes.length;
    const at = m.offset % (bytes[i].length + 1);
    bytes[i] = Buffer.concat([bytes[i].subarray(0, at), m.bytes, bytes[i].subarray(at)]);
  }
  const parser = new AmiParser({ pbxId: 'pbx' });
  const messages = chunks.flatMap((c, i) => parser.push(bytes[i], c.at));
  for (const m of mutations) {
    if (messages.length === 0) break;
    if (m.kind === 'drop') messages.splice(m.index % messages.length, 1);
    else if (m.kind === 'duplicate') messages.splice(m.index % messages.length, 0, messages[m.index % messages.length]);
    else if (m.kind === 'move') messages.splice(m.to % messages.length, 0, ...messages.splice(m.from % messages.length, 1));
    else if (m.kind === 'field') {
      const target = messages[m.index % messages.length];
      const values = [...target.values];
      values[m.key % values.length] = m.value;
      messages[m.index % messages.length] = new AmiMessage(target.keys, values, target.receivedAt, target.pbxId, target.kind === 'greeting' ? 'greeting' : undefined);
    }
  }
  return messages;
}

describe('CallTracker under damaged input (property)', () => {
  it('never throws, and every call it started ends once a snapshot lists no channels', () => {
    fc.assert(
      fc.property(fc.nat({ max: CAPTURES.length - 1 }), fc.array(mutation, { maxLength: 25 }), (which, mutations) => {
        const messages = mutate(CAPTURES[which], mutations);
        const tracker = new CallTracker();
        const events: CallTrackerEvent[] = [];
        for (const msg of messages) events.push(...tracker.handle(msg));
        const last = Math.max(0, ...messages.map((m) => m.receivedAt));
        tracker.beginSnapshot('pbx');
        events.push(...tracker.endSnapshot('pbx', last + 1000));

        expect(tracker.stats()).toMatchObject({ calls: 0, channels: 0, bridges: 0, localChannels: 0 });
        const lastEvent = new Map<string, CallTrackerEvent>();
        for (const e of events) lastEvent.set(e.call.callId, e);
        for (const e of lastEvent.values()) {
          expect(e.type).toBe('ended');
          expect(e.call.ended).toBe(true);
          expect(e.call.endedAt).toBeGreaterThanOrEqual(e.call.startedAt);
          expect(e.call.talkSeconds).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('CallTracker memory', () => {
  /** The inbound_answered call, renumbered as call `n` and shifted `n * spacing` ms later. */
  function cloneCall(template: AmiMessage[], n: number, spacing: number): AmiMessage[] {
    const uid = String(2_000_000_000 + n);
    const hex = (k: number) => k.toString(16).padStart(8, '0');
    const rewrite = (v: string): string =>
      v.includes('1795696635.') || v.includes('-0000000') || v.includes('286016c0')
        ? v
            .replaceAll('1795696635.', `${uid}.`)
            .replaceAll('provider-00000002', `provider-${hex(2 * n)}`)
            .replaceAll('1001-00000003', `1001-${hex(2 * n + 1)}`)
            .replaceAll('286016c0', hex(n))
        : v;
    return template.map((m) => new AmiMessage(m.keys, m.values.map(rewrite), m.receivedAt + n * spacing, 'pbx'));
  }

  it('leaves no state behind once a stream of many overlapping calls has ended', () => {
    const template = parseCapture(loadCapture(amiFixturePath('inbound_answered.ami')), 'pbx').filter((m) => m.kind === 'event' && m.name !== 'FullyBooted');
    const calls = 1500;
    const stream = Array.from({ length: calls }, (_, n) => cloneCall(template, n, 250))
      .flat()
      .sort((a, b) => a.receivedAt - b.receivedAt);
    const tracker = new CallTracker({ recentChannelsLimit: 1000 });
    let ended = 0;
    let peak = 0;
    for (const msg of stream) {
      for (const e of tracker.handle(msg)) if (e.type === 'ended') ended++;
      peak = Math.max(peak, tracker.stats().calls);
    }
    expect(ended).toBe(calls);
    expect(peak).toBeGreaterThan(10);
    expect(tracker.stats()).toEqual({ pbxs: 1, calls: 0, channels: 0, bridges: 0, localChannels: 0, recentChannels: 1000, recentCalls: 1000 });
  });
});
