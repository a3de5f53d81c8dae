// Issue 15's browser test: a business user requests a change with a window (apply at, revert at) on a table
// whose org needs approval; an administrator approves it; the server's clock is moved past the start (the rows
// change in Genesys) and past the end (the rows are back), and a row someone else changed during the window is
// held at the revert, not overwritten, and shown as theirs / requested / original. The built server runs with
// TEST_CLOCK_FILE (NODE_ENV=test), so the test moves its time instead of waiting ten minutes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runSetupWizard, untilHeading, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const clockFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'dtm-e2e-clock-')), 'clock.json');
const moveServerClock = (minutes: number) => writeFileSync(clockFile, JSON.stringify({ offsetMs: minutes * 60_000 }));
const s = useBrowserSession(() => ({ NODE_ENV: 'test', TEST_CLOCK_FILE: clockFile }));
const shots = mkdtempSync(path.join(os.tmpdir(), 'dtm-requests-shots-'));
const ZONE = 'Europe/Berlin';

const ADA = { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' };
let step = 0;
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });

/** The local time in the org's zone `minutes` from the server's now, as a datetime-local input takes it. */
const localIn = (minutes: number, offsetMinutes: number) =>
  DateTime.now()
    .plus({ minutes: minutes + offsetMinutes })
    .setZone(ZONE)
    .toFormat("yyyy-LL-dd'T'HH:mm");

async function messageOf(page: Page, base: string, line: string): Promise<string> {
  await page.goto(`${base}/tables`);
  await page.getByRole('link', { name: 'Emergency Flags' }).click();
  return (await page.locator('tr', { hasText: line }).textContent()) ?? '';
}

