import { isIsoInstant, isPgTimestamptz } from './strict-timestamp';

describe('strict timestamps', () => {
  it.each(['2026-11-26 12:37:15.262+00', '2026-11-26 12:37:15+00', '2024-02-29 00:00:00.123456+05:30', '2026-11-26 23:59:59.5-03'])(
    'PostgreSQL output %j is a cursor timestamp',
    (text) => expect(isPgTimestamptz(text)).toBe(true),
  );
  it.each(['2026-02-30 00:00:00+00', '2025-02-29 00:00:00+00', '1', '2026-11-26', '2026-11-26T12:37:15Z', '2026-11-26 24:00:00+00', '2026-13-01 00:00:00+00', '99999-01-01 00:00:00+00', '2026-11-26 12:37:15+00 BC'])(
    '%j is not',
    (text) => expect(isPgTimestamptz(text)).toBe(false),
  );
  it('ISO instants round-trip exactly', () => {
    expect(isIsoInstant('2026-11-26T12:37:15.262Z')).toBe(true);
    for (const text of ['2026-02-30T00:00:00.000Z', '2026-11-26T12:37:15Z', '1', '+002026-11-26T12:37:15.262Z', 7]) expect(isIsoInstant(text)).toBe(false);
  });
});
