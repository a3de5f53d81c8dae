// Batch undo in a real browser (issue 16): a bulk edit's batch is undone from its audit entry through a
// preview that lists each row's columns going back, then runs as a job with a progress bar, and afterwards
// the batch and its changes say they were undone (no second undo is offered). Screenshots of each step are
// kept in a temporary folder (its path is printed) to look at.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runSetupWizard, untilHeading, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const s = useBrowserSession();
const shots = mkdtempSync(path.join(os.tmpdir(), 'dtm-batch-undo-shots-'));
let step = 0;
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });

describe('batch undo in the browser', () => {
  it('previews a batch per row and column, undoes it as a job with progress, then says it was undone', async () => {
    console.log(`batch undo screenshots: ${shots}`);
    const context = await s.browser.newContext({ viewport: { width: 1366, height: 900 }, timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    page.on('dialog', () => {
      throw new Error('No browser dialog is expected: undo has its own preview pages.');
    });
    await withScreenshotOnFailure(page, 'batch-undo', async () => {
      await runSetupWizard(
        page,
        s.base,
        { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' },
        'Use the sandbox org',
      );
      const keys = ['Main Line', 'Billing Queue', 'Weather Closure'];
      await page.goto(`${s.base}/tables`);
      await page.getByRole('link', { name: 'Emergency Flags' }).click();
      for (const key of keys) await page.getByLabel(`Select ${key}`).check();
      await page.getByLabel('Action').selectOption('set');
      await page.getByLabel('Column to change').selectOption('Message');
      await page.getByLabel('New value', { exact: true }).fill('Closed for the staff party');
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByRole('button', { name: 'Apply to 3 row(s)' }).click();
      await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 30_000 });

      // Signing in reports the browser's time zone (the wizard's first session knows none: UTC until then).
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Password').fill('analytical engine notes');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${s.base}/`);

      // The audit log: one line per change, readable names, times in the browser's zone with UTC on hover.
      await page.goto(`${s.base}/audit`);
      await shot(page, 'audit-list');
      await page.getByLabel('Action').selectOption({ label: 'Row updated' });
      await page.getByRole('button', { name: 'Filter' }).click();
      const firstLine = page.locator('tbody tr').first();
      expect(await firstLine.textContent()).toContain('Row updated');
      expect(await firstLine.textContent()).toContain('Emergency Flags');
      expect(await firstLine.locator('time').getAttribute('title')).toMatch(/ UTC$/);
      expect(await firstLine.locator('time').textContent()).toMatch(/CET|CEST|GMT\+[12]/);
      await firstLine.getByRole('link').first().click();
      await shot(page, 'audit-entry');
      expect(await page.locator('table.diff ins').first().textContent()).toContain('Closed for the staff party');

      await page.getByRole('link', { name: 'undo the whole batch…' }).click();
      await shot(page, 'batch-preview');
      expect(await page.locator('h1').textContent()).toContain('Undo 3 change(s) as one unit?');
      const items = page.locator('li.undo-item');
      expect(await items.count()).toBe(3);
      for (const key of keys) {
        const item = items.filter({ hasText: key });
        expect(await item.locator('th[scope="row"]').allTextContents()).toEqual(['Message']);
        expect(await item.locator('del').textContent()).toBe('Closed for the staff party');
        expect(await item.textContent()).toContain('Will be undone');
      }

      await page.getByRole('button', { name: 'Undo 3 change(s)' }).click();
      await page.waitForURL(/\/jobs\//);
      expect(await page.locator('progress').count()).toBe(1);
      await shot(page, 'batch-undo-progress');
      await untilHeading(page, /Batch undone/);
      await shot(page, 'batch-undo-done');
      expect(await page.getByRole('status').first().textContent()).toContain('Undid 3 change(s) as one new batch.');
      expect(await page.locator('progress').getAttribute('value')).toBe('3');

      await page.getByRole('link', { name: 'The batch undone' }).click();
      await page.locator('tbody tr').first().getByRole('link').first().click();
      await page.getByRole('link', { name: 'undo the whole batch…' }).click();
      await shot(page, 'batch-after-undo');
      expect(await page.locator('h1').textContent()).toBe('This batch was undone');
      expect(await page.getByRole('status').first().textContent()).toMatch(/were undone by Ada/);
      expect(await page.getByRole('button', { name: /Undo \d+ change/ }).count()).toBe(0);
      await page.getByRole('link', { name: 'see the undo' }).click();
      expect(await page.locator('tbody tr').count()).toBe(3);
      await shot(page, 'the-undo-batch');
    });
    await context.close();
  });
});
