// Issue 16: axe-core on every page of the app, for an administrator and for a business user, at a desktop
// (1366×900, light theme) and a phone (390×844, dark theme) size; serious or critical violations fail. Pages reached by a POST (the bulk
// preview, a form shown again with its errors) are checked where they land. Every violation of every page is
// collected first and reported together, so one run lists all there is to fix.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousAxeViolations } from '../helpers/axe.js';
import { untilHeading, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const s = useBrowserSession();
const ADMIN = { email: 'ada@example.com', displayName: 'Ada Lovelace', password: 'analytical engine notes' };
const USER = { email: 'bob@example.com', password: 'temporary passphrase', own: 'bobs own passphrase' };
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

const problems: string[] = [];

/** The first link in the page's main part whose path matches `pattern` (e.g. an audit entry, not an export). */
async function firstLink(page: Page, pattern: RegExp): Promise<string> {
  const hrefs = await page.locator('main a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const href = hrefs.find((h) => pattern.test(h));
  if (!href) throw new Error(`no link matching ${pattern} on ${page.url()}`);
  return href;
}
const checked: string[] = [];

/**
 * axe on the page as it is, at both sizes (the page is laid out again, not reloaded: a POST's answer stays).
 * The phone size is checked in the dark colour scheme, so both themes' contrasts are checked on every page.
 */
async function checkBothSizes(page: Page, label: string): Promise<void> {
  for (const [size, colorScheme] of [
    [DESKTOP, 'light'],
    [PHONE, 'dark'],
  ] as const) {
    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme });
    await expectNoSeriousAxeViolations(page, `${label} at ${size.width}px, ${colorScheme}`).catch((err: Error) =>
      problems.push(err.message),
    );
  }
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
  checked.push(label);
}

async function visit(page: Page, url: string, label: string): Promise<void> {
  await page.goto(url);
  await checkBothSizes(page, label);
}

async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname !== '/login');
}

