import { runAmiFuzz } from './ami-fuzz';

describe('AMI fuzz (short run; `npm run fuzz` drives 1,000,000 inputs)', () => {
  it('20,000 generated inputs through the parser and the tracker: no crash, no slow input, bounded heap', () => {
    const report = runAmiFuzz({ inputs: 20_000, seed: 14, batch: 5_000, maxHeapMiB: 1024, maxInputMs: 2000 });
    expect(report.inputs).toBe(20_000);
    expect(report.messages).toBeGreaterThan(20_000);
    expect(report.trackerEvents).toBeGreaterThan(1_000);
    // Ids come from pools of 48: the tracker holds no more channels than that per PBX.
    expect(report.trackerStats.channels).toBeLessThanOrEqual(2 * 48 * 4);
  }, 120_000);
});