describe('change requests in the browser', () => {
  it('requests a windowed change, a second person approves, the clock applies and reverts it, a conflict is held', async () => {
    console.log(`change-request screenshots: ${shots}`);
    const { base, browser } = s;
    moveServerClock(0);
    const ada = await (await browser.newContext()).newPage();
    ada.on('dialog', (d) => void d.accept());
    await withScreenshotOnFailure(ada, 'requests-admin-setup', async () => {
      await runSetupWizard(ada, base, ADA, 'Use the sandbox org');
      // The org: Berlin time, every change needs one approval.
      await ada.getByRole('link', { name: 'Genesys orgs' }).click();
      await ada.getByRole('link', { name: 'Edit' }).first().click();
      await ada.getByLabel('Time zone').fill(ZONE);
      await ada.getByLabel('Changes to its tables').selectOption('approval');
      await ada.getByLabel('Approvals needed').selectOption('1');
      await ada.getByRole('button', { name: /Save/ }).click();
      await shot(ada, 'org-needs-approval');

      // Bob may view and edit the flags' messages, nothing else.
      await ada.getByRole('link', { name: 'Users' }).click();
      await ada.getByRole('link', { name: 'Add a user' }).click();
      await ada.getByLabel('Email').fill('bob@example.com');
      await ada.getByLabel('Display name').fill('Bob');
      await ada.getByLabel('Temporary password', { exact: true }).fill('temporary passphrase');
      await ada.getByLabel('Confirm the temporary password').fill('temporary passphrase');
      await ada.getByRole('button', { name: 'Add user' }).click();
      await ada.locator('tr', { hasText: 'Emergency Flags' }).getByRole('link', { name: 'Edit rights' }).click();
      await ada.getByLabel('View rows').check();
      await ada.getByLabel('Edit rows').check();
      for (const c of ['Line', 'Active', 'Priority', 'ActivatedBy']) await ada.getByLabel(`${c}: read`).check();
      await ada.getByLabel('Message: write').check();
      await ada.getByRole('button', { name: 'Save rights' }).click();
    });

    const bob = await (await browser.newContext()).newPage();
    bob.on('dialog', (d) => void d.accept());
    let requestUrl = '';
    await withScreenshotOnFailure(bob, 'requests-author', async () => {
      await bob.goto(`${base}/login`);
      await bob.getByLabel('Email').fill('bob@example.com');
      await bob.getByLabel('Password').fill('temporary passphrase');
      await bob.getByRole('button', { name: 'Sign in' }).click();
      await bob.waitForURL(`${base}/account`);
      await bob.getByLabel('Current password').fill('temporary passphrase');
      await bob.getByLabel('New password', { exact: true }).fill('bobs own passphrase');
      await bob.getByLabel('Confirm the new password').fill('bobs own passphrase');
      await bob.getByRole('button', { name: 'Change password' }).click();
      await bob.waitForURL(`${base}/account`);

      // A direct save is not offered under the approval policy; the change becomes a request.
      await bob.goto(`${base}/tables`);
      await bob.getByRole('link', { name: 'Emergency Flags' }).click();
      await bob.locator('tr', { hasText: 'Main Line' }).getByRole('link', { name: 'Edit' }).click();
      expect(await bob.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
      await bob.getByLabel('Message').fill('Snow: the site is closed today.');
      await bob.getByLabel('Title of the request').fill('Snow closure');
      await bob.getByRole('button', { name: 'Save as change request (draft)' }).click();
      await bob.waitForURL(/\/requests\/[\w-]+$/);
      requestUrl = bob.url();

      // A second row added to the same draft.
      await bob.goto(`${base}/tables`);
      await bob.getByRole('link', { name: 'Emergency Flags' }).click();
      await bob.locator('tr', { hasText: 'Weather Closure' }).getByRole('link', { name: 'Edit' }).click();
      await bob.getByLabel('Message').fill('Snow: all offices closed.');
      await bob.getByLabel('Or add it to one of your open requests').selectOption({ label: 'Snow closure' });
      await bob.getByRole('button', { name: 'Save as change request (draft)' }).click();
      await bob.waitForURL(requestUrl);

      // Bad input first: a revert before the apply is refused by name.
      await bob.getByLabel(/Apply at/).fill(localIn(20, 0));
      await bob.getByLabel(/Revert at/).fill(localIn(10, 0));
      await bob.getByRole('button', { name: 'Submit' }).click();
      expect(await bob.locator('main').textContent()).toMatch(/revert.*after.*apply/i);
      await bob.getByLabel(/Apply at/).fill(localIn(10, 0));
      await bob.getByLabel(/Revert at/).fill(localIn(20, 0));
      await bob.getByRole('button', { name: 'Submit' }).click();
      expect(await bob.locator('h1').textContent()).toContain('Waiting for approval');
      // The author cannot approve their own request: no button, and a crafted POST is refused (service tests).
      expect(await bob.getByRole('button', { name: /Approve/ }).count()).toBe(0);
      await shot(bob, 'submitted');
    });

    await withScreenshotOnFailure(ada, 'requests-approver', async () => {
      await ada.goto(`${base}/`);
      expect(await ada.locator('header').textContent()).toMatch(/Requests\s*\(?1/);
      await ada.goto(requestUrl);
      // The approver sees original → requested (the requested value in a field she may edit before approving).
      expect(await ada.locator('main').textContent()).toContain('We are experiencing a high volume of calls.');
      const requested = await ada
        .locator('main input[type="text"]')
        .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
      expect(requested).toEqual(
        expect.arrayContaining(['Snow: the site is closed today.', 'Snow: all offices closed.']),
      );
      await shot(ada, 'review');
      await ada.getByRole('button', { name: /Approve version/ }).click();
      expect(await ada.locator('h1').textContent()).toContain('Approved');
      // Nothing is written before the apply time.
      expect(await messageOf(ada, base, 'Main Line')).toContain('high volume of calls');
    });

    // The clock passes the start: the scheduler applies the rows.
    moveServerClock(11);
    await ada.goto(requestUrl);
    await untilHeading(ada, /Applied/);
    await shot(ada, 'applied');
    expect(await messageOf(ada, base, 'Main Line')).toContain('Snow: the site is closed today.');
    expect(await messageOf(ada, base, 'Weather Closure')).toContain('Snow: all offices closed.');

    // During the window someone changes one of the rows directly (an administrator may).
    await withScreenshotOnFailure(ada, 'requests-conflict', async () => {
      await ada.goto(`${base}/tables`);
      await ada.getByRole('link', { name: 'Emergency Flags' }).click();
      await ada.locator('tr', { hasText: 'Weather Closure' }).getByRole('link', { name: 'Edit' }).click();
      await ada.getByLabel('Message').fill('Roads are open again, offices open at noon.');
      await ada.getByRole('button', { name: 'Save', exact: true }).click();
      await ada.waitForURL(/\/tables\/[\w-]+$/);
    });

    // The clock passes the end: the untouched row goes back; the changed one is held, not overwritten.
    moveServerClock(21);
    await ada.goto(requestUrl);
    await untilHeading(ada, /Held/);
    await shot(ada, 'held-at-revert');
    const page = (await ada.locator('main').textContent()) ?? '';
    expect(page).toContain('Roads are open again, offices open at noon.'); // theirs
    expect(page).toContain('Snow: all offices closed.'); // requested
    expect(page).toContain('Due to severe weather our offices are closed.'); // original
    expect(await messageOf(ada, base, 'Main Line')).toContain('high volume of calls');
    expect(await messageOf(ada, base, 'Weather Closure')).toContain('Roads are open again');
  });
});
