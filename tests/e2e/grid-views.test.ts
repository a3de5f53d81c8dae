// The table page around the grid in a real browser at a laptop's 1366×768: compact rows under a sticky header,
// the `/` and `?` shortcuts, saved views shared as a URL with someone who may not see every column (R9), the
// Columns menu, and a bulk change on "all N matching rows". Screenshots go to test-results/ (always, to look at).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';
import { runSetupWizard, untilHeading, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const s = useBrowserSession();
const ADMIN = { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' };
const LAPTOP = { width: 1366, height: 768 };

async function shot(page: Page, name: string) {
  const dir = path.join(projectRoot, 'test-results');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

async function openTable(page: Page, name: string) {
  await page.goto(`${s.base}/tables`);
  await page.getByRole('link', { name }).click();
  await page.waitForURL(/\/tables\/[\w-]+(\?.*)?$/);
}

/** Rows of the grid wholly inside the window (and inside the grid's own scrolling box). */
// (Browser-side code as strings: the tests' TypeScript has no DOM types.)
const rowsInView = (page: Page) =>
  page.evaluate<number>(`(() => {
    const wrap = document.querySelector('.grid-wrap').getBoundingClientRect();
    const top = Math.max(0, wrap.top);
    const bottom = Math.min(window.innerHeight, wrap.bottom);
    return [...document.querySelectorAll('table.grid tbody tr')].filter((tr) => {
      const r = tr.getBoundingClientRect();
      return r.top >= top && r.bottom <= bottom;
    }).length;
  })()`);

const headerColumns = (page: Page) =>
  page
    .locator('table.grid thead th[data-column]')
    .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column')));

async function newPage(browser: Browser) {
  const page = await (await browser.newContext({ viewport: LAPTOP })).newPage();
  page.on('dialog', (d) => void d.accept());
  return page;
}

describe('around the grid in the browser', () => {
  let admin: Page;

  it('shows at least 20 compact rows at 1366×768 under a header that stays in view; / and ? work', async () => {
    admin = await newPage(s.browser);
    await withScreenshotOnFailure(admin, 'grid-density', async () => {
      await runSetupWizard(admin, s.base, ADMIN, 'Use the sandbox org');
      await openTable(admin, 'VIP Customers');
      const atOpen = await rowsInView(admin);
      await shot(admin, 'grid-density-at-open');
      await admin.evaluate(`document.querySelector('.grid-wrap').scrollIntoView({ block: 'start' })`);
      const inGrid = await rowsInView(admin);
      console.log(`rows in view at 1366x768: ${atOpen} when the page opens, ${inGrid} with the grid scrolled to`);
      expect(inGrid).toBeGreaterThanOrEqual(20);
      // Scrolling the grid keeps its header in view.
      await admin.evaluate(`document.querySelector('.grid-wrap').scrollBy(0, 600)`);
      const [wrapTop, headTop] = await admin.evaluate<[number, number]>(`[
        document.querySelector('.grid-wrap').getBoundingClientRect().top,
        document.querySelector('table.grid thead th').getBoundingClientRect().top,
      ]`);
      // (within the box's border and the grid's own outline)
      expect(Math.abs(headTop - wrapTop)).toBeLessThan(8);
      await shot(admin, 'grid-density-scrolled');

      await admin.locator('body').click({ position: { x: 5, y: 5 } });
      await admin.keyboard.press('/');
      expect(await admin.evaluate('document.activeElement?.id')).toBe('row-search');
      await admin.keyboard.press('Escape');
      await admin.locator('h1').click();
      await admin.keyboard.press('?');
      const help = admin.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.waitFor();
      expect(await help.textContent()).toContain('Ctrl+V');
      await shot(admin, 'grid-shortcuts-help');
      await help.getByRole('button', { name: 'Close' }).click();
    });
  });

  it('saves a view and shares its URL with someone who may not see a column: it is not shown', async () => {
    let shareUrl = '';
    let viewUrl = '';
    await withScreenshotOnFailure(admin, 'grid-views-admin', async () => {
      // Bob may see Emergency Flags except ActivatedBy.
      await admin.goto(`${s.base}/`);
      await admin.getByRole('link', { name: 'Users' }).click();
      await admin.getByRole('link', { name: 'Add a user' }).click();
      await admin.getByLabel('Email').fill('bob@example.com');
      await admin.getByLabel('Display name').fill('Bob');
      await admin.getByLabel('Temporary password', { exact: true }).fill('temporary passphrase');
      await admin.getByLabel('Confirm the temporary password').fill('temporary passphrase');
      await admin.getByRole('button', { name: 'Add user' }).click();
      await admin.locator('tr', { hasText: 'Emergency Flags' }).getByRole('link', { name: 'Edit rights' }).click();
      await admin.getByLabel('View rows').check();
      await admin.getByLabel('Line: read').check();
      await admin.getByLabel('Active: read').check();
      await admin.getByLabel('Message: read').check();
      await admin.getByLabel('Priority: read').check();
      await admin.getByLabel('ActivatedBy: hidden').check();
      await admin.getByRole('button', { name: 'Save rights' }).click();

      // The admin sorts by ActivatedBy, moves it first with the Columns form, hides Message, and saves a view.
      await openTable(admin, 'Emergency Flags');
      await admin.locator('th[data-column="ActivatedBy"] a').click();
      await admin.waitForURL(/sort=ActivatedBy/);
      await admin.locator('#columns-menu > summary').click();
      const columnsForm = admin.locator('.columns-form');
      await columnsForm.getByLabel('Position of ActivatedBy').fill('1');
      await columnsForm.getByLabel('Message', { exact: true }).uncheck();
      await columnsForm.getByRole('button', { name: 'Save columns' }).click();
      await admin.waitForURL(/sort=ActivatedBy/);
      expect(await headerColumns(admin)).toEqual(['ActivatedBy', 'key', 'Active', 'Priority']);
      await admin.locator('#views-menu > summary').click();
      await admin.getByLabel('Save what you see now as a view').fill('Who switched it on');
      await admin.getByRole('button', { name: 'Save view' }).click();
      await admin.waitForURL(/view=[0-9a-f-]{36}/);
      viewUrl = admin.url();
      expect(await admin.locator('#views-menu > summary').textContent()).toContain('Who switched it on');
      await admin.locator('#views-menu > summary').click();
      await admin.locator('.view-manage summary').click();
      shareUrl = new URL((await admin.locator('a.share-link').getAttribute('href'))!, s.base).toString();
      expect(shareUrl).toContain('ActivatedBy');
      await shot(admin, 'grid-views-menu');
    });

    const bob = await newPage(s.browser);
    await withScreenshotOnFailure(bob, 'grid-views-bob', async () => {
      await bob.goto(`${s.base}/login`);
      await bob.getByLabel('Email').fill('bob@example.com');
      await bob.getByLabel('Password').fill('temporary passphrase');
      await bob.getByRole('button', { name: 'Sign in' }).click();
      await bob.waitForURL(`${s.base}/account`);
      await bob.getByLabel('Current password').fill('temporary passphrase');
      await bob.getByLabel('New password', { exact: true }).fill('bobs own passphrase');
      await bob.getByLabel('Confirm the new password').fill('bobs own passphrase');
      await bob.getByRole('button', { name: 'Change password' }).click();
      await bob.waitForURL(`${s.base}/account`);

      await bob.goto(shareUrl);
      const html = await bob.content();
      expect(html).not.toContain('ActivatedBy');
      expect(html).not.toContain('ops@example.com');
      expect(await headerColumns(bob)).toEqual(['key', 'Active', 'Priority']);
      await shot(bob, 'grid-views-shared-with-bob');
      // The admin's own view link is not Bob's: not found.
      const res = await bob.goto(viewUrl);
      expect(res?.status()).toBe(404);
    });
  });

  it('applies a bulk change to all rows matching a search, with the count in the preview', async () => {
    await withScreenshotOnFailure(admin, 'grid-select-all', async () => {
      await openTable(admin, 'Emergency Flags');
      await admin.getByLabel('Search').fill('our');
      await admin.getByRole('button', { name: 'Apply' }).click();
      await admin.waitForURL(/q=our/);
      const bulk = admin.locator('#bulk-form');
      // Delete needs neither a column nor a value: both hide.
      await bulk.getByLabel('Action').selectOption('delete');
      expect(await bulk.getByLabel('Column to change').isVisible()).toBe(false);
      await bulk.getByLabel('Action').selectOption('set');
      expect(await bulk.getByLabel('Column to change').isVisible()).toBe(true);
      await bulk.getByLabel(/All 3 row\(s\) that match/).check();
      await bulk.getByLabel('Column to change').selectOption('Priority');
      await bulk.getByLabel('New value', { exact: true }).fill('5');
      await bulk.getByRole('button', { name: 'Preview' }).click();
      expect(await admin.locator('#bulk-all-count').textContent()).toContain('3 row(s) match your search');
      await shot(admin, 'grid-select-all-preview');
      await admin.getByRole('button', { name: 'Apply to 3 row(s)' }).click();
      await untilHeading(admin, /Done/);
      expect(await admin.getByRole('link', { name: 'See the changes in the audit log' }).count()).toBe(1);
      await shot(admin, 'grid-select-all-done');
    });
  });
});
