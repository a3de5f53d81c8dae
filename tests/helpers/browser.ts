// Debian's Chromium driven by playwright-core (never a downloaded browser). Screenshots of failing tests go to
// test-results/.
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';
import { freePort, spawnServer, waitForHealthy } from './spawn-server.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Runs `fn`; on failure saves a full-page screenshot named after the test, then rethrows. */
export async function withScreenshotOnFailure(page: Page, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const dir = path.join(projectRoot, 'test-results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name.replace(/[^\w-]+/g, '_')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    (err as Error).message += `\n(screenshot: ${file})`;
    throw err;
  }
}

/** The built server (like `npm start`) on a fresh DATA_DIR plus a browser, for one e2e test file. */
export async function startBrowserSession(env: Record<string, string> = {}) {
  const port = await freePort();
  const server = spawnServer(
    { DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'dtm-e2e-')), PORT: String(port), ...env },
    'dist',
  );
  await waitForHealthy(port, server);
  const browser = await launchBrowser();
  return {
    base: `http://127.0.0.1:${port}`,
    browser,
    server,
    async close() {
      await browser.close();
      server.child.kill('SIGINT');
      await server.exited;
    },
  };
}

/** Registers beforeAll/afterAll for a browser session in the calling test file; read `.base`/`.browser` in tests. */
export function useBrowserSession(env: () => Record<string, string> = () => ({})) {
  const holder = {} as { base: string; browser: Browser; session: Awaited<ReturnType<typeof startBrowserSession>> };
  beforeAll(async () => {
    holder.session = await startBrowserSession(env());
    holder.base = holder.session.base;
    holder.browser = holder.session.browser;
  });
  afterAll(async () => holder.session?.close());
  return holder;
}

type Admin = { email: string; displayName: string; password: string };

async function createAdminInWizard(page: Page, base: string, admin: Admin): Promise<void> {
  await page.goto(`${base}/setup`);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Display name').fill(admin.displayName);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Confirm password').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.waitForURL(`${base}/setup/connect`);
}

/** Runs the first-run wizard in the browser: creates the admin, then picks the Genesys step's choice. */
export async function runSetupWizard(
  page: Page,
  base: string,
  admin: Admin,
  choice: 'Use the sandbox org' | 'Configure later',
): Promise<void> {
  await createAdminInWizard(page, base, admin);
  await page.getByRole('button', { name: choice }).click();
  await page.waitForURL(`${base}/`);
}

/** The first-run wizard connecting a Genesys org (e.g. an emulator reached through GENESYS_API_OVERRIDE) by its OAuth client. */
export async function runSetupWizardWithOrg(
  page: Page,
  base: string,
  admin: Admin,
  org: { name: string; clientId: string; clientSecret: string },
): Promise<void> {
  await createAdminInWizard(page, base, admin);
  await page.getByLabel('Display name').fill(org.name);
  await page.getByLabel('OAuth client id').fill(org.clientId);
  await page.getByLabel('OAuth client secret').fill(org.clientSecret);
  await page.getByRole('button', { name: 'Save and test connection' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/setup'));
}

/** Waits (reloading, as the page does itself every 2 s) until the heading says the job is done. */
export async function untilHeading(page: Page, pattern: RegExp, seconds = 60): Promise<string> {
  for (let i = 0; i < seconds * 2; i++) {
    const h1 =
      (await page
        .locator('h1')
        .textContent()
        .catch(() => '')) ?? '';
    if (pattern.test(h1)) return h1;
    await page.waitForTimeout(500);
    if (i % 4 === 3) await page.reload().catch(() => undefined);
  }
  throw new Error(`the page never said ${pattern}`);
}
