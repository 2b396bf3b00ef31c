import { basename } from 'node:path';
import { AmiMessage } from '../protocol/ami-message';
import { AmiParser } from '../protocol/ami-parser';
import { type AmiFixtureSet, amiFixturePath, listAmiCaptures } from '../protocol/ami-fixtures';
import { type Capture, loadCapture, parseCapture } from '../replay/capture';
import { replayCaptures } from '../replay/capture-replay';
import { type CdrLine, readCdrCsv } from '../replay/cdr-csv';
import type { CallRecord, CallTrackerEvent } from './call-record';
import { CallTracker } from './call-tracker';
import { type ExpectedCall, FIXTURE_SCENARIOS, type FixtureScenario, toFixtureTime } from './testing/fixture-calls';
import { SeededRandom } from '../util/seeded-random';

const capturesOf = (s: FixtureScenario): Capture[] => s.captures.map((c) => loadCapture(amiFixturePath(c, s.set)));
const cdrPathOf = (s: FixtureScenario): string => amiFixturePath(`${s.captures[0].replace(/(\.part\d)?\.ami$/, '')}.cdr.csv`, s.set);
/** The capture sets the table covers completely. */
const TABLE_SETS: readonly AmiFixtureSet[] = ['ami', 'ami-fpbx'];

/** The fields a .md states, in the form it states them. */
function asStated(call: CallRecord): ExpectedCall {
  return {
    linkedid: call.linkedid,
    direction: call.direction,
    caller: call.caller,
    callerName: call.callerName,
    callee: call.callee,
    trunk: call.trunk,
    ringingExtensions: call.ringingExtensions,
    answeredBy: call.answeredBy,
    agents: call.agents,
    status: call.status as ExpectedCall['status'],
    startedAt: toFixtureTime(call.startedAt),
    answeredAt: call.answeredAt === null ? null : toFixtureTime(call.answeredAt),
    endedAt: call.endedAt === null ? 'open' : toFixtureTime(call.endedAt),
    ringSeconds: call.ringSeconds,
    talkSeconds: call.talkSeconds,
    holdSeconds: call.holdSeconds,
    hangupBy: call.hangupBy ?? 'system',
    hangupCause: call.hangupCause,
    recordings: call.recordings.map((r) => r.file),
    transfers: call.transfers.map((t) => ({ kind: t.kind, from: t.from, to: t.to, at: toFixtureTime(t.at) })),
    holds: call.holds.map((h) => ({ by: h.by, seconds: h.seconds, startedAt: toFixtureTime(h.startedAt), endedAt: h.endedAt === null ? 'open' : toFixtureTime(h.endedAt) })),
    crmCallId: call.crmCallId,
    cdr: null,
  };
}

function expectCalls(actual: CallRecord[], scenario: FixtureScenario): void {
  expect(actual.map((c) => c.linkedid)).toEqual(scenario.calls.map((c) => c.linkedid));
  actual.forEach((call, i) => {
    const expected = scenario.calls[i];
    expect(call.ended).toBe(true);
    expect(new Date(call.startedAt).toISOString().slice(0, 10)).toBe(scenario.day);
    // Talk time: within 1 s of the .md (its figures are measured, the CDR's truncated).
    expect(Math.abs(call.talkSeconds - expected.talkSeconds)).toBeLessThanOrEqual(1);
    expect({ ...asStated(call), talkSeconds: expected.talkSeconds }).toEqual({ ...expected, cdr: null });
  });
}

const endedCalls = (events: readonly CallTrackerEvent[]): CallRecord[] => events.filter((e) => e.type === 'ended').map((e) => e.call);

