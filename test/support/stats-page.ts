import type { Page } from 'playwright-core';
import type { StatsDto } from '../../apps/server/src/stats/dto/stats.dto';
import { tableRows, textOf } from './browser';

const percent = (ratio: number) => new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(ratio);

/**
 * The statistics page (in English) shows exactly the numbers GET /api/stats returned for the
 * same period and time zone: the key figures, the table behind every chart, the missed calls
 * nobody called back, and a drawn chart per section.
 */
export async function expectStatsPageToShow(page: Page, stats: StatsDto): Promise<void> {
  expect(await textOf(page.getByTestId('kpi-calls'))).toBe(String(stats.totals.calls));
  expect(await textOf(page.getByTestId('kpi-answered'))).toBe(String(stats.totals.answered));
  expect(await textOf(page.getByTestId('kpi-answer-rate'))).toBe(percent(stats.totals.answerRate));
  expect(await textOf(page.getByTestId('kpi-missed-not-called-back'))).toBe(String(stats.missedNotCalledBack.count));
  expect(await textOf(page.getByText(`Hours in the time zone ${stats.timeZone}`))).toBe(`Hours in the time zone ${stats.timeZone}`);

  const numbers = (section: string) => tableRows(page.getByTestId(section).getByTestId('numbers'));
  expect(await numbers('stats-per-hour')).toEqual(
    stats.perHour
      .filter((bucket) => bucket.calls > 0)
      .map((bucket) => [String(bucket.hour).padStart(2, '0'), String(bucket.calls), String(bucket.answered)]),
  );
  expect(await numbers('stats-by-status')).toEqual([
    ['Answered', String(stats.totals.byStatus.answered)],
    ['Missed', String(stats.totals.byStatus.missed)],
    ['Busy', String(stats.totals.byStatus.busy)],
    ['Abandoned', String(stats.totals.byStatus.abandoned)],
    ['Failed', String(stats.totals.byStatus.failed)],
  ]);
  expect((await numbers('stats-per-user')).map((row) => row.slice(0, 4))).toEqual(
    stats.perUser.map((user) => [user.userName, String(user.calls), String(user.answered), String(user.unanswered)]),
  );
  expect(await numbers('stats-per-day')).toEqual(
    stats.perDay.map((day) => [day.day, String(day.calls), String(day.answered), percent(day.answered / day.calls)]),
  );
  if (stats.missedNotCalledBack.count > 0) {
    const missedRows = await tableRows(page.getByTestId('stats-missed').locator('table'));
    expect(missedRows.map((row) => row[1])).toEqual(stats.missedNotCalledBack.calls.map((call) => call.callerNumber));
  }
  // The charts are drawn (an SVG per chart section).
  for (const section of ['stats-per-hour', 'stats-by-status', 'stats-per-user', 'stats-per-day']) {
    expect({ section, svg: await page.getByTestId(section).locator('svg.recharts-surface').count() }).toEqual({ section, svg: 1 });
  }
}
