import { planPeriod, type GrainRange, type SignedRange } from './stats-periods';

const iso = (r: GrainRange | SignedRange) => `${'grain' in r ? r.grain : 'raw'}${r.sign < 0 ? '-' : '+'} ${r.lo.toISOString()} ${r.hi.toISOString()}`;

describe('planPeriod: what one user\'s percentiles read', () => {
  it('a local year (Moscow, UTC+3): whole months from rows, the last month as its row less its last 3 hours', () => {
    const plan = planPeriod(new Date('2025-11-30T21:00:00Z'), new Date('2026-11-30T21:00:00Z'), true)!;
    expect(plan.seconds.rows.map(iso)).toEqual(['m+ 2025-12-01T00:00:00.000Z 2026-11-01T00:00:00.000Z', 'm+ 2026-11-01T00:00:00.000Z 2026-12-01T00:00:00.000Z']);
    expect(plan.seconds.raw.map(iso)).toEqual(['raw+ 2025-11-30T21:00:00.000Z 2025-12-01T00:00:00.000Z', 'raw- 2026-11-30T21:00:00.000Z 2026-12-01T00:00:00.000Z']);
  });

  it('inside one month: its own calls when they are the shorter time, else the month less the rest', () => {
    const short = planPeriod(new Date('2026-06-10T00:00:00Z'), new Date('2026-06-12T00:00:00Z'), true)!;
    expect(short.seconds.rows).toEqual([]);
    expect(short.seconds.raw.map(iso)).toEqual(['raw+ 2026-06-10T00:00:00.000Z 2026-06-12T00:00:00.000Z']);
    const most = planPeriod(new Date('2026-06-02T00:00:00Z'), new Date('2026-06-29T00:00:00Z'), true)!;
    expect(most.seconds.rows.map(iso)).toEqual(['m+ 2026-06-01T00:00:00.000Z 2026-07-01T00:00:00.000Z']);
    expect(most.seconds.raw.map(iso)).toEqual(['raw- 2026-06-01T00:00:00.000Z 2026-06-02T00:00:00.000Z', 'raw- 2026-06-29T00:00:00.000Z 2026-07-01T00:00:00.000Z']);
  });

  it('all calls: hour, day and month rows, only the partial hours from calls', () => {
    const plan = planPeriod(new Date('2026-02-03T13:17:42Z'), new Date('2026-09-28T06:00:00Z'), false)!;
    expect(plan.seconds.raw.map(iso)).toEqual(['raw+ 2026-02-03T13:17:42.000Z 2026-02-03T14:00:00.000Z']);
    expect(plan.seconds.rows.every((r) => r.grain !== 'm' || r.lo.getUTCDate() === 1)).toBe(true);
  });
});
