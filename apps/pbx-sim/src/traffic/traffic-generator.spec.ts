import { createHash } from 'node:crypto';
import { VirtualClock } from '../clock/sim-clock';
import { PbxEngine } from '../engine/pbx-engine';
import { CallPlacer } from '../engine/call-placer';
import { formatEvent, type AmiEvent } from '../engine/ami-event';
import { asterisk22RuleViolations } from '../fidelity/asterisk22-rules';
import { AmiMessage, CallTracker, SeededRandom } from '@app/ami';
import { DEMO_EXTENSIONS, demoFreepbxProfile, demoPbxConfig } from '../demo-defaults';
import { playedStatus } from './played-status';
import { TrafficGenerator } from './traffic-generator';
import { resolveProfile, STEADY_PROFILE, TrafficProfile, TrafficProfileError } from './traffic-profile';

/** Ten virtual minutes of generated traffic; returns a digest of every event byte plus the stats. */
function simulate(seed: number, profile: Partial<TrafficProfile>, minutes = 10): { digest: string; maxActive: number; gen: TrafficGenerator; engine: PbxEngine } {
  const clock = new VirtualClock(Date.UTC(2026, 10, 26, 9, 0, 0));
  const engine = new PbxEngine({ config: demoPbxConfig({ recordingsPath: null }), clock, rng: new SeededRandom(seed) });
  const hash = createHash('sha256');
  let maxActive = 0;
  engine.onEvent((e) => {
    hash.update(formatEvent(e, true));
    maxActive = Math.max(maxActive, engine.stats.activeCalls);
  });
  const gen = new TrafficGenerator(engine, new CallPlacer(engine), resolveProfile(profile), new SeededRandom(seed + 1), clock);
  gen.start();
  clock.advance(minutes * 60_000);
  gen.stop();
  clock.runUntilIdle();
  return { digest: hash.digest('hex'), maxActive, gen, engine };
}

