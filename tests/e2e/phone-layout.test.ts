// Issue 16, phone (390×844) and desktop (1366×900) layout, measured in Chromium: on a phone the top bar takes
// at most a fifth of the screen, its menu folds into a "Menu" button that opens without JavaScript, and a wide
// table scrolls sideways inside its card while the page itself does not; on a desktop an administrator's top
// bar (ten menu items, org switcher, user) is one line. Screenshots of each step go to a temporary folder
// (printed), and of a failing step to test-results/.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousAxeViolations } from '../helpers/axe.js';
import { runSetupWizard, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const s = useBrowserSession();
const ADMIN = { email: 'ada@example.com', displayName: 'Ada Lovelace', password: 'analytical engine notes' };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const shots = mkdtempSync(path.join(os.tmpdir(), 'dtm-phone-shots-'));
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });

type Box = { top: number; bottom: number; left: number; right: number; height: number };
const boxOf = (page: Page, selector: string): Promise<Box> =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const r = (el as unknown as { getBoundingClientRect(): Box }).getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
    });
/** How far the page scrolls sideways: its content width beyond the window. */
const pageOverflow = (page: Page) =>
  page.evaluate(() => {
    const root = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });

let browser: Browser;
let base: string;
let tableUrl: string;
let cookies: Awaited<ReturnType<BrowserContext['cookies']>>;

async function signedInPage(viewport: { width: number; height: number }, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ viewport, javaScriptEnabled });
  await context.addCookies(cookies);
  return context.newPage();
}

describe('phone and desktop layout', () => {
  it('sets up an administrator with the sandbox org', async () => {
    ({ browser, base } = s);
    console.log(`phone layout screenshots: ${shots}`);
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'phone-setup', async () => {
      await runSetupWizard(page, base, ADMIN, 'Use the sandbox org');
      await page.goto(`${base}/tables`);
      await page.getByRole('link', { name: 'Opening Hours' }).click();
      tableUrl = page.url();
      cookies = await context.cookies();
    });
  });

  it('at 390×844: a short top bar, a menu that folds, a table that scrolls inside its card', async () => {
    const page = await signedInPage(PHONE);
    await withScreenshotOnFailure(page, 'phone-390', async () => {
      await page.goto(tableUrl);
      await shot(page, 'phone-table');
      const header = await boxOf(page, 'header.topbar');
      expect(header.height, 'the top bar is at most a fifth of the screen').toBeLessThanOrEqual(PHONE.height / 5);
      // The org stays in sight; the menu's links do not until the menu is opened.
      expect(await page.locator('.org-switcher .org-badge').isVisible()).toBe(true);
      const users = page.getByRole('link', { name: 'Users', exact: true });
      expect(await users.isVisible()).toBe(false);
      await page.locator('summary.topmenu-toggle').click();
      expect(await users.isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
      await shot(page, 'phone-menu-open');
      await expectNoSeriousAxeViolations(page, 'phone, menu open');
      await page.locator('summary.topmenu-toggle').click();
      expect(await users.isVisible()).toBe(false);

      // The table is wider than the phone: it scrolls sideways in its card; the page does not.
      const wrap = page.locator('.table-wrap').first();
      const scroll = await wrap.evaluate((el) => {
        const e = el as unknown as { scrollWidth: number; clientWidth: number };
        return { scrollWidth: e.scrollWidth, clientWidth: e.clientWidth };
      });
      expect(scroll.scrollWidth, 'the table is wider than its card').toBeGreaterThan(scroll.clientWidth);
      const card = await boxOf(page, 'main .card');
      expect(card.right).toBeLessThanOrEqual(PHONE.width);
      expect(await pageOverflow(page), 'the page itself does not scroll sideways').toBeLessThanOrEqual(0);
      await wrap.evaluate((el) => {
        (el as unknown as { scrollLeft: number }).scrollLeft = 10_000;
      });
      await shot(page, 'phone-table-scrolled');

      // Other wide pages do not scroll sideways either.
      for (const url of ['/', '/audit', '/backups', '/admin/users', '/admin/orgs', '/account', '/jobs', '/requests']) {
        await page.goto(`${base}${url}`);
        expect(await pageOverflow(page), `${url} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
        expect((await boxOf(page, 'header.topbar')).height, `${url}: top bar height`).toBeLessThanOrEqual(
          PHONE.height / 5,
        );
      }
    });
  });

  it('at 390×844 without JavaScript the menu still opens', async () => {
    const page = await signedInPage(PHONE, false);
    await withScreenshotOnFailure(page, 'phone-no-js', async () => {
      await page.goto(`${base}/tables`);
      const users = page.getByRole('link', { name: 'Users', exact: true });
      expect(await users.isVisible()).toBe(false);
      await page.locator('summary.topmenu-toggle').click();
      expect(await users.isVisible()).toBe(true);
      await users.click();
      await page.waitForURL(`${base}/admin/users`);
    });
  });

  it('at 1366×900 an administrator’s top bar is one line, with no Menu button', async () => {
    const page = await signedInPage(DESKTOP);
    await withScreenshotOnFailure(page, 'desktop-1366', async () => {
      await page.goto(tableUrl);
      await shot(page, 'desktop-table');
      expect(await page.locator('summary.topmenu-toggle').isVisible()).toBe(false);
      const items = ['a.brand', '.org-switcher select', '.mainnav a[href="/"]', '.mainnav a[href="/admin/orgs"]'];
      items.push('.usermenu .user-name', '.usermenu button');
      const tops = await Promise.all(items.map(async (sel) => (await boxOf(page, sel)).top));
      const bottoms = await Promise.all(items.map(async (sel) => (await boxOf(page, sel)).bottom));
      // One line: every item overlaps every other vertically.
      expect(Math.max(...tops), `tops ${tops.join(', ')}`).toBeLessThan(Math.min(...bottoms));
      expect((await boxOf(page, 'header.topbar')).height).toBeLessThanOrEqual(60);
      // The links are reachable by keyboard while the (hidden) menu is closed.
      await page.getByRole('link', { name: 'Genesys orgs' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/admin/orgs`);
      await expectNoSeriousAxeViolations(page, 'desktop orgs');
    });
  });
});
