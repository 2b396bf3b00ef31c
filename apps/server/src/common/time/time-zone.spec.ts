import { dayIn, isTimeZone } from './time-zone';

describe('time zones', () => {
  it('knows IANA names and refuses anything else before ICU sees it', () => {
    expect(isTimeZone('Europe/Moscow')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('Europe/Moscow\u0000')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone(42)).toBe(false);
  });

  it('gives the bounds of the local day an instant falls in', () => {
    const at = new Date('2026-12-05T22:30:00Z');
    expect(dayIn('UTC', at)).toEqual({ from: new Date('2026-12-05T00:00:00Z'), to: new Date('2026-12-06T00:00:00Z') });
    // 01:30 on 6 December in Moscow (UTC+3).
    expect(dayIn('Europe/Moscow', at)).toEqual({ from: new Date('2026-12-05T21:00:00Z'), to: new Date('2026-12-06T21:00:00Z') });
    expect(dayIn('America/Los_Angeles', at)).toEqual({ from: new Date('2026-12-05T08:00:00Z'), to: new Date('2026-12-06T08:00:00Z') });
  });

  it('keeps a day that holds a daylight-saving change at its true length', () => {
    // Berlin springs forward on 29 March 2026: that day has 23 hours.
    const { from, to } = dayIn('Europe/Berlin', new Date('2026-03-29T12:00:00Z'));
    expect(from).toEqual(new Date('2026-03-28T23:00:00Z'));
    expect(to).toEqual(new Date('2026-03-29T22:00:00Z'));
  });
});
