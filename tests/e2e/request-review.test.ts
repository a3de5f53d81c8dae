// The review page in Chromium: Tess saves a row edit with a window as a change request from the row form, Vic
// (approver; ActivatedBy hidden from him) finds it through the top bar's badge and sees the coloured diff
// without the hidden column; a held request shows theirs / requested / original. Screenshots of each page go to
// test-results/ (not committed) for a person to look at.
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';
import { launchBrowser, withScreenshotOnFailure } from '../helpers/browser.js';
import { approvalWorld } from '../helpers/request-page-fixtures.js';
import { PASSWORD, type PermissionWorld } from '../helpers/permission-fixtures.js';

const CANARY = 'hidden-operator-42';
const shots = path.join(projectRoot, 'test-results', 'request-review');

let w: PermissionWorld;
let server: Server;
let base: string;
let browser: Browser;
beforeAll(async () => {
  w = await approvalWorld(CANARY);
  server = w.t.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  mkdirSync(shots, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  server?.close();
  await w?.t.close();
});

async function signedIn(email: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  return page;
}

/** An expression for the page (a string: the test's types have no DOM): the first match's background colour. */
const backgroundOf = (selector: string) =>
  `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`;

const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

describe('the review page in a browser', () => {
  it('author requests from the row form; the approver reviews the diff without the hidden column', async () => {
    const tess = await signedIn('tess@example.com');
    let requestUrl = '';
    await withScreenshotOnFailure(tess, 'request-author', async () => {
      await tess.goto(`${base}/tables/${w.flagsId}/rows/${encodeURIComponent('Main Line')}`);
      await shoot(tess, '1-row-form');
      await tess.getByLabel('Message').fill('Closed for snow');
      await tess.getByLabel('Active').check();
      await tess.getByLabel('Title of the request').fill('Snow closure Friday to Monday');
      await tess.getByLabel(/^Apply at/).fill('2030-01-11T18:00');
      await tess.getByLabel(/^Revert at/).fill('2030-01-14T07:00');
      await tess.getByRole('button', { name: 'Submit for approval' }).click();
      await tess.waitForURL(/\/requests\/[\w-]+$/);
      requestUrl = tess.url();
      expect((await tess.locator('#apply-at').innerText()).trim()).toBe('Fri 11 Jan 2030, 18:00 (CET, UTC+01:00)');
      await shoot(tess, '2-author-review');
    });

    const vic = await signedIn('vic@example.com');
    await withScreenshotOnFailure(vic, 'request-approver', async () => {
      expect((await vic.locator('#requests-waiting').innerText()).trim()).toBe('(1)');
      await vic.locator('#requests-link').click();
      await shoot(vic, '3-list');
      await vic.getByRole('link', { name: 'Snow closure Friday to Monday' }).first().click();
      expect(vic.url()).toBe(requestUrl);
      const changed = vic.locator('table.request-diff tr.changed', { hasText: 'Message' });
      expect((await changed.locator('td.requested').innerText()).trim()).toBe('Closed for snow');
      expect((await changed.locator('td.original').innerText()).trim()).toBe('All normal');
      // Coloured: the requested value green, the original red.
      const green = await vic.evaluate(backgroundOf('tr.changed td.requested'));
      const red = await vic.evaluate(backgroundOf('tr.changed td.original'));
      expect(green).toMatch(/^rgb/);
      expect(green).not.toBe(red);
      const html = await vic.content();
      expect(html).not.toContain('ActivatedBy');
      expect(html).not.toContain(CANARY);
      await shoot(vic, '4-approver-review');
      await vic.getByRole('button', { name: /Reject/ }).click();
      expect(await vic.locator('#reject-reason-error').innerText()).toContain('Give a reason');
      await shoot(vic, '5-reject-without-reason');
    });
  });

  it('a held request shows theirs / requested / original per column', async () => {
    const tess = await signedIn('tess@example.com');
    await withScreenshotOnFailure(tess, 'request-held', async () => {
      const repo = w.t.services.requestRecords;
      const original = { key: 'Billing Queue', Message: 'Open', Priority: 1 };
      const created = await repo.create({
        orgId: w.orgId,
        title: 'Billing queue notice',
        reason: 'Outage',
        authorId: w.users.tableEditor.id,
        authorName: 'Tess <tess@example.com>',
        status: 'held',
        rows: [
          {
            tableId: w.flagsId,
            tableName: 'Emergency Flags',
            key: 'Billing Queue',
            kind: 'update',
            original,
            requested: { Message: 'Outage: call back later' },
          },
        ],
      });
      await repo.update(created.id, { heldPhase: 'apply', heldReason: 'A row changed since it was requested.' });
      await repo.updateRow(created.rows[0]!.id, {
        state: 'held',
        theirs: { ...original, Message: 'Changed by someone else' },
      });
      await tess.goto(`${base}/requests/${created.id}`);
      const row = tess.locator('table.request-diff tr', { hasText: 'Message' });
      expect((await row.locator('td.theirs').innerText()).trim()).toBe('Changed by someone else');
      expect((await row.locator('td.requested').innerText()).trim()).toBe('Outage: call back later');
      expect((await row.locator('td.original').innerText()).trim()).toBe('Open');
      expect(await tess.getByRole('button', { name: 'Drop this row' }).isVisible()).toBe(true);
      await shoot(tess, '6-held');
    });
  });
});
