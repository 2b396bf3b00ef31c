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

  it('logs in with the credentials the page shows, and holds, transfers and hangs up a demo call from the wallboard', async () => {
    session = await openBrowser(baseURL);
    const { page } = session;
    await page.goto('/');
    await page.waitForURL('**/login');
    // The demo banner and the demo logins, read off the page.
    const demo = page.getByTestId('demo-logins');
    const password = (await textOf(demo.getByText(/^Password for every demo user: /))).replace('Password for every demo user: ', '');
    const rows = await demo.locator('tbody tr').allInnerTexts();
    const supervisor = rows.map((row) => row.split('\t').map((cell) => cell.trim())).find((cells) => cells[1] === 'supervisor');
    expect(supervisor).toBeDefined();
    const username = supervisor![0].split('\n')[0];
    expect(username).toBe('eve');
    await screenshot(page, 'demo-login');
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill(username);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL('**/live');
    await page.getByRole('link', { name: 'Wallboard' }).click();
    await page.locator('[data-testid="realtime-status"][data-status="connected"][data-synced]').waitFor();

    // Demo calls arrive by themselves. Take a fresh answered call straight to one agent (the queue's ring several phones)
    // and do everything to it; a call the simulated caller ends in between is no failure of the controls: take the next.
    const tried = new Set<string>();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 6 && !outcomes.includes('done'); attempt++) {
      const call = await waitForCall(page, tried);
      tried.add(call.id);
      outcomes.push(await holdTransferHangUp(page, call));
    }
    console.log(`demo call attempts: ${outcomes.join('; ')}`);
    expect(outcomes).toContain('done');
  }, 300_000);

  /** The freshest answered inbound call to one agent, not tried yet. */
  async function waitForCall(page: Page, tried: Set<string>): Promise<ActiveCall> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const calls = (await activeCalls(page))
        .filter((call) => call.direction === 'inbound' && call.status === 'answered' && call.did !== QUEUE_DID && /^100[1-4]$/.test(call.answeredByExtension ?? '') && !tried.has(call.id))
        .sort((a, b) => b.answeredAt!.localeCompare(a.answeredAt!));
      if (calls[0]) return calls[0];
      if (Date.now() > deadline) throw new Error('no answered demo call within 90 s');
      await page.waitForTimeout(500);
    }
  }

  /** 'done', or why this call could not be taken through (it ended by itself). */
  async function holdTransferHangUp(page: Page, call: ActiveCall): Promise<string> {
    const row = page.locator(`[data-live-call-id="${call.id}"]`);
    const note = row.getByTestId('control-note');
    const gone = () => row.count().then((count) => count === 0);
    const choose = async (item: string) => {
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
      await screenshot(page, 'demo-call-on-hold');

      await choose('Take off hold');
      text = await outcome();
      if (endedMeanwhile(text)) return `call ${call.id} ended before the unhold`;
      expect(text).toMatch(/^Off hold after \d+ s: you are talking again\.$/);

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

      if (await gone()) return `call ${call.id} ended right after the transfer`;
      await choose('Hang up');
      await row.waitFor({ state: 'detached', timeout: 15_000 });
      const last = await textOf(notice);
      if (last !== 'Hung up (confirmed by the PBX).') return `call ${call.id}: ${last}`;
      await screenshot(page, 'demo-wallboard');
      return 'done';
    } finally {
      await page.keyboard.press('Escape');
    }
  }
});
