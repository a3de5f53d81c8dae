// Undo in a real browser: a change is undone from its audit entry; a change overtaken by a later edit
// shows original / then / now, and the admin forces it.
import { describe, expect, it } from 'vitest';
import { runSetupWizard, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const s = useBrowserSession();

describe('rollback in the browser', () => {
  it('undoes a change, and handles a conflicting one with original/then/now and an admin force', async () => {
    const page = await (await s.browser.newContext()).newPage();
    page.on('dialog', (d) => void d.accept());
    await withScreenshotOnFailure(page, 'rollback', async () => {
      await runSetupWizard(
        page,
        s.base,
        { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' },
        'Use the sandbox org',
      );
      const edit = async (message: string) => {
        await page.goto(`${s.base}/tables`);
        await page.getByRole('link', { name: 'Emergency Flags' }).click();
        await page.locator('tr', { hasText: 'Main Line' }).getByRole('link', { name: 'Edit' }).click();
        await page.getByLabel('Message').fill(message);
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.waitForURL(/\/tables\/[\w-]+$/);
      };
      const openLatestChange = async () => {
        await page.goto(`${s.base}/audit?action=row.updated&outcome=intent`);
        await page.locator('tbody tr').first().getByRole('link').first().click();
      };

      await edit('First change');
      await openLatestChange();
      expect(await page.locator('table.diff').textContent()).toContain('First change');
      // Undoing has a preview page (no browser confirm): what goes back, then the button.
      await page.getByRole('link', { name: 'Undo this change…' }).click();
      expect(await page.locator('table.diff').textContent()).toContain('First change');
      await page.getByRole('button', { name: 'Undo this change' }).click();
      expect(await page.getByRole('status').first().textContent()).toContain('was undone');
      await page.goto(`${s.base}/tables`);
      await page.getByRole('link', { name: 'Emergency Flags' }).click();
      expect(await page.locator('tr', { hasText: 'Main Line' }).textContent()).not.toContain('First change');

      await edit('Second change');
      const second = page.url();
      await openLatestChange();
      const entryUrl = page.url();
      await page.goto(second);
      await edit('Third change');
      await page.goto(entryUrl);
      await page.getByRole('link', { name: 'Undo this change…' }).click();
      // The preview already knows the row changed since; trying shows original / then / now.
      await page.getByRole('button', { name: 'Try the undo and compare' }).click();
      expect(await page.locator('h1').textContent()).toContain('The row has changed since');
      const diff = await page.locator('table.diff').textContent();
      expect(diff).toContain('Second change');
      expect(diff).toContain('Third change');
      await page.getByRole('button', { name: /Force the undo/ }).click();
      expect(await page.getByRole('status').first().textContent()).toContain('was undone');
      await page.goto(`${s.base}/tables`);
      await page.getByRole('link', { name: 'Emergency Flags' }).click();
      const row = await page.locator('tr', { hasText: 'Main Line' }).textContent();
      expect(row).not.toContain('Third change');
      expect(row).not.toContain('Second change');
    });
  });
});
