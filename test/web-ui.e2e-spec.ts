import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { CallDto } from '../apps/server/src/calls/dto/call.dto';
import { logIn as logInAs, openBrowser, requireChromium, rowCells, screenshot, tableRows, textOf, type BrowserSession } from './support/browser';
import { callDetail, eventually, listCalls, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { login, startTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './support/test-app';
import { expectStatsPageToShow } from './support/stats-page';
import { query } from './support/test-database';

/** createUser's default password (test/support/test-app.ts). */
const USER_PASSWORD = 'password-1234';
const ACME_NUMBER = '+7 (495) 123-45-67';

interface Simulated {
  id: string;
  state: string;
  call: CallDto | null;
}

/**
 * The web UI in Debian's Chromium against the real server (its own database, users alice and bob
 * (operators on 1001/1002), sue (supervisor), admin; companies Acme and Globex), calls made through
 * the test-call simulator. Screenshots of the main screens go to test-output/screenshots.
 */
describe('web UI in Chromium', () => {
  let e2e: CallsE2e;
  let baseURL: string;
  const sessions: BrowserSession[] = [];
  const testStartedAt = new Date();

  beforeAll(async () => {
    requireChromium();
    // The tests log the same users in many times a minute; the login throttle has its own tests.
    e2e = await startCallsE2e({ LOGIN_RATE_LIMIT: '1000' });
    await e2e.testApp.app.listen(0, '127.0.0.1');
    baseURL = `http://127.0.0.1:${(e2e.testApp.app.getHttpServer().address() as AddressInfo).port}`;
  }, 60_000);

  afterEach(async () => {
    const errors = sessions.flatMap((session) => session.pageErrors);
    for (const session of sessions.splice(0)) await session.close();
    expect(errors).toEqual([]);
  });

  afterAll(() => e2e?.close());

  async function browser(options: { locale?: string; timezoneId?: string; base?: string } = {}): Promise<Page> {
    const session = await openBrowser(options.base ?? baseURL, options);
    sessions.push(session);
    return session.page;
  }

  const logIn = (page: Page, username: string, password = USER_PASSWORD) => logInAs(page, username, password);

  const simulate = (path: string, body: object = {}) =>
    e2e.testApp.http().post(`/api/calls/simulate${path}`).set('Authorization', `Bearer ${e2e.sue.token}`).send(body);

  /** An inbound test call from Acme to an extension: answered and hung up, or abandoned while ringing. */
  async function simulatedCall(extension: string, outcome: 'answered' | 'abandoned'): Promise<CallDto> {
    const started = (await simulate('', { callerNumber: ACME_NUMBER, extension }).expect(201)).body as Simulated;
    if (outcome === 'answered') await simulate(`/${started.id}/answer`).expect(200);
    const ended = (await simulate(`/${started.id}/hangup`, { by: 'agent' }).expect(200)).body as Simulated;
    return ended.call!;
  }

  /** The ids of the call rows the history table shows (only the rendered ones: it is virtualised). */
  const shownCallIds = (page: Page) => page.locator('[data-call-id]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-call-id')!));

  it('fails with a clear message, never skips, when Chromium is missing', () => {
    expect(() => requireChromium('/nonexistent/chromium')).toThrow(
      "The browser tests need Debian's Chromium at /nonexistent/chromium, which is missing: install it with `apt-get install -y chromium` (.ci/run does). They never download a browser.",
    );
  });

  it('a bad login shows the error in words; a good one opens the call history', async () => {
    const page = await browser();
    await page.goto('/');
    await page.waitForURL('**/login');
    await screenshot(page, 'login');
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('alice');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-her-password');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    expect(await textOf(page.getByTestId('login-error'))).toBe('Login failed\nWrong username or password.');
    expect(page.url()).toMatch(/\/login$/);

    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL('**/live');
    expect(await textOf(page.getByRole('heading', { level: 2 }))).toBe('Live calls');
    expect(await textOf(page.getByTestId('current-user'))).toBe('Signed in as alice (operator)');

    // Logged out, the token is revoked on the server, and a protected address leads to the login and back after it.
    const token = await page.evaluate<string>(`JSON.parse(localStorage.getItem('crm.session')).accessToken`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await eventually('the token revoked', async () => (await fetch(`${baseURL}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status === 401 || undefined);
    // Logout ends every session of alice, the suite's own token of her too: it takes a new one.
    e2e.alice.token = await login(e2e.testApp, 'alice', USER_PASSWORD);
    await page.goto('/stats');
    await page.waitForURL('**/login');
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('alice');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL('**/stats');
  });

  it('an operator has no admin navigation and cannot open the admin screens', async () => {
    const page = await browser();
    await logIn(page, 'alice');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Calls', exact: true }).waitFor();
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Live calls', 'Calls', 'Statistics']);
    expect(await page.getByRole('button', { name: 'Test call' }).count()).toBe(0);
    for (const path of ['/admin/users', '/admin/companies', '/wallboard']) {
      await page.goto(path);
      expect({ path, text: await textOf(page.getByTestId('access-denied')) }).toEqual({
        path,
        text: expect.stringMatching(/^No access\nThis page is for administrator(, supervisor)?\. You are signed in as alice \(operator\)\.$/),
      });
      expect(await page.getByTestId('users-table').count()).toBe(0);
    }
  });

  it('the history shows the simulator`s calls, filters them, exports them, and opens one with its timeline', async () => {
    const answered = await simulatedCall('1001', 'answered');
    const abandoned = await simulatedCall('1002', 'abandoned');
    const page = await browser();
    await logIn(page, 'sue');

    // A test call placed from the UI itself, answered and hung up with its buttons.
    await page.getByRole('button', { name: 'Test call' }).click();
    const dialog = page.getByRole('dialog', { name: 'Test call' });
    await dialog.getByLabel('Extension that rings').fill('1002');
    await dialog.getByRole('button', { name: 'Start the test call' }).click();
    expect(await textOf(dialog.getByTestId('test-call-state'))).toMatch(/^Ringing on 1002\s+RINGING\s+Acme/);
    await dialog.getByRole('button', { name: 'Answer' }).click();
    await dialog.locator('[data-state="answered"]').waitFor();
    await dialog.getByRole('button', { name: 'Hang up' }).click();
    await dialog.locator('[data-state="ended"]').waitFor();
    await page.keyboard.press('Escape');

    const all = await listCalls(e2e, e2e.sue.token);
    expect(all).toHaveLength(3);
    await page.goto('/calls');
    await page.getByTestId('call-table').waitFor();
    expect(await shownCallIds(page)).toEqual(all.map((call) => call.id));
    expect(await textOf(page.getByTestId('calls-shown'))).toBe('Calls shown: 3 All matching calls are shown.');
    const row = page.locator(`[data-call-id="${answered.id}"]`);
    expect(rowCells(await row.innerText())).toEqual([
      expect.any(String),
      'Inbound',
      'ANSWERED',
      `${ACME_NUMBER} Acme`,
      '1001',
      'alice',
      expect.stringMatching(/^0:0\d$/),
      expect.stringMatching(/^0:0\d$/),
    ]);
    await screenshot(page, 'history');

    // Filters from the form: status "Abandoned" only.
    await page.getByRole('combobox', { name: 'Status', exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await page.getByRole('option', { name: 'Abandoned' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL('**/calls?status=abandoned');
    await page.locator(`[data-call-id="${answered.id}"]`).waitFor({ state: 'detached' });
    await page.locator(`[data-call-id="${abandoned.id}"]`).waitFor();
    expect(await shownCallIds(page)).toEqual([abandoned.id]);
    // A number that matches nothing says so.
    await page.goto('/calls?number=999999');
    expect(await textOf(page.getByText('No calls match these filters.'))).toBe('No calls match these filters.');

    // CSV export of the filtered list.
    await page.goto('/calls?status=answered');
    await page.getByTestId('call-table').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('calls.csv');
    const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(csv).toHaveLength(1 + all.filter((call) => call.status === 'answered').length);
    expect(csv.slice(1).join('\n')).toContain(answered.linkedid);

    // The detail with its timeline, as the API has it.
    await page.locator(`[data-call-id="${answered.id}"] a`).click();
    await page.waitForURL(`**/calls/${answered.id}`);
    // The detail page replaces the list once the call has loaded (a loading state in between).
    await page.getByRole('heading', { level: 2, name: `Call ${answered.id}`, exact: true }).waitFor();
    const detail = await callDetail(e2e, e2e.sue.token, answered.id);
    const steps = await page.getByTestId('call-timeline').locator('[data-step]').evaluateAll((items) => items.map((item) => item.getAttribute('data-step')));
    expect(steps).toEqual(detail.timeline.map((step) => step.type));
    expect(steps).toEqual(['ringing', 'answered', 'ended']);
    expect(await textOf(page.getByTestId('call-timeline'))).toContain('userId: alice');
    const summary = (await textOf(page.getByTestId('call-summary'))).replace(/\s+/g, ' ');
    for (const field of ['Company Acme', 'Assigned user alice', 'Answered by extension 1001', 'Hung up by Callee', 'PBX simulator']) expect(summary).toContain(field);
    await screenshot(page, 'call-detail');

    // Alice sees her own calls only, as the API scopes them.
    const alicePage = await browser();
    await logIn(alicePage, 'alice');
    await alicePage.goto('/calls');
    await alicePage.getByTestId('call-table').waitFor();
    expect(await shownCallIds(alicePage)).toEqual((await listCalls(e2e, e2e.alice.token)).map((call) => call.id));
    expect(await shownCallIds(alicePage)).toContain(answered.id);
    expect(await shownCallIds(alicePage)).not.toContain(abandoned.id);
    // Her call's timeline names her: an operator reads colleagues' names from the directory.
    await alicePage.locator(`[data-call-id="${answered.id}"] a`).click();
    await alicePage.waitForURL(`**/calls/${answered.id}`);
    await eventually('the names in the timeline', async () => (await textOf(alicePage.getByTestId('call-timeline'))).includes('userId: alice') || undefined);
  });

  it('the statistics show the numbers the API returns for the same period and time zone', async () => {
    // An answered call, and a missed one nobody called back.
    await simulatedCall('1001', 'answered');
    const missed = (await simulate('', { callerNumber: '+7 916 000-11-22', extension: '1002', ringTimeoutSeconds: 1 }).expect(201)).body as Simulated;
    await eventually('the missed call', async () => (await listCalls(e2e, e2e.sue.token, { status: 'missed' })).find((call) => call.linkedid === missed.id));
    const timeZone = 'Europe/Moscow';
    const from = new Date(testStartedAt.getTime() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const stats = (await e2e.testApp.http().get('/api/stats').query({ from, to, tz: timeZone }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200)).body;
    expect(stats.totals.calls).toBeGreaterThanOrEqual(2);

    const page = await browser({ timezoneId: timeZone });
    await logIn(page, 'sue');
    await page.goto(`/stats?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    await expectStatsPageToShow(page, stats);
    await screenshot(page, 'statistics', true);
  });

  it('the language switch changes the labels and stays chosen; a Russian browser starts in Russian', async () => {
    const page = await browser();
    await logIn(page, 'sue');
    await page.goto('/calls');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Statistics' }).waitFor();
    // From the keyboard: the language is a radio group, the arrow key picks the next one.
    await page.getByRole('radio', { name: 'EN' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await textOf(page.getByRole('heading', { level: 2 }))).toBe('Звонки');
    expect(await page.getByRole('navigation', { name: 'Главное меню' }).getByRole('link').allInnerTexts()).toEqual(['Текущие звонки', 'Табло', 'Звонки', 'Статистика', 'Компании']);
    expect(await page.getByRole('button', { name: 'Выгрузить CSV' }).count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    await page.getByTestId('call-table').waitFor();
    await screenshot(page, 'history-ru');
    await page.reload();
    expect(await textOf(page.getByRole('heading', { level: 2 }))).toBe('Звонки');
    await page.getByRole('radiogroup', { name: 'Язык' }).getByText('EN', { exact: true }).click();
    expect(await textOf(page.getByRole('heading', { level: 2 }))).toBe('Calls');

    const russian = await browser({ locale: 'ru-RU' });
    await russian.goto('/login');
    expect(await textOf(russian.getByRole('heading', { name: 'Вход' }))).toBe('Вход');
    await russian.getByRole('textbox', { name: 'Имя пользователя', exact: true }).fill('bob');
    await russian.getByRole('textbox', { name: 'Пароль', exact: true }).fill('wrong-password');
    await russian.getByRole('button', { name: 'Войти', exact: true }).click();
    expect(await textOf(russian.getByTestId('login-error'))).toBe('Не удалось войти\nНеверное имя пользователя или пароль.');
  });

  it('the CSV import lists every skipped row with its line and reason', async () => {
    const page = await browser();
    await logIn(page, 'admin', TEST_ADMIN_PASSWORD);
    await page.goto('/admin/companies');
    await page.getByTestId('companies-table').waitFor();
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import companies from CSV' });
    const csv = ['name,phones,inn', 'Initech,+7 495 111-00-01,7701000001', 'Bad Phone Ltd,not-a-phone,', 'Acme Again,+7 (495) 123-45-67,', ',+7 495 111-00-02,', 'Bad Inn,+7 495 111-00-03,123'].join('\n');
    await dialog.locator('input[type="file"]').setInputFiles({ name: 'companies.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    expect(await textOf(dialog.getByTestId('import-created'))).toBe('Companies created: 1');
    expect(await textOf(dialog.getByTestId('import-errors'))).toBe('Rows with errors: 3');
    expect(await tableRows(dialog.getByTestId('import-problems'))).toEqual([
      ['3', 'INVALID', 'phone "not-a-phone" is not a phone number'],
      ['4', 'DUPLICATE', expect.stringContaining('+74951234567')],
      ['5', 'INVALID', 'name is empty'],
      ['6', 'INVALID', 'INN "123" must be 10 or 12 digits'],
    ]);
    await screenshot(page, 'companies-import');
    await page.keyboard.press('Escape');
    expect(await textOf(page.getByTestId('companies-table').locator('tbody tr', { hasText: 'Initech' }))).toContain('+7 495 111-00-01');

    await page.goto('/admin/users');
    await page.getByTestId('users-table').locator('[data-username="alice"]').waitFor();
    expect(await textOf(page.getByTestId('users-table').locator('[data-username="alice"]'))).toContain('1001 · Extension');
    await screenshot(page, 'users');
  });

  it('shows the TEST_MODE banner when the server runs in TEST_MODE', async () => {
    const testMode: TestApp = await startTestApp({ DB_NAME: e2e.database, TEST_MODE: 'true' });
    try {
      await testMode.app.listen(0, '127.0.0.1');
      const page = await browser({ base: `http://127.0.0.1:${(testMode.app.getHttpServer().address() as AddressInfo).port}` });
      await page.goto('/login');
      expect(await textOf(page.getByTestId('banner-test-mode'))).toBe('TEST MODE: calls are tracked and logged, but nothing is stored in the database.');
      expect(await page.getByTestId('banner-demo').count()).toBe(0);
    } finally {
      await testMode.close();
    }
  });

  it('keeps a list of 1,000 calls responsive: the rows are virtualised and pages load while scrolling', async () => {
    await query(
      e2e.database,
      `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, caller_number, receiver_number, status, started_at, ended_at)
       SELECT 'bulk', 'bulk.' || g, 'bulk:' || g, 'inbound', '+7495000' || lpad(g::text, 4, '0'), '74959876543',
              CASE WHEN g % 3 = 0 THEN 'missed' ELSE 'answered' END,
              timestamptz '2020-01-01 00:00:00+00' + g * interval '1 minute', timestamptz '2020-01-01 00:00:30+00' + g * interval '1 minute'
       FROM generate_series(1, 1000) g`,
    );
    const page = await browser();
    await logIn(page, 'sue');
    await page.goto(`/calls?from=2020-01-01T00:00:00.000Z&to=2020-02-01T00:00:00.000Z`);
    const scroller = page.getByTestId('call-table-scroller');
    await scroller.waitFor();
    expect(await textOf(page.getByTestId('calls-shown'))).toMatch(/^Calls shown: 100\b/);
    const rendered: number[] = [];
    const started = Date.now();
    for (let attempt = 0; attempt < 60; attempt++) {
      await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
      rendered.push(await page.locator('[data-call-id]').count());
      if ((await textOf(page.getByTestId('calls-shown'))) === 'Calls shown: 1000 All matching calls are shown.') break;
      await page.waitForTimeout(100);
    }
    expect(await textOf(page.getByTestId('calls-shown'))).toBe('Calls shown: 1000 All matching calls are shown.');
    // However many calls are loaded, only about a screenful of rows is in the page.
    expect(Math.max(...rendered)).toBeLessThan(60);
    // The last page grew the list below the view: at the very bottom now is the oldest call.
    const oldest = await query<{ id: string }>(e2e.database, `SELECT id::text FROM calls WHERE linkedid = 'bulk.1'`);
    await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await page.locator(`[data-call-id="${oldest[0].id}"]`).waitFor();
    expect(await page.locator('[data-call-id]').count()).toBeLessThan(60);
    expect(Date.now() - started).toBeLessThan(30_000);
    // Scrolling back to the top renders the newest again, as quickly.
    await scroller.evaluate((element) => element.scrollTo({ top: 0 }));
    const newest = await query<{ id: string }>(e2e.database, `SELECT id::text FROM calls WHERE linkedid = 'bulk.1000'`);
    await page.locator(`[data-call-id="${newest[0].id}"]`).waitFor();
  });
});
