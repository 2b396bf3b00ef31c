import { runAmiFuzz } from './ami-fuzz';

describe('AMI fuzz (short run; `npm run fuzz` drives 1,000,000 inputs)', () => {
  it('20,000 generated inputs through the parser and the tracker: no crash, no slow input, bounded heap', () => {
    // The heap here is the whole jest run's (and without --expose-gc): `npm run fuzz` bounds it; this run bounds the tracker's state.
    const report = runAmiFuzz({ inputs: 20_000, seed: 14, batch: 5_000, maxHeapMiB: Number.POSITIVE_INFINITY, maxInputMs: 2000 });
    expect(report.inputs).toBe(20_000);
    expect(report.messages).toBeGreaterThan(20_000);
    expect(report.trackerEvents).toBeGreaterThan(1_000);
    // Ids come from a window of 48: the tracker holds no more live channels than that per PBX, and its
    // memory of ended ones stays within its limit (10,000 per PBX).
    expect(report.trackerStats.channels).toBeLessThanOrEqual(2 * 48);
    expect(report.trackerStats.recentChannels).toBeLessThanOrEqual(2 * 10_000);
  }, 120_000);
});