describe('traffic generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = simulate(42, { cps: 1, maxConcurrent: 20 });
    const b = simulate(42, { cps: 1, maxConcurrent: 20 });
    const c = simulate(43, { cps: 1, maxConcurrent: 20 });
    expect(a.gen.stats.placed).toBeGreaterThan(300);
    expect(b.digest).toBe(a.digest);
    expect(c.digest).not.toBe(a.digest);
  });

  it('keeps the call rate, the concurrency limit and the outcome mix', () => {
    const { gen, maxActive, engine } = simulate(7, { cps: 2, maxConcurrent: 15, talkMs: { median: 20000, sigma: 0.5, min: 5000, max: 60000 } });
    const offered = gen.stats.placed + gen.stats.skipped;
    expect(offered).toBeGreaterThan(1100);
    expect(offered).toBeLessThan(1300);
    expect(maxActive).toBeLessThanOrEqual(15);
    expect(gen.stats.skipped).toBeGreaterThan(0);
    expect(gen.stats.failedToPlace).toBe(0);
    const answered = gen.stats.byOutcome.answered ?? 0;
    expect(answered / gen.stats.placed).toBeGreaterThan(0.6);
    expect(answered / gen.stats.placed).toBeLessThan(0.8);
    expect(Object.keys(gen.stats.byKind).sort()).toEqual(['inbound', 'internal', 'outbound', 'queue']);
    expect(engine.stats.callsCompleted).toBe(engine.stats.callsStarted);
    expect(engine.liveChannels()).toEqual([]);
  });

  it.each([
    ['asterisk20', [1, 2, 3]],
    ['asterisk22', [4, 5]],
  ] as const)('ends every call and every channel under heavy transfers, holds and recordings (%s)', (dialect, seeds) => {
    const heavy: Partial<TrafficProfile> = {
      cps: 1.5,
      maxConcurrent: 12,
      operations: { blindTransfer: 0.25, attendedTransfer: 0.3, hold: 0.4, record: 0.4 },
      ringMs: { min: 200, max: 12000 },
      talkMs: { median: 6000, sigma: 1.2, min: 300, max: 60000 },
    };
    for (const seed of seeds) {
      const clock = new VirtualClock(Date.UTC(2026, 10, 26, 9, 0, 0));
      const errors: Error[] = [];
      const engine = new PbxEngine({ config: demoPbxConfig({ recordingsPath: null, dialect }), clock, rng: new SeededRandom(seed), onError: (e) => errors.push(e) });
      const gone = new Set<string>();
      const late: string[] = [];
      const events: AmiEvent[] = [];
      engine.onEvent((e) => {
        events.push(e);
        const ch = e.values[e.keys.indexOf('Channel')];
        if (ch && gone.has(ch) && e.name !== 'Cdr') late.push(`${e.name} ${ch}`);
        if (e.name === 'Hangup') gone.add(ch);
      });
      const gen = new TrafficGenerator(engine, new CallPlacer(engine), resolveProfile(heavy), new SeededRandom(seed), clock);
      gen.start();
      clock.advance(5 * 60_000);
      gen.stop();
      clock.runUntilIdle();
      expect({ seed, errors, late, live: engine.liveChannels().map((c) => c.name) }).toEqual({ seed, errors: [], late: [], live: [] });
      expect(engine.stats.callsCompleted).toBe(engine.stats.callsStarted);
      expect(engine.stats.callsStarted).toBeGreaterThan(120);
      if (dialect === 'asterisk22') expect(asterisk22RuleViolations(events)).toEqual([]);
    }
  });

  it.each(['asterisk20', 'asterisk22'] as const)('with the FreePBX profile (%s): ring groups, follow-me and Local-member queues, every call tracked with the status it played', (dialect) => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 26, 9, 0, 0));
    const errors: Error[] = [];
    const config = demoPbxConfig({ recordingsPath: null, dialect, freepbx: demoFreepbxProfile(DEMO_EXTENSIONS.map((x) => x.number)) });
    const engine = new PbxEngine({ config, clock, rng: new SeededRandom(11), onError: (e) => errors.push(e) });
    const tracker = new CallTracker();
    const statuses = new Map<string, string>();
    tracker.onEvent((event) => {
      if (event.type === 'ended') statuses.set(event.call.linkedid, event.call.status);
    });
    engine.onEvent((e) => tracker.handle(new AmiMessage(e.keys, e.values, e.at)));
    const played = new Map<string, { status: string; to: string | undefined }>();
    const profile = resolveProfile({ cps: 0.5, maxConcurrent: 10, kinds: { inbound: 3, outbound: 0, internal: 0, queue: 1 } });
    const gen = new TrafficGenerator(engine, new CallPlacer(engine), profile, new SeededRandom(12), clock, (call, req) => played.set(call.linkedid, { status: playedStatus(req), to: req.to }));
    gen.start();
    clock.advance(10 * 60_000);
    gen.stop();
    clock.runUntilIdle();
    expect({ errors, live: engine.liveChannels().map((c) => c.name) }).toEqual({ errors: [], live: [] });
    const viaFreepbx = [...played].filter(([, p]) => p.to && config.freepbx?.routes.some((r) => r.did === p.to));
    expect(viaFreepbx.length).toBeGreaterThan(60);
    expect(new Set(viaFreepbx.map(([, p]) => p.to))).toEqual(new Set(['74959876600', '74959876601', '74959876610', '74959876700']));
    expect([...played].filter(([linkedid, p]) => statuses.get(linkedid) !== p.status).map(([linkedid, p]) => `${p.to}: played ${p.status}, tracked ${statuses.get(linkedid)}`)).toEqual([]);
  });

  it('refuses an invalid profile, listing every problem', () => {
    expect(() => resolveProfile({ cps: -1, maxConcurrent: 0 })).toThrow(TrafficProfileError);
    expect(() => resolveProfile({ cps: -1, maxConcurrent: 0 })).toThrow(/cps must be a non-negative number; maxConcurrent must be a positive number/);
    expect(() => resolveProfile({ externalNumbers: ['not a number'] })).toThrow(/externalNumbers/);
    expect(resolveProfile({ cps: 3 })).toEqual({ ...STEADY_PROFILE, cps: 3 });
  });
});
