// The daily work in a real browser, on an org as strict as a real one on its first day (the emulator's
// realistic profile: a role in Home only, reads lagging writes by 3 s, a response-size cap, token throttling,
// normalised values): search, edit in the grid by keyboard, add, delete, a conflict between two people, and a
// bulk edit with its preview.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { runSetupWizardWithOrg, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const ORG = { name: 'Acme Contact Centre', clientId: 'acme-realistic', clientSecret: 'acme-realistic-secret' };
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ clients: [ORG], seed: 'demo', profile: 'realistic' });
});
afterAll(async () => emu?.stop());
const s = useBrowserSession(() => ({ GENESYS_API_OVERRIDE: emu.url }));
const ADMIN = { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' };

async function openFlags(page: Page) {
  await page.goto(`${s.base}/tables`);
  await page.getByRole('link', { name: 'Emergency Flags' }).click();
  await page.waitForURL(/\/tables\/[\w-]+$/);
}

describe('editing tables in the browser', () => {
  it('searches, edits in the grid, adds, deletes, resolves a conflict and bulk-edits', async () => {
    const page = await (await s.browser.newContext()).newPage();
    page.on('dialog', (d) => void d.accept());
    await withScreenshotOnFailure(page, 'table-editing', async () => {
      await runSetupWizardWithOrg(page, s.base, ADMIN, ORG);

      // Search the 2,000-row VIP table, accents folded.
      await page.goto(`${s.base}/tables`);
      await page.getByRole('link', { name: 'VIP Customers' }).click();
      await page.getByLabel('Search').fill('zoe');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/q=zoe/);
      expect(await page.locator('table.grid tbody tr').first().textContent()).toContain('Zoë');
      await page.goBack();
      expect(page.url()).not.toContain('q=zoe');

      // Edit in the grid: a click edits the cell, Enter keeps the value, Ctrl+Enter saves the row.
      await openFlags(page);
      const mainLine = page.locator('tr', { hasText: 'Main Line' });
      await mainLine.locator('td[data-column="Message"]').click();
      await mainLine.getByLabel('Message').fill('Edited in the grid');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Control+Enter');
      await page.getByRole('status').filter({ hasText: 'Saved (Message)' }).waitFor();
      await page.reload();
      expect(await page.locator('tr', { hasText: 'Main Line' }).textContent()).toContain('Edited in the grid');

      // Esc cancels.
      await page.locator('tr', { hasText: 'Main Line' }).locator('td[data-column="Message"]').click();
      await page.locator('tr', { hasText: 'Main Line' }).getByLabel('Message').fill('never saved');
      await page.keyboard.press('Escape');
      expect(await page.locator('tr', { hasText: 'Main Line' }).textContent()).toContain('Edited in the grid');

      // Add a row (defaults prefilled), then delete it with the confirmation page.
      await page.getByRole('link', { name: 'Add a row' }).click();
      expect(await page.getByLabel('Priority').inputValue()).toBe('1');
      await page.getByLabel('Line').fill('Fire Drill');
      await page.getByLabel('Message').fill('Drill at noon');
      await page.getByRole('button', { name: 'Add row' }).click();
      expect(await page.getByRole('status').first().textContent()).toContain('Added the row “Fire Drill”');
      await page.locator('tr', { hasText: 'Fire Drill' }).getByRole('link', { name: 'Delete' }).click();
      expect(await page.locator('h1').textContent()).toContain('Delete the row “Fire Drill”?');
      await page.getByRole('button', { name: 'Delete the row' }).click();
      expect(await page.locator('table.grid').textContent()).not.toContain('Fire Drill');

      // A conflict: the form is open while someone else (a second session) saves the same column.
      await page.locator('tr', { hasText: 'Weather Closure' }).getByRole('link', { name: 'Edit' }).click();
      const other = await (await s.browser.newContext()).newPage();
      await other.goto(`${s.base}/login`);
      await other.getByLabel('Email').fill(ADMIN.email);
      await other.getByLabel('Password').fill(ADMIN.password);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.goto(page.url());
      await other.getByLabel('Message').fill('Their version');
      await other.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByLabel('Message').fill('My version');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      expect(await page.locator('h1').textContent()).toContain('Someone else changed this row');
      expect(await page.locator('main').textContent()).toContain('Their version');
      await page.getByRole('button', { name: 'Save mine over theirs' }).click();
      expect(await page.locator('tr', { hasText: 'Weather Closure' }).textContent()).toContain('My version');

      // Bulk edit: select two rows, preview, apply, watch it finish.
      await page.getByLabel('Select Main Line').check();
      await page.getByLabel('Select Billing Queue').check();
      await page.getByLabel('Action').selectOption('set');
      await page.getByLabel('Column to change').selectOption('Priority');
      await page.getByLabel('New value', { exact: true }).fill('7');
      await page.getByRole('button', { name: 'Preview' }).click();
      expect(await page.locator('h1').textContent()).toContain('Set Priority on 2 row(s)?');
      await page.getByRole('button', { name: 'Apply to 2 row(s)' }).click();
      await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 20_000 });
      await page.getByRole('link', { name: 'Back to the table' }).click();
      for (const key of ['Main Line', 'Billing Queue'])
        expect(await page.locator('tr', { hasText: key }).locator('td[data-column="Priority"]').textContent()).toBe(
          '7',
        );
    });
  });
});