describe('accessibility of every page (axe-core)', () => {
  let admin: Page;
  let tableUrl = '';
  let requestUrl = '';

  it('setup, sign-in and signed-out pages', async () => {
    const { base, browser } = s;
    const anon = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await withScreenshotOnFailure(anon, 'a11y-setup', async () => {
      await visit(anon, `${base}/setup`, 'setup: administrator');
      await anon.getByRole('button', { name: 'Create administrator' }).click();
      await checkBothSizes(anon, 'setup: administrator with errors');
    });
    admin = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    admin.on('dialog', (d) => void d.accept());
    await withScreenshotOnFailure(admin, 'a11y-setup-connect', async () => {
      await admin.goto(`${base}/setup`);
      await admin.getByLabel('Email').fill(ADMIN.email);
      await admin.getByLabel('Display name').fill(ADMIN.displayName);
      await admin.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await admin.getByLabel('Confirm password').fill(ADMIN.password);
      await admin.getByRole('button', { name: 'Create administrator' }).click();
      await admin.waitForURL(`${base}/setup/connect`);
      await checkBothSizes(admin, 'setup: connect an org');
      await admin.getByRole('button', { name: 'Use the sandbox org' }).click();
      await admin.waitForURL(`${base}/`);
    });
    const signedOut = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await withScreenshotOnFailure(signedOut, 'a11y-sign-in', async () => {
      await visit(signedOut, `${base}/login`, 'sign-in');
      await signedOut.getByLabel('Email').fill(ADMIN.email);
      await signedOut.getByLabel('Password').fill('not the password');
      await signedOut.getByRole('button', { name: 'Sign in' }).click();
      await checkBothSizes(signedOut, 'sign-in refused');
    });
  });

  it('every page an administrator sees', async () => {
    const { base } = s;
    await withScreenshotOnFailure(admin, 'a11y-admin', async () => {
      await visit(admin, `${base}/`, 'home');
      await visit(admin, `${base}/tables`, 'tables');
      await admin.getByRole('link', { name: 'Emergency Flags' }).click();
      tableUrl = admin.url();
      await checkBothSizes(admin, 'a table');
      await visit(admin, `${tableUrl}?q=Main`, 'a table, searched');
      await visit(admin, `${tableUrl}/new-row`, 'new row form');
      await admin.goto(tableUrl);
      await admin.locator('tr', { hasText: 'Main Line' }).getByRole('link', { name: 'Edit' }).click();
      const rowUrl = admin.url();
      await checkBothSizes(admin, 'row form');
      await admin.getByLabel('Priority').fill('not a number');
      await admin.getByRole('button', { name: 'Save', exact: true }).click();
      await checkBothSizes(admin, 'row form with errors');
      await visit(admin, `${rowUrl}/delete`, 'delete a row');
      await visit(admin, `${rowUrl}/rename`, 'rename a row');
      await admin.goto(rowUrl);
      await admin.getByLabel('Message').fill('Closed for the storm');
      await admin.getByRole('button', { name: 'Save', exact: true }).click();
      await admin.waitForURL(tableUrl);

      // Bulk: preview, apply (a job), its page, then the audit batch it wrote.
      await admin.locator('tr', { hasText: 'Main Line' }).getByRole('checkbox').check();
      await admin.locator('tr', { hasText: 'Billing Queue' }).getByRole('checkbox').check();
      await admin.getByLabel('Column to change').selectOption({ label: 'Message' });
      await admin.getByLabel('New value', { exact: true }).fill('Back soon');
      await admin.getByRole('button', { name: 'Preview' }).click();
      await checkBothSizes(admin, 'bulk preview');
      await admin.getByRole('button', { name: /Apply to 2 row/ }).click();
      await admin.waitForURL(/\/(jobs|bulk)\/[\w-]+$/);
      await untilHeading(admin, /^Done$/);
      await checkBothSizes(admin, 'bulk job');
      const batchHref = await firstLink(admin, /^\/audit\/batch\/[\w-]+$/);

      await visit(admin, `${base}/audit`, 'audit list');
      await visit(admin, `${base}/audit?action=row.updated`, 'audit list, filtered');
      const entryHref = await firstLink(admin, /^\/audit\/\d+$/);
      await visit(admin, `${base}${entryHref}`, 'audit entry');
      await visit(admin, `${base}${entryHref}/restore`, 'audit entry: restore');
      await visit(admin, `${base}${batchHref}`, 'audit batch');
      await visit(admin, `${base}/admin/audit/verify`, 'audit verify');

      // Backups: make one (a job), then its restore and delete pages.
      await visit(admin, `${base}/backups`, 'backups');
      await admin.getByRole('button', { name: 'Make a backup' }).click();
      await admin.waitForURL(/\/jobs\/[\w-]+$/);
      await untilHeading(admin, /Backup ready/);
      await checkBothSizes(admin, 'backup job');
      await admin.goto(`${base}/backups`);
      const restoreHref = await admin.getByRole('link', { name: 'Restore…' }).first().getAttribute('href');
      await visit(admin, `${base}${restoreHref}`, 'backup restore');
      await visit(admin, `${base}${restoreHref!.replace(/restore$/, 'delete')}`, 'backup delete');

      await visit(admin, `${base}/jobs`, 'jobs');
      await visit(admin, `${base}${await firstLink(admin, /^\/jobs\/[\w-]+$/)}`, 'a job');

      // Playbooks: a new one is a change request to approve its content.
      await visit(admin, `${base}/playbooks`, 'playbooks');
      await visit(admin, `${base}/playbooks/new`, 'new playbook');
      await admin.getByLabel('Name').fill('Storm');
      await admin
        .getByLabel('Rows it writes (JSON)')
        .fill(
          JSON.stringify([
            { table: 'Emergency Flags', key: 'Weather Closure', kind: 'update', values: { Active: true } },
          ]),
        );
      await admin.getByRole('button', { name: 'Save' }).click();
      await checkBothSizes(admin, 'playbook saved');
      await admin.goto(`${base}/playbooks`);
      await admin.getByRole('link', { name: 'Storm' }).first().click();
      const playbookUrl = admin.url();
      await checkBothSizes(admin, 'a playbook');
      await visit(admin, `${playbookUrl}/edit`, 'edit a playbook');

      await visit(admin, `${base}/calendar`, 'calendar');

      // Administration.
      await visit(admin, `${base}/admin/orgs`, 'orgs');
      await visit(admin, `${base}/admin/orgs/new`, 'new org');
      await admin.getByRole('button', { name: /Save/ }).click();
      await checkBothSizes(admin, 'new org with errors');
      await admin.goto(`${base}/admin/orgs`);
      await admin.getByRole('link', { name: 'Edit' }).first().click();
      const orgId = new URL(admin.url()).pathname.split('/')[3];
      await checkBothSizes(admin, 'org form');
      await visit(admin, `${base}/admin/orgs/${orgId}/readiness`, 'org readiness');
      await visit(admin, `${base}/admin/orgs/${orgId}/policies`, 'org change policies');
      const tableId = new URL(tableUrl).pathname.split('/').pop();
      await visit(admin, `${base}/admin/orgs/${orgId}/tables/${tableId}/access`, 'who may use a table');

      await visit(admin, `${base}/admin/users`, 'users');
      await visit(admin, `${base}/admin/users/new`, 'new user');
      await admin.getByLabel('Email').fill(USER.email);
      await admin.getByLabel('Display name').fill('Bob');
      await admin.getByLabel('Temporary password', { exact: true }).fill(USER.password);
      await admin.getByLabel('Confirm the temporary password').fill(USER.password);
      await admin.getByRole('button', { name: 'Add user' }).click();
      const userRightsUrl = admin.url();
      await checkBothSizes(admin, 'rights of a user');
      await admin.locator('tr', { hasText: 'Emergency Flags' }).getByRole('link', { name: 'Edit rights' }).click();
      await checkBothSizes(admin, 'rights on a table');
      await admin.getByLabel('View rows').check();
      await admin.getByLabel('Edit rows').check();
      for (const c of ['Line', 'Active', 'Priority', 'ActivatedBy']) await admin.getByLabel(`${c}: read`).check();
      await admin.getByLabel('Message: write').check();
      await admin.getByRole('button', { name: 'Save rights' }).click();
      await checkBothSizes(admin, 'rights saved');
      const userId = new URL(userRightsUrl).pathname.split('/')[3];
      await visit(admin, `${base}/admin/users/${userId}`, 'a user');
      await visit(admin, `${base}/account`, 'account');
      await visit(admin, `${base}/no-such-page`, 'error: not found');
    });
  }, 400_000);

  it('every page a business user sees', async () => {
    const { base, browser } = s;
    const bob = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    bob.on('dialog', (d) => void d.accept());
    await withScreenshotOnFailure(bob, 'a11y-user', async () => {
      await signIn(bob, base, USER.email, USER.password);
      await checkBothSizes(bob, 'user: must change password');
      await bob.getByLabel('Current password').fill(USER.password);
      await bob.getByLabel('New password', { exact: true }).fill(USER.own);
      await bob.getByLabel('Confirm the new password').fill(USER.own);
      await bob.getByRole('button', { name: 'Change password' }).click();
      await bob.waitForURL(`${base}/account`);
      await visit(bob, `${base}/`, 'user: home');
      await visit(bob, `${base}/tables`, 'user: tables');
      await visit(bob, tableUrl, 'user: a table');
      await bob.locator('tr', { hasText: 'Main Line' }).getByRole('link', { name: 'Edit' }).click();
      await checkBothSizes(bob, 'user: row form (read-only columns)');
      await bob.getByLabel('Message').fill('Open again');
      await bob.getByLabel('Title of the request').fill('Reopen');
      await bob.getByRole('button', { name: /Save as change request/ }).click();
      await bob.waitForURL(/\/requests\/[\w-]+$/);
      requestUrl = bob.url();
      await checkBothSizes(bob, 'user: own request (draft)');
      await bob.getByRole('button', { name: 'Submit' }).click();
      await checkBothSizes(bob, 'user: own request (submitted)');
      await visit(bob, `${base}/requests`, 'user: requests');
      await visit(bob, `${base}/calendar`, 'user: calendar');
      await visit(bob, `${base}/audit`, 'user: audit');
      await visit(bob, `${base}/backups`, 'user: backups');
      await visit(bob, `${base}/jobs`, 'user: jobs');
      await visit(bob, `${base}/playbooks`, 'user: playbooks');
      await visit(bob, `${base}/account`, 'user: account');
      await visit(bob, `${base}/admin/users`, 'error: forbidden');
    });
  }, 300_000);

  it('the request review an approver sees', async () => {
    const { base } = s;
    await withScreenshotOnFailure(admin, 'a11y-review', async () => {
      await visit(admin, `${base}/requests`, 'requests');
      await visit(admin, requestUrl, 'request review (to approve)');
    });
  });

  it('has no serious or critical violations on any of them', () => {
    expect(problems, problems.join('\n\n')).toEqual([]);
    expect(checked.length).toBeGreaterThan(45);
  });
});
