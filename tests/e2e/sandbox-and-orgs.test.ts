// A newcomer's path in a real browser: wizard -> sandbox org -> the org is shown everywhere with its badge;
// an admin adds a second org and switches between them from the top bar.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { runSetupWizard, startBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let browser: Browser;
let emu: RunningEmulator;
let base: string;

beforeAll(async () => {
  emu = await startEmulator({
    clients: [{ name: 'Acme Test Org', clientId: 'acme-test-5678', clientSecret: 'acme-test-secret' }],
  });
  session = await startBrowserSession({ GENESYS_API_OVERRIDE: `http://127.0.0.1:${emu.port}` });
  ({ browser, base } = session);
});

afterAll(async () => {
  await session?.close();
  await emu?.stop();
});

describe('sandbox and orgs in a browser', () => {
  it('sets up with the sandbox org, adds a second org, and switches between them', async () => {
    const page = await (await browser.newContext()).newPage();
    page.on('dialog', (d) => void d.accept());
    await withScreenshotOnFailure(page, 'sandbox-and-orgs', async () => {
      await runSetupWizard(
        page,
        base,
        { email: 'grace@example.com', displayName: 'Grace Hopper', password: 'compilers are friends' },
        'Use the sandbox org',
      );
      expect(await page.locator('.org-switcher .org-badge').textContent()).toBe('SANDBOX');
      expect(await page.locator('main').textContent()).toContain('You are working in');

      await page.getByRole('link', { name: 'Genesys orgs' }).click();
      await page.getByRole('link', { name: 'Add an org' }).click();
      await page.getByLabel('Display name').fill('Acme Test');
      await page.getByLabel('Region').selectOption('eu_west_1');
      await page.getByLabel('OAuth client id').fill('acme-test-5678');
      await page.getByLabel('OAuth client secret').fill('acme-test-secret');
      await page.getByLabel('Badge').fill('TEST');
      await page.getByLabel('Colour').selectOption('green');
      await page.getByRole('button', { name: 'Save and test connection' }).click();
      // A new org that connects is shown with its readiness (what its role lets the app do).
      await page.waitForURL(/\/admin\/orgs\/[\w-]+\/readiness$/);
      expect(await page.getByRole('status').first().textContent()).toContain(
        'Connected to the Genesys Cloud org “Acme Test Org”',
      );
      expect(await page.locator('h1').textContent()).toContain('Readiness of Acme Test');
      await page.goto(page.url().replace(/readiness$/, 'edit'));
      expect(await page.content()).not.toContain('acme-test-secret');
      expect(await page.content()).toContain('••••5678');

      // Switching org from the top bar (JavaScript submits on change).
      await page.locator('#org-switch').selectOption({ label: 'Acme Test' });
      await page.waitForFunction("document.querySelector('.org-switcher .org-badge')?.textContent === 'TEST'");
      expect(await page.locator('.org-switcher .org-badge').textContent()).toBe('TEST');
      expect(await page.getByRole('status').first().textContent()).toContain('You are now working in “Acme Test”');
    });
  });
});