describe('CallTracker on the real captures', () => {
  it.each(TABLE_SETS)('covers every capture in test/fixtures/%s', (set) => {
    const covered = FIXTURE_SCENARIOS.filter((s) => s.set === set).flatMap((s) => s.captures).sort();
    expect(covered).toEqual(listAmiCaptures(set).map((path) => basename(path)));
  });

  describe.each(FIXTURE_SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    it('yields exactly the record(s) its .md describes', () => {
      const result = replayCaptures(capturesOf(scenario), { pbx: 'lab' });
      expect(result.open).toEqual([]);
      expectCalls(result.ended, scenario);
      for (const call of result.ended) expect(call.pbx).toBe('lab');
    });

    it("agrees with Asterisk's own CDR where the .md says it should", () => {
      const lines = readCdrCsv(cdrPathOf(scenario));
      const calls = replayCaptures(capturesOf(scenario)).ended;
      for (const expected of scenario.calls) {
        const call = calls.find((c) => c.linkedid === expected.linkedid)!;
        if (expected.cdr === null) {
          // A failed Originate makes no channel and no CDR.
          expect(lines.some((l) => l.dst === call.callee && l.src === call.caller)).toBe(false);
          continue;
        }
        const own = lines.filter((l) => l.uniqueid === expected.cdr!.uniqueid);
        expect(own.length).toBeGreaterThan(0);
        expect(dispositionOf(own)).toBe(cdrDisposition(call.status));
        const billsec = own.reduce((n, l) => n + l.billsec, 0);
        expect(billsec).toBe(expected.cdr.billsec);
        if (expected.cdr.talkMatchesBillsec) expect(Math.abs(call.talkSeconds - billsec)).toBeLessThanOrEqual(1);
        else expect(call.talkSeconds).not.toBe(billsec);
        expect(toFixtureTime(Date.parse(`${own[0].start.replace(' ', 'T')}Z`))).toBe(toFixtureTime(call.startedAt));
        const userfields = new Set(own.map((l) => l.userfield).filter((u) => u !== ''));
        for (const u of userfields) expect(call.recordings.map((r) => r.file)).toContain(`${u}.wav`);
      }
    });

    it('yields the same records when the bytes arrive in random chunks (1 byte .. 64 KiB)', () => {
      for (const seed of [1, 2, 3]) {
        const rng = new SeededRandom(seed * 7919 + scenario.name.length);
        const random = () => rng.next();
        const tracker = new CallTracker();
        const events: CallTrackerEvent[] = [];
        for (const capture of capturesOf(scenario)) {
          const parser = new AmiParser({ pbxId: 'lab' });
          let goodbye = false;
          for (const msg of feedInRandomPieces(capture, parser, random)) {
            goodbye ||= msg.kind === 'response' && msg.name === 'Goodbye';
            events.push(...tracker.handle(msg));
          }
          if (!goodbye) tracker.connectionLost('lab', capture.chunks[capture.chunks.length - 1].at);
        }
        expectCalls(endedCalls(events), scenario);
      }
    });
  });

  it('keeps two PBXs apart when their streams interleave by arrival time', () => {
    const single = FIXTURE_SCENARIOS.filter((s) => s.captures.length === 1);
    for (let i = 0; i < single.length; i++) {
      const a = single[i];
      const b = single[(i + 1) % single.length];
      // Line the two connections up on "ms since connect", so their calls overlap.
      const tagged = [
        ...timedMessages(capturesOf(a)[0], 'pbx-a'),
        ...timedMessages(capturesOf(b)[0], 'pbx-b'),
      ].sort((x, y) => x.ms - y.ms);
      const tracker = new CallTracker();
      const events = tagged.flatMap(({ msg }) => [...tracker.handle(msg)]);
      const ended = endedCalls(events);
      expectCalls(ended.filter((c) => c.pbx === 'pbx-a'), a);
      expectCalls(ended.filter((c) => c.pbx === 'pbx-b'), b);
      expect(tracker.stats().calls).toBe(0);
    }
  });

  describe('reconnect_mid_call', () => {
    const part1 = () => loadCapture(amiFixturePath('reconnect_mid_call.part1.ami'));
    const part2 = () => loadCapture(amiFixturePath('reconnect_mid_call.part2.ami'));

    it('part1 + part2 make one complete call: talk 12 s, hung up by the callee', () => {
      const { ended, open } = replayCaptures([part1(), part2()]);
      expect(open).toEqual([]);
      expect(ended).toHaveLength(1);
      expect(ended[0]).toMatchObject({ status: 'answered', talkSeconds: 12, hangupBy: 'callee', endReason: 'hangup', answeredBy: '1001' });
    });

    it('keeps the call open across the gap: no event between the drop and the hang-up', () => {
      const tracker = new CallTracker();
      const { events } = replayCaptures([part1()], { tracker });
      expect(events.map((e) => e.type)).toEqual(['recording_started', 'ringing', 'answered']);
      const messages = parseCapture(part2(), 'pbx');
      const complete = messages.findIndex((m) => m.name === 'CoreShowChannelsComplete');
      const snapshotEvents = messages.slice(0, complete + 1).flatMap((m) => [...tracker.handle(m)]);
      expect(snapshotEvents).toEqual([]);
      expect(tracker.openCalls('pbx')).toHaveLength(1);
    });

    it('from part2 alone, rebuilds the call from CoreShowChannels and completes it with the Cdr', () => {
      const { ended, events } = replayCaptures([part2()]);
      expect(events.map((e) => e.type)).toEqual(['answered', 'recording_started', 'recording_stopped', 'ended']);
      expect(ended).toHaveLength(1);
      const call = ended[0];
      expect(asStated(call)).toMatchObject({
        linkedid: '1795696954.83',
        direction: 'inbound',
        caller: '+74951234567',
        callee: '74959876543',
        answeredBy: '1001',
        status: 'answered',
        startedAt: '12:42:34',
        answeredAt: '12:42:35',
        endedAt: '12:42:47',
        talkSeconds: 12,
        hangupBy: 'callee',
        recordings: ['20261126-124234-+74951234567-74959876543.wav'],
      });
    });

    it('rebuilt by another ingest, states a recording the first one stored with its stored source, not the CDR userfield\'s guess', () => {
      const first = replayCaptures([part1()]).events.find((e) => e.type === 'recording_started');
      expect(first).toMatchObject({ recording: { source: 'mixmonitor' } });
      const stored = first!.type === 'recording_started' ? first!.recording : null;
      const tracker = new CallTracker();
      tracker.storedRecordings('pbx', [{ file: stored!.file, path: stored!.path, source: stored!.source }]);
      const { events } = replayCaptures([part2()], { tracker });
      const steps = events.filter((e) => e.type === 'recording_started' || e.type === 'recording_stopped');
      expect(steps.map((e) => e.type)).toEqual(['recording_started', 'recording_stopped']);
      for (const step of steps) expect(step).toMatchObject({ recording: { file: stored!.file, path: stored!.path, source: 'mixmonitor' } });
      // A file no ingest stored keeps the CDR's reading (a Monitor named by the userfield).
      const unknown = replayCaptures([part2()], { tracker: new CallTracker() }).events.find((e) => e.type === 'recording_stopped');
      expect(unknown).toMatchObject({ recording: { source: 'monitor', path: null } });
    });

    it('ends a call whose channels are gone from the snapshot, as system, at the time of the drop', () => {
      const tracker = new CallTracker();
      replayCaptures([part1()], { tracker });
      const lostAt = part1().chunks.at(-1)!.at;
      tracker.beginSnapshot('pbx');
      const events = tracker.endSnapshot('pbx', lostAt + 60_000);
      expect(events.map((e) => e.type)).toEqual(['recording_stopped', 'ended']);
      const call = endedCalls(events)[0];
      expect(call).toMatchObject({ status: 'answered', hangupBy: 'system', endReason: 'lost', endedAt: lostAt, answeredBy: '1001' });
      expect(call.talkSeconds).toBe(Math.round((lostAt - call.answeredAt!) / 1000));
      expect(tracker.stats()).toMatchObject({ calls: 0, channels: 0, bridges: 0 });
    });

    it('does not duplicate a call the snapshot lists again', () => {
      const tracker = new CallTracker();
      replayCaptures([part1(), part2()], { tracker });
      const rows = parseCapture(part2(), 'pbx').filter((m) => m.name === 'CoreShowChannel');
      expect(rows).toHaveLength(2);
      // The same listing replayed after the call ended: its channels hung up, nothing comes back.
      for (const row of rows) expect(tracker.handle(row)).toEqual([]);
      expect(tracker.openCalls()).toEqual([]);
    });
  });

  it('drops a Cdr that arrives after the final Hangup instead of starting a call', () => {
    const messages = parseCapture(loadCapture(amiFixturePath('blind_transfer_redirect.timestamps.ami')));
    const lastHangup = messages.map((m) => m.name).lastIndexOf('Hangup');
    const late = messages.slice(lastHangup + 1).filter((m) => m.name === 'Cdr');
    expect(late).toHaveLength(1);
    const tracker = new CallTracker();
    messages.forEach((m) => tracker.handle(m));
    expect(tracker.openCalls()).toEqual([]);
    expect(tracker.handle(late[0])).toEqual([]);
    expect(tracker.stats().calls).toBe(0);
  });

  it('uses the Timestamp header, not the arrival time, when the PBX sends one', () => {
    const capture = loadCapture(amiFixturePath('inbound_answered.timestamps.ami'));
    const [call] = replayCaptures([capture]).ended;
    // First Newchannel: Timestamp 1795696977.428980, arrived 12:42:57.429.
    expect(call.startedAt).toBe(1795696977428);
    // Last Hangup: Timestamp 1795696982.451814, arrived 12:43:02.455.
    expect(call.endedAt).toBe(1795696982451);
  });
});

