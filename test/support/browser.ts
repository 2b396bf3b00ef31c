import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './server-process';

/** Debian's Chromium (`apt-get install -y chromium`); the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots of the main screens land here (git-ignored); the best are copied to docs/screenshots by hand. */
export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-output', 'screenshots');

/** Fails loudly, never skips: a missing browser is a broken test machine. */
export function requireChromium(path = CHROMIUM_PATH): void {
  if (!existsSync(path)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${path}, which is missing: install it with \`apt-get install -y chromium\` ` +
        '(.ci/run does). They never download a browser.',
    );
  }
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions of the page: a test expects none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** A fresh Chromium profile (own cookies and localStorage, so one user per session) against the app at baseURL. */
export async function openBrowser(baseURL: string, options: { locale?: string; timezoneId?: string } = {}): Promise<BrowserSession> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'crm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL,
    locale: options.locale ?? 'en-US',
    timezoneId: options.timezoneId ?? 'UTC',
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    context,
    page,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/** The visible text of an element once it is there, trimmed. */
export async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor();
  return (await locator.innerText()).trim();
}

/** A table row's cells as text, each on one line (Chromium separates cells by tabs in innerText). */
export function rowCells(rowText: string): string[] {
  return rowText.split('\t').map((cell) => cell.replace(/\s+/g, ' ').trim());
}

/** The cells of every body row of a table. */
export async function tableRows(table: Locator): Promise<string[][]> {
  await table.waitFor();
  return (await table.locator('tbody tr').allInnerTexts()).map(rowCells);
}

/** Logs in through the login form and waits for the landing page (the live calls). */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(username);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.waitForURL('**/live');
}
