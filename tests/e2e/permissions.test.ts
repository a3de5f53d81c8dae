// A business user with a hidden and a read-only column, in a real browser: an admin grants the rights in
// the column grid, the user sees and edits only what they may, and Genesys keeps the other values.
import { describe, expect, it } from 'vitest';
import { runSetupWizard, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const s = useBrowserSession();

describe('column rights in the browser', () => {
  it('an admin grants rights; the user cannot see the hidden column and can change only the writable one', async () => {
    const { base, browser } = s;
    const admin = await (await browser.newContext()).newPage();
    admin.on('dialog', (d) => void d.accept());
    await withScreenshotOnFailure(admin, 'permissions-admin', async () => {
      await runSetupWizard(
        admin,
        base,
        { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' },
        'Use the sandbox org',
      );

      // Give the flag a value the user must never see.
      await admin.goto(`${base}/tables`);
      await admin.getByRole('link', { name: 'Emergency Flags' }).click();
      await admin.locator('tr', { hasText: 'Main Line' }).getByRole('link', { name: 'Edit' }).click();
      await admin.getByLabel('ActivatedBy').fill('secret-operator');
      await admin.getByRole('button', { name: 'Save', exact: true }).click();
      await admin.waitForURL(/\/tables\/[\w-]+$/);

      await admin.getByRole('link', { name: 'Users' }).click();
      await admin.getByRole('link', { name: 'Add a user' }).click();
      await admin.getByLabel('Email').fill('bob@example.com');
      await admin.getByLabel('Display name').fill('Bob');
      await admin.getByLabel('Temporary password', { exact: true }).fill('temporary passphrase');
      await admin.getByLabel('Confirm the temporary password').fill('temporary passphrase');
      await admin.getByRole('button', { name: 'Add user' }).click();
      await admin.locator('tr', { hasText: 'Emergency Flags' }).getByRole('link', { name: 'Edit rights' }).click();
      await admin.getByLabel('View rows').check();
      await admin.getByLabel('Edit rows').check();
      await admin.getByLabel('Line: read').check();
      await admin.getByLabel('Active: read').check();
      await admin.getByLabel('Message: write').check();
      await admin.getByLabel('Priority: read').check();
      await admin.getByLabel('ActivatedBy: hidden').check();
      await admin.getByRole('button', { name: 'Save rights' }).click();
      expect(await admin.getByRole('status').first().textContent()).toContain(
        'Saved the rights of Bob on Emergency Flags',
      );
    });

    const bob = await (await browser.newContext()).newPage();
    await withScreenshotOnFailure(bob, 'permissions-user', async () => {
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

      await bob.goto(`${base}/tables`);
      expect(await bob.locator('main').textContent()).not.toContain('Opening Hours');
      await bob.getByRole('link', { name: 'Emergency Flags' }).click();
      const html = await bob.content();
      expect(html).not.toContain('secret-operator');
      expect(html).not.toContain('ActivatedBy');
      await bob.locator('tr', { hasText: 'Main Line' }).getByRole('link', { name: 'Edit' }).click();
      expect(await bob.getByLabel('Priority').getAttribute('readonly')).not.toBeNull();
      expect(await bob.getByLabel('Active').isDisabled()).toBe(true);
      await bob.getByLabel('Message').fill('Storm: expect long waits');
      await bob.getByLabel('Reason for the change').fill('storm warning');
      await bob.getByRole('button', { name: 'Save', exact: true }).click();
      expect(await bob.getByRole('status').first().textContent()).toContain('Saved “Main Line” (Message)');
      expect(await bob.locator('tr', { hasText: 'Main Line' }).textContent()).toContain('Storm: expect long waits');
    });

    // The hidden column kept its value in Genesys (the admin still sees it).
    await admin.goto(`${base}/tables`);
    await admin.getByRole('link', { name: 'Emergency Flags' }).click();
    const row = await admin.locator('tr', { hasText: 'Main Line' }).textContent();
    expect(row).toContain('secret-operator');
    expect(row).toContain('Storm: expect long waits');
  });
});
