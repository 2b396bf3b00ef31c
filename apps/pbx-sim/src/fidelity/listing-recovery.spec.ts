import { AmiMessage, CallTracker, SeededRandom, type CallRecord } from '@app/ami';
import { demoPbxConfig } from '../demo-defaults';
import { CallPlacer } from '../engine/call-placer';
import { TrafficGenerator } from '../traffic/traffic-generator';
import { resolveProfile } from '../traffic/traffic-profile';
import { FidelityHarness } from './capture-scenarios';

const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const CUT_AT = 2000;
const BACK_AT = 12000;

/** Generated traffic with transfers on the virtual clock, every message stamped with its time, and a listing asked for at `listAt`. */
function traffic(seed: number, listAt: number): AmiMessage[] {
  const h = new FidelityHarness(START, { config: demoPbxConfig({ recordingsPath: null, inboundDialTimeoutSec: 3, internalDialTimeoutSec: 3 }) });
  const stamps: number[] = [];
  const push = h.messages.push.bind(h.messages);
  h.messages.push = (...messages) => {
    for (let i = 0; i < messages.length; i++) stamps.push(h.clock.now());
    return push(...messages);
  };
  const profile = resolveProfile({
    cps: 10,
    maxConcurrent: 1_000_000,
    ringMs: { min: 200, max: 800 },
    talkMs: { median: 600, sigma: 0.5, min: 200, max: 1500 },
    operations: { blindTransfer: 0.1, attendedTransfer: 0.1, hold: 0, record: 0.1 },
  });
  const generator = new TrafficGenerator(h.engine, new CallPlacer(h.engine), profile, new SeededRandom(seed), h.clock);
  generator.start();
  h.at(listAt, () => h.action({ Action: 'CoreShowChannels' }));
  h.at(BACK_AT + 4000, () => generator.stop());
  h.run();
  return h.messages.map((m, i) => new AmiMessage(m.keys, m.values, stamps[i], 'pbx'));
}

function endedCalls(tracker: CallTracker, messages: readonly AmiMessage[]): CallRecord[] {
  const out: CallRecord[] = [];
  for (const m of messages) for (const e of tracker.handle(m)) if (e.type === 'ended' && e.call.endReason !== 'merged') out.push(e.call);
  return out;
}

/**
 * The tracker out of sight of the PBX from 2 s to 12 s (the AMI link cut; or, `fresh`, a process
 * that starts at 12 s knowing nothing), then the events from 12 s on with a channel listing asked
 * for a moment later, as the ingest does after a login. Every call whose end it saw must end as
 * it does seen whole (direction, status), whatever the listing caught it doing: ringing, in a
 * transfer's consultation, on hold. Only a call picked up after its caller had gone cannot know
 * who called: it says so (`callerSeen: false`) and Asterisk's CDR completes it.
 */
describe('calls picked up around a channel listing end as they do seen whole', () => {
  it.each([
    ['after a cut link', false],
    ['by a process that just started', true],
  ] as const)('%s (generated traffic with transfers, 8 seeds, listings 0 and 80 ms after the login)', (_name, fresh) => {
    const wrong: string[] = [];
    let unseenCallers = 0;
    let picked = 0;
    for (let seed = 1; seed <= 8; seed++) {
      for (const listAfter of [0, 80]) {
        const messages = traffic(seed, BACK_AT + listAfter);
        const whole = new Map(endedCalls(new CallTracker(), messages).map((c) => [c.linkedids[0], c]));
        const tracker = new CallTracker();
        const before = fresh ? [] : messages.filter((m) => m.receivedAt < START + CUT_AT);
        endedCalls(tracker, before);
        tracker.connectionLost('pbx', START + CUT_AT);
        const after = endedCalls(tracker, messages.filter((m) => m.receivedAt >= START + BACK_AT));
        for (const open of tracker.openCalls()) wrong.push(`seed ${seed} +${listAfter}: ${open.linkedid} never ended`);
        for (const call of after) {
          if (call.endReason === 'lost') continue;
          if (call.callerSeen === false) {
            unseenCallers++;
            continue;
          }
          picked++;
          const seen = whole.get(call.linkedids[0]);
          if (seen === undefined) wrong.push(`seed ${seed} +${listAfter}: ${call.linkedid} invented`);
          else if (seen.direction !== call.direction || seen.status !== call.status) {
            wrong.push(`seed ${seed} +${listAfter}: ${call.linkedid} ${call.direction} ${call.status}, seen whole ${seen.direction} ${seen.status}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(picked).toBeGreaterThan(100);
    expect(unseenCallers).toBeGreaterThan(0);
  });
});
