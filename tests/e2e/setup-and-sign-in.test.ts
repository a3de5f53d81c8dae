// A new user's first minutes, in a real browser against the built server (`npm start`'s entry point): the
// wizard, the Genesys step, signing out, a failed and a successful sign-in.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const s = useBrowserSession();

async function newPage(): Promise<Page> {
  const context = await s.browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
  return page;
}

describe('first run in a browser', () => {
  it('runs the setup wizard, signs out, and signs back in', async () => {
    const page = await newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    const { base } = s;
    await withScreenshotOnFailure(page, 'setup-and-sign-in', async () => {
      await page.goto(`${base}/`);
      expect(new URL(page.url()).pathname).toBe('/setup');
      await expect(page.title()).resolves.toContain('create the administrator');

      // A mistake first: the form explains it next to the field and keeps the input.
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Display name').fill('Ada Lovelace');
      await page.getByLabel('Password', { exact: true }).fill('analytical engine notes');
      await page.getByLabel('Confirm password').fill('analytical engine typo');
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await page.waitForLoadState();
      expect(await page.locator('#passwordConfirm-error').textContent()).toContain('do not match');
      expect(await page.getByLabel('Email').inputValue()).toBe('ada@example.com');

      await page.getByLabel('Password', { exact: true }).fill('analytical engine notes');
      await page.getByLabel('Confirm password').fill('analytical engine notes');
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await page.waitForURL(`${base}/setup/connect`);
      await page.getByRole('button', { name: /Configure later/ }).click();
      await page.waitForURL(`${base}/`);
      expect(await page.locator('h1').textContent()).toContain('Hello, Ada Lovelace');
      expect(await page.getByRole('status').first().textContent()).toContain('Setup is complete');

      // The wizard is gone.
      const again = await page.goto(`${base}/setup`);
      expect(again?.status()).toBe(404);
      expect(await page.locator('.error-id code').textContent()).toMatch(/^[0-9a-f]{12}$/);

      await page.goto(`${base}/`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login\?signedOut=1$/);
      expect(await page.getByRole('status').first().textContent()).toContain('You have signed out.');

      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Password').fill('wrong password entirely');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForLoadState();
      expect(await page.getByRole('alert').textContent()).toContain('The email or password is incorrect.');

      await page.getByLabel('Password').fill('analytical engine notes');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/`);
      expect(await page.locator('h1').textContent()).toContain('Hello, Ada Lovelace');
      expect(cspViolations).toEqual([]);
    });
  });

  it('works by keyboard alone: skip link, labelled fields, Enter submits', async () => {
    const page = await newPage();
    const { base } = s;
    await withScreenshotOnFailure(page, 'keyboard', async () => {
      await page.goto(`${base}/no-such-page`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toBe('Skip to main content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement?.id')).toBe('main');

      await page.goto(`${base}/login`);
      expect(await page.evaluate('document.activeElement?.id')).toBe('email'); // autofocus
      await page.keyboard.type('ada@example.com');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.id')).toBe('password');
      await page.keyboard.type('analytical engine notes');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/`);
      expect(await page.locator('h1').textContent()).toContain('Hello');
    });
  });
});
