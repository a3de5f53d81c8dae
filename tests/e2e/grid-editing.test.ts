// Issue 16 in a real browser: a morning's edits in the grid without the mouse (cells across rows by keyboard,
// an error shown at its cell, Esc putting back the value as it was), an in-grid conflict resolved per cell,
// a 20-row × 3-column range pasted from a spreadsheet through the preview as one batch, and cells copied out.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { projectRoot } from '../../src/lib/paths.js';
import { runSetupWizardWithOrg, untilHeading, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const ORG = { name: 'Acme Contact Centre', clientId: 'acme-grid', clientSecret: 'acme-grid-secret' };
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ clients: [ORG], seed: 'demo' });
});
afterAll(async () => emu?.stop());
const s = useBrowserSession(() => ({ GENESYS_API_OVERRIDE: emu.url }));
const ADMIN = { email: 'gia@example.com', displayName: 'Gia', password: 'grid editing pass phrase' };

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(projectRoot, 'test-results', `grid-${name}.png`), fullPage: false });

async function openTable(page: Page, name: string) {
  await page.goto(`${s.base}/tables`);
  await page.getByRole('link', { name }).click();
  await page.waitForURL(/\/tables\/[\w-]+$/);
  await page.locator('table.grid[data-grid-ready="1"]').waitFor();
}

const cell = (page: Page, row: string, column: string) =>
  page.locator(`tr[data-label="${row}"] td[data-column="${column}"]`);
// Browser-side snippets as text: this project's TypeScript knows Node, not the DOM.
const focusedColumn = (page: Page) =>
  page.evaluate<string>(
    '(() => { const a = document.activeElement; return `${a.closest("tr")?.dataset.label}/${a.dataset.column}`; })()',
  );
const focusedLabel = (page: Page) => page.evaluate<string>('document.activeElement.getAttribute("aria-label")');
/** Sends a clipboard event to the focused cell, as Ctrl+V / Ctrl+C do; a copy answers the text it put there. */
const clipboard = (page: Page, type: 'paste' | 'copy', text = '') =>
  page.evaluate<string>(
    `(() => { const data = new DataTransfer(); if (${JSON.stringify(type)} === 'paste') data.setData('text/plain', ${JSON.stringify(text)});
      document.activeElement.dispatchEvent(new ClipboardEvent(${JSON.stringify(type)}, { clipboardData: data, bubbles: true, cancelable: true }));
      return data.getData('text/plain'); })()`,
  );
