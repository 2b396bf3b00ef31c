import { fromLocalInput } from '../common/format';

export const PERIOD_PRESETS = ['today', 'yesterday', 'last7', 'last30'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

export interface Period {
  from: string;
  to: string;
}

/** Midnight `days` days after the local day of `date` (calendar arithmetic, so DST days are right). */
function localMidnight(date: Date, days = 0): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/** A preset as [from, to) in the browser's local days, recomputed each time ("today" moves). */
export function presetPeriod(preset: PeriodPreset, now = new Date()): Period {
  const [fromDays, toDays] = { today: [0, 1], yesterday: [-1, 0], last7: [-6, 1], last30: [-29, 1] }[preset];
  return { from: localMidnight(now, fromDays).toISOString(), to: localMidnight(now, toDays).toISOString() };
}

/**
 * The period in the address: ?preset=last7, or ?from=…&to=… for a custom one (a link then shows
 * the same numbers to whoever opens it). Anything unreadable falls back to today.
 */
export function periodFromParams(params: URLSearchParams): { preset: PeriodPreset | 'custom'; period: Period } {
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to)) && Date.parse(from) < Date.parse(to)) {
    return { preset: 'custom', period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } };
  }
  const preset = (PERIOD_PRESETS as readonly string[]).includes(params.get('preset') ?? '') ? (params.get('preset') as PeriodPreset) : 'today';
  return { preset, period: presetPeriod(preset) };
}

export function customPeriodParams(fromLocal: string, toLocal: string): URLSearchParams | null {
  const from = fromLocalInput(fromLocal);
  const to = fromLocalInput(toLocal);
  return from && to && from < to ? new URLSearchParams({ from, to }) : null;
}