function dispositionOf(lines: CdrLine[]): string {
  return lines.some((l) => l.disposition === 'ANSWERED') ? 'ANSWERED' : lines[0].disposition;
}

/** Asterisk's CDR cannot tell an abandoned call from a missed one: both are NO ANSWER. */
function cdrDisposition(status: CallRecord['status']): string {
  switch (status) {
    case 'answered':
      return 'ANSWERED';
    case 'busy':
      return 'BUSY';
    case 'missed':
    case 'abandoned':
      return 'NO ANSWER';
    default:
      return 'FAILED';
  }
}

/** Splits every recorded read at random points (never across reads, so arrival times stay exact). */
function* feedInRandomPieces(capture: Capture, parser: AmiParser, random: () => number): Generator<AmiMessage> {
  for (const chunk of capture.chunks) {
    let offset = chunk.offset;
    const end = chunk.offset + chunk.length;
    while (offset < end) {
      const size = Math.min(end - offset, 1 + Math.floor(random() ** 3 * 64 * 1024));
      yield* parser.push(capture.bytes.subarray(offset, offset + size), chunk.at);
      offset += size;
    }
  }
}

/** Each message with the `ms` since connect of the read that completed it. */
function timedMessages(capture: Capture, pbxId: string): { ms: number; msg: AmiMessage }[] {
  const parser = new AmiParser({ pbxId });
  return capture.chunks.flatMap((c) => parser.push(capture.bytes.subarray(c.offset, c.offset + c.length), c.at).map((msg) => ({ ms: c.ms, msg })));
}

