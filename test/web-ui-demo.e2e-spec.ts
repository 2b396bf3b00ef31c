import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, requireChromium, screenshot, textOf, type BrowserSession } from './support/browser';
import { freePort } from './support/free-port';
import { cleanEnv, ServerProcess } from './support/server-process';
import { createDatabase, dropDatabase, uniqueName } from './support/test-database';

const STARTED = /Asterisk CRM started/;
/** The support queue's DID: its calls ring several phones; the test takes a call straight to one agent. */
const QUEUE_DID = '74950000000';

interface ActiveCall {
  id: string;
  direction: string;
  status: string;
  did: string | null;
  callerNumber: string;
  answeredByExtension: string | null;
  answeredAt: string | null;
}

/**
 * The README's promise in Chromium: `npm start` with no Asterisk configured (the demo: pbx-sim in
 * the server's process, its steady traffic), a newcomer opens the page, logs in with the demo
 * credentials the login page itself shows, watches demo calls arrive, and holds, transfers and
 * hangs up one of them, each confirmed by the simulated PBX.
 */
describe('the demo in the browser (npm start, no Asterisk)', () => {
  let root: string;
  let database: string;
  let server: ServerProcess;
  let baseURL: string;
  let session: BrowserSession;

  beforeAll(async () => {
    requireChromium();
    root = mkdtempSync(join(tmpdir(), 'crm-demo-ui-'));
    chmodSync(root, 0o755);
    database = uniqueName('demo_ui_e2e');
    await createDatabase(database);
    const port = await freePort();
    baseURL = `http://127.0.0.1:${port}`;
    server = ServerProcess.startServer(
      cleanEnv({
        DB_HOST: process.env.DB_HOST!,
        DB_PORT: process.env.DB_PORT!,
        DB_USER: process.env.DB_USER!,
        DB_PASSWORD: process.env.DB_PASSWORD ?? '',
        DB_NAME: database,
        PORT: String(port),
        DATA_DIR: join(root, 'data'),
        DEMO_MODE: 'auto',
        LOG_LEVEL: 'info',
      }),
    );
    await server.waitFor(STARTED, 60_000);
  }, 90_000);

  afterAll(async () => {
    await session?.close();
    if (server) {
      server.kill('SIGTERM');
      await server.exit(30_000).catch(() => undefined);
    }
    await dropDatabase(database);
    rmSync(root, { recursive: true, force: true });
  });

  /** The calls in progress the logged-in user sees, asked with the page's own token (the suite compiles without the DOM's types). */
  const activeCalls = async (page: Page): Promise<ActiveCall[]> => {
    const stored = await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('crm.session'));
    const { accessToken } = JSON.parse(stored!) as { accessToken: string };
    const response = await fetch(`${baseURL}/api/calls/active`, { headers: { authorization: `Bearer ${accessToken}` } });
    return (await response.json()) as ActiveCall[];
  };

  /** Logs in as the demo user of `role` with the credentials the login page shows; the username. */
  async function logInFromThePage(page: Page, role: 'supervisor' | 'operator'): Promise<string> {
    await page.goto('/');
    await page.waitForURL('**/login');
    const demo = page.getByTestId('demo-logins');
    const password = (await textOf(demo.getByText(/^Password for every demo user: /))).replace('Password for every demo user: ', '');
    const rows = (await demo.locator('tbody tr').allInnerTexts()).map((row) => row.split('\t').map((cell) => cell.trim()));
    const username = rows.find((cells) => cells[1] === role)![0].split('\n')[0];
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill(username);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL('**/live');
    return username;
  }

  /** Up to six demo calls, until one went through `steps` ('done'); a call its simulated parties end in between is no failure of the controls. */
  async function onSomeCall(page: Page, pick: (call: ActiveCall) => boolean, steps: (call: ActiveCall) => Promise<string>): Promise<void> {
    const tried = new Set<string>();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 6 && !outcomes.includes('done'); attempt++) {
      const call = await waitForCall(page, (candidate) => pick(candidate) && !tried.has(candidate.id));
      tried.add(call.id);
      outcomes.push(await steps(call));
    }
    console.log(`demo call attempts: ${outcomes.join('; ')}`);
    expect(outcomes).toContain('done');
  }

  it('logs in as the supervisor with the credentials the page shows, and holds, transfers and hangs up a demo call from the wallboard', async () => {
    session = await openBrowser(baseURL);
    const { page } = session;
    await page.goto('/login');
    await page.getByTestId('demo-logins').waitFor();
    await screenshot(page, 'demo-login');
    expect(await logInFromThePage(page, 'supervisor')).toBe('eve');
    await page.getByRole('link', { name: 'Wallboard' }).click();
    await page.locator('[data-testid="realtime-status"][data-status="connected"][data-synced]').waitFor();
    // A fresh answered call straight to one agent (the queue's ring several phones), whoever's.
    await onSomeCall(page, (call) => /^100[1-4]$/.test(call.answeredByExtension ?? ''), (call) => holdTransferHangUp(page, call, 'menu', true));
  }, 300_000);

  it('logs in as an operator with the credentials the page shows, and holds and hangs up one of her demo calls from her live calls', async () => {
    const operator = await openBrowser(baseURL);
    try {
      const { page } = operator;
      expect(await logInFromThePage(page, 'operator')).toBe('alice');
      await page.locator('[data-testid="realtime-status"][data-status="connected"][data-synced]').waitFor();
      await onSomeCall(page, (call) => call.answeredByExtension === '1001', (call) => holdTransferHangUp(page, call, 'buttons', false));
      expect(operator.pageErrors).toEqual([]);
    } finally {
      await operator.close();
    }
  }, 300_000);

  /** The freshest answered inbound call `pick` takes (not to the queue: its calls ring several phones). */
  async function waitForCall(page: Page, pick: (call: ActiveCall) => boolean): Promise<ActiveCall> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const calls = (await activeCalls(page))
        .filter((call) => call.direction === 'inbound' && call.status === 'answered' && call.did !== QUEUE_DID && pick(call))
        .sort((a, b) => b.answeredAt!.localeCompare(a.answeredAt!));
      if (calls[0]) return calls[0];
      if (Date.now() > deadline) throw new Error('no answered demo call within 120 s');
      await page.waitForTimeout(500);
    }
  }

  /** 'done', or why this call could not be taken through (it ended by itself). */
  async function holdTransferHangUp(page: Page, call: ActiveCall, controls: 'menu' | 'buttons', transfer: boolean): Promise<string> {
    const row = page.locator(`[data-live-call-id="${call.id}"]`);
    const note = row.getByTestId('control-note');
    const gone = () => row.count().then((count) => count === 0);
    // The wallboard's rows open a menu; the operator's own calls have a button per control.
    const choose = async (item: string) => {
      if (controls === 'buttons') return row.getByRole('group', { name: `Call controls for ${call.callerNumber}` }).getByRole('button', { name: item, exact: true }).click();
      await row.getByRole('button', { name: `Call controls for ${call.callerNumber}` }).click();
      await page.getByRole('menuitem', { name: item }).click();
    };
    /** The note once the PBX answered; null when the call ended meanwhile. */
    const outcome = async (): Promise<string | null> => {
      try {
        await note.and(page.locator('[data-note="confirmed"], [data-note="refused"]')).waitFor({ timeout: 15_000 });
      } catch (error) {
        if (await gone()) return null;
        throw error;
      }
      return textOf(note);
    };
    const endedMeanwhile = (text: string | null) => text === null || /has already ended|not there any more/.test(text);
    try {
      await row.waitFor({ timeout: 10_000 });
      await choose('Hold');
      let text = await outcome();
      if (endedMeanwhile(text)) return `call ${call.id} ended before the hold`;
      expect(text).toBe('On hold: the other party hears music (confirmed by the PBX).');
      await row.and(page.locator('[data-status="on_hold"]')).waitFor();
      await screenshot(page, controls === 'menu' ? 'demo-call-on-hold' : 'demo-operator-on-hold');

      await choose('Take off hold');
      text = await outcome();
      if (endedMeanwhile(text)) return `call ${call.id} ended before the unhold`;
      expect(text).toMatch(/^Off hold after \d+ s: you are talking again\.$/);

      if (transfer) {
        // A colleague who is not on the call.
        const target = ['1001', '1002', '1003', '1004'].find((extension) => extension !== call.answeredByExtension)!;
        await choose('Transfer…');
        const dialog = page.getByRole('dialog', { name: `Transfer the call from ${call.callerNumber}` });
        await dialog.getByRole('radio', { name: new RegExp(` · ${target} · `) }).check();
        await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
        const notice = page.getByTestId('own-command-note');
        try {
          await notice.and(page.locator('[data-note="confirmed"]')).waitFor({ timeout: 15_000 });
        } catch (error) {
          const refused = await dialog.getByTestId('transfer-error').allInnerTexts();
          if (refused.length > 0 && endedMeanwhile(refused[0])) return `call ${call.id} ended before the transfer`;
          throw error;
      }
      expect(await textOf(notice)).toBe(`Transferred to ${target} (confirmed by the PBX).`);
      await dialog.waitFor({ state: 'detached' });
      }

      if (await gone()) return `call ${call.id} ended before the hang-up`;
      await choose('Hang up');
      await row.waitFor({ state: 'detached', timeout: 15_000 });
      const last = await textOf(page.getByTestId('own-command-note'));
      if (last !== 'Hung up (confirmed by the PBX).') return `call ${call.id}: ${last}`;
      await screenshot(page, 'demo-wallboard');
      return 'done';
    } finally {
      await page.keyboard.press('Escape');
    }
  }
});
