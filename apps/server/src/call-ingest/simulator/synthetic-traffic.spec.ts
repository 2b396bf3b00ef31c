import { CallTracker } from '@app/ami';
import { syntheticTraffic } from './synthetic-traffic';

const options = {
  pbxId: 'load',
  calls: 300,
  callsPerSecond: 50,
  startAt: Date.parse('2026-11-26T12:00:00Z'),
  extensions: ['1001', '1002', '1003'],
  callers: ['+74951234567', '+74957654321'],
  varSetsPerPhase: 18,
  seed: 7,
};

describe('syntheticTraffic', () => {
  it('is time-ordered, deterministic and about 50 AMI events a call', () => {
    const a = syntheticTraffic(options);
    const b = syntheticTraffic(options);
    expect(a.messages.map((m) => m.receivedAt)).toEqual(b.messages.map((m) => m.receivedAt));
    const times = a.messages.map((m) => m.receivedAt);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(a.messages.length / options.calls).toBeGreaterThan(45);
    expect(a.messages.length / options.calls).toBeLessThan(60);
  });

  it('makes the tracker end every call exactly once with the planned outcome', () => {
    const traffic = syntheticTraffic(options);
    const tracker = new CallTracker();
    const ended = new Map<string, string>();
    for (const message of traffic.messages) {
      for (const event of tracker.handle(message)) {
        if (event.type !== 'ended') continue;
        expect(ended.has(event.call.linkedid)).toBe(false);
        ended.set(event.call.linkedid, event.call.status);
      }
    }
    expect(ended).toEqual(new Map(traffic.outcomes));
    const counts = [...traffic.outcomes.values()].reduce<Record<string, number>>((n, o) => ({ ...n, [o]: (n[o] ?? 0) + 1 }), {});
    expect(counts.answered).toBeGreaterThan(150);
    expect(counts.missed).toBeGreaterThan(30);
    expect(counts.abandoned).toBeGreaterThan(10);
    expect(tracker.stats().calls).toBe(0);
  });
});