const saved = (page: Page) =>
  page
    .locator('.grid-status')
    .filter({ hasText: /Saved \(/ })
    .waitFor();

describe('the grid', () => {
  let page: Page;
  beforeAll(async () => {
    page = await (await s.browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await runSetupWizardWithOrg(page, s.base, ADMIN, ORG);
  });

  it('edits cells across rows by keyboard, shows an error at its cell, and Esc puts back what was there', async () => {
    await withScreenshotOnFailure(page, 'grid-keyboard', async () => {
      await openTable(page, 'Emergency Flags');
      await cell(page, 'Billing Queue', 'key').click(); // the one click: the key is read-only, so it only takes the focus
      expect(await focusedColumn(page)).toBe('Billing Queue/key');
      const k = page.keyboard;
      await k.press('ArrowRight'); // Active: Space toggles a yes/no cell
      await k.press('Space');
      await k.press('ArrowRight'); // Message: Enter edits, Enter keeps
      await k.press('Enter');
      await k.press('Control+A');
      await k.type('Keyboard one');
      await k.press('Enter');
      await k.press('ArrowRight'); // Priority: typing over the cell edits it; Tab keeps it and moves on
      await k.type('4');
      await k.press('Tab');
      expect(await focusedColumn(page)).toBe('Billing Queue/ActivatedBy');
      expect(await cell(page, 'Billing Queue', 'Priority').getAttribute('class')).toContain('dirty');
      // Past the row's last cell Tab leaves the cells, to the row's Save button (no trap in the grid).
      await k.press('Tab');
      expect(await focusedLabel(page)).toBe('Save the changes to Billing Queue');
      await k.press('Shift+Tab');
      expect(await focusedColumn(page)).toBe('Billing Queue/ActivatedBy');
      await shot(page, 'dirty-row');
      // Leaving the row with unsaved cells asks first, in the page; Enter takes "Save them".
      await k.press('ArrowDown');
      await page.getByRole('dialog').waitFor();
      expect(await page.getByRole('dialog').textContent()).toContain('You changed 3 cell(s) in “Billing Queue”');
      await shot(page, 'leave-row-dialog');
      await k.press('Enter');
      await saved(page);
      expect(await focusedColumn(page)).toBe('IT Outage / Website/ActivatedBy');

      await k.type('kb@example.com');
      await k.press('Enter');
      await k.press('ArrowLeft');
      await k.type('9');
      await k.press('Enter');
      await k.press('Control+Enter');
      await page.locator('.grid-status', { hasText: 'Saved (' }).filter({ hasText: 'ActivatedBy' }).waitFor();

      // An error comes back to its cell: focused, described and announced.
      await k.press('ArrowDown');
      expect(await focusedColumn(page)).toBe('Main Line/Priority');
      await k.type('soon');
      await k.press('Enter');
      await k.press('Control+Enter');
      const priority = cell(page, 'Main Line', 'Priority');
      await page.locator('td[aria-invalid="true"]').waitFor();
      expect(await priority.getAttribute('aria-invalid')).toBe('true');
      expect(await priority.locator('.cell-message').textContent()).toContain('whole number');
      expect(await focusedColumn(page)).toBe('Main Line/Priority');
      expect(await page.getByRole('alert').textContent()).toContain('whole number');
      await shot(page, 'cell-error');
      await k.press('Enter');
      await k.press('Control+A');
      await k.type('6');
      await k.press('Enter');
      await k.press('Control+Enter');
      await page.locator('.grid-status', { hasText: 'Saved (Priority)' }).waitFor();
      expect(await priority.getAttribute('aria-invalid')).toBeNull();

      // Esc in the editor puts back the value the cell had; Esc on a row with kept values cancels them.
      const message = cell(page, 'Main Line', 'Message');
      const before = (await message.textContent())!;
      await k.press('ArrowLeft');
      await k.press('Enter');
      await k.type(' never');
      await k.press('Escape');
      expect(await message.textContent()).toBe(before);
      await k.type('kept, then cancelled');
      await k.press('Enter');
      expect(await message.textContent()).toContain('kept, then cancelled');
      await k.press('Escape');
      expect(await message.textContent()).toBe(before);

      await page.reload();
      expect(await cell(page, 'Billing Queue', 'Active').textContent()).toBe('Yes'); // it was No
      expect(await cell(page, 'Billing Queue', 'Message').textContent()).toBe('Keyboard one');
      expect(await cell(page, 'Billing Queue', 'Priority').textContent()).toBe('4');
      expect(await cell(page, 'IT Outage / Website', 'ActivatedBy').textContent()).toBe('kb@example.com');
      expect(await cell(page, 'IT Outage / Website', 'Priority').textContent()).toBe('9');
      expect(await cell(page, 'Main Line', 'Priority').textContent()).toBe('6');
      expect(await message.textContent()).toBe(before);
    });
  });

  it('shows a conflict per cell, theirs and yours, and saves the choice from the row as it is now', async () => {
    await withScreenshotOnFailure(page, 'grid-conflict', async () => {
      await openTable(page, 'Emergency Flags');
      // Someone else (a second session) changes the row's message and priority after this page was loaded.
      const other = await (await s.browser.newContext()).newPage();
      await other.goto(`${s.base}/login`);
      await other.getByLabel('Email').fill(ADMIN.email);
      await other.getByLabel('Password').fill(ADMIN.password);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.goto(`${page.url()}/rows/${encodeURIComponent('IT Outage / Website')}`);
      await other.getByLabel('Message').fill('Their version');
      await other.getByLabel('Priority').fill('8');
      await other.getByRole('button', { name: 'Save', exact: true }).click();
      await other.context().close();

      const message = cell(page, 'IT Outage / Website', 'Message');
      await message.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('My version');
      await page.keyboard.press('Control+Enter');
      await message.locator('.conflict-choice').waitFor();
      expect(await message.textContent()).toContain('Theirs: Their version');
      expect(await message.textContent()).toContain('Yours: My version');
      expect(await page.getByRole('alert').textContent()).toContain('Someone else changed');
      // The cell nobody else touched shows what Genesys holds now: the priority they saved.
      expect(await cell(page, 'IT Outage / Website', 'Priority').textContent()).toBe('8');
      expect(await focusedLabel(page)).toBe('Keep mine for Message');
      await shot(page, 'conflict');
      await page.keyboard.press('Enter'); // Keep mine
      await page.keyboard.press('Control+Enter');
      await page.locator('.grid-status', { hasText: 'Saved (Message)' }).waitFor();
      await page.reload();
      expect(await cell(page, 'IT Outage / Website', 'Message').textContent()).toBe('My version');
      expect(await cell(page, 'IT Outage / Website', 'Priority').textContent()).toBe('8');
    });
  });

  it("edits a column with a list format through a select, and shows the format's refusal at the cell", async () => {
    await withScreenshotOnFailure(page, 'grid-format', async () => {
      await openTable(page, 'Emergency Flags');
      await page.getByRole('link', { name: 'Column formats' }).click();
      const form = page.locator('form.format-form', { has: page.getByLabel('Format of ActivatedBy') });
      await form.getByLabel('Format of ActivatedBy').selectOption('list');
      await form.locator('summary').click();
      await form.getByLabel(/Allowed values/).fill('ops@example.com\nkb@example.com');
      await form.getByRole('button', { name: 'Save' }).click();
      await openTable(page, 'Emergency Flags');
      const activatedBy = cell(page, 'Weather Closure', 'ActivatedBy');
      await activatedBy.click(); // a list opens its select
      const select = activatedBy.locator('select');
      expect(await select.locator('option').allTextContents()).toEqual(['', 'ops@example.com', 'kb@example.com']);
      await select.selectOption('kb@example.com');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Control+Enter');
      await page.locator('.grid-status', { hasText: 'Saved (ActivatedBy)' }).waitFor();
      // A value outside the list (pasted into one cell) is refused by the server, at the cell.
      await clipboard(page, 'paste', 'nobody@example.com');
      await page.keyboard.press('Control+Enter');
      await page.locator('td[aria-invalid="true"]').waitFor();
      expect(await activatedBy.getAttribute('aria-invalid')).toBe('true');
      await shot(page, 'format-refusal');
      await page.keyboard.press('Escape');
      expect(await activatedBy.textContent()).toBe('kb@example.com');
    });
  });

  it('pastes a 20-row × 3-column range through the preview as one batch, and copies cells out as TSV', async () => {
    await withScreenshotOnFailure(page, 'grid-paste', async () => {
      await openTable(page, 'VIP Customers');
      const labels = await page
        .locator('table.grid tbody tr')
        .evaluateAll((trs) => trs.slice(0, 20).map((tr) => tr.getAttribute('data-label')!));
      expect(labels).toHaveLength(20);
      const tier = cell(page, labels[0]!, 'Tier');
      await tier.click();
      await page.keyboard.press('Escape'); // the click opened the editor; Esc leaves the cell focused, unchanged
      const lines = labels.map((_, i) => `Platinum\tPaste Manager ${i + 1}\t${(i % 5) + 1}`);
      const tsv = `${lines.join('\r\n')}\r\n`;
      await clipboard(page, 'paste', tsv);
      await page.getByRole('heading', { name: 'Paste 20 row(s) into VIP Customers?' }).waitFor();
      expect(await page.locator('main').textContent()).toContain('Paste Manager 20');
      await shot(page, 'paste-preview');
      await page.getByRole('button', { name: 'Apply the paste' }).click();
      await untilHeading(page, /Done/);
      await openTable(page, 'VIP Customers');
      for (const [i, label] of labels.entries()) {
        expect(await cell(page, label, 'Tier').textContent()).toBe('Platinum');
        expect(await cell(page, label, 'AccountManager').textContent()).toBe(`Paste Manager ${i + 1}`);
        expect(await cell(page, label, 'Priority').textContent()).toBe(String((i % 5) + 1));
      }

      // Copy: Shift+arrows select a range; Ctrl+C puts it on the clipboard as tab-separated text.
      await cell(page, labels[0]!, 'Tier').click();
      await page.keyboard.press('Escape');
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+ArrowRight');
      expect(await page.locator('td[aria-selected="true"]').count()).toBe(4);
      const copied = await clipboard(page, 'copy');
      expect(copied).toBe('Platinum\tPaste Manager 1\r\nPlatinum\tPaste Manager 2\r\n');
    });
  });
});
