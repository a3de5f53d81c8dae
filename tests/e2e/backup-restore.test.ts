// Backup and restore in a real browser: a backup with progress, downloaded; a scheduled backup; the restore
// plan, the restore and its undo as one unit; a damaged file refused with the reason. Then into another org:
// a missing table created from the backup's schema, the server killed mid-restore and the restore carrying
// on after the restart.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { touchRows } from '../../src/emulator/store.js';
import {
  launchBrowser,
  runSetupWizard,
  untilHeading,
  useBrowserSession,
  withScreenshotOnFailure,
} from '../helpers/browser.js';
import { freePort, spawnServer, waitForHealthy, type ServerProcess } from '../helpers/spawn-server.js';

const ADMIN = { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' };

async function tableRowText(page: Page, base: string, table: string, key: string): Promise<string> {
  await page.goto(`${base}/tables`);
  await page.getByRole('link', { name: table, exact: true }).click();
  await page.getByRole('button', { name: /Reload from Genesys/ }).click();
  return (await page.locator('tr', { hasText: key }).first().textContent()) ?? '';
}

describe('backup and restore in the sandbox org', () => {
  const s = useBrowserSession();

  it('backs up, downloads, schedules, previews, restores, undoes the restore, and refuses a damaged file', async () => {
    const context = await s.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'backup-restore', async () => {
      await runSetupWizard(page, s.base, ADMIN, 'Use the sandbox org');

      // A backup of one table, with its progress page, downloadable.
      await page.goto(`${s.base}/backups`);
      await page.getByLabel('Emergency Flags').check();
      await page.getByRole('button', { name: 'Make a backup' }).click();
      await untilHeading(page, /Backup ready/);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download the backup' }).click(),
      ]);
      const file = JSON.parse(readFileSync((await download.path())!, 'utf8'));
      expect(file).toMatchObject({ format: 'datatable-manager-backup', version: 1, org: { name: 'Sandbox' } });
      expect(file.tables.map((t: { name: string }) => t.name)).toEqual(['Emergency Flags']);
      expect(file.checksum).toMatch(/^hmac-sha256:[0-9a-f]+:[0-9a-f]{64}$/); // sealed with this server's backup key

      // A daily schedule makes its first backup as soon as it is saved.
      await page.goto(`${s.base}/admin/orgs`);
      await page.getByRole('link', { name: /Edit/ }).first().click();
      await page.getByLabel('Scheduled backups', { exact: true }).selectOption('daily');
      await page.getByLabel('Scheduled backups to keep').fill('3');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect
        .poll(async () => (await page.goto(`${s.base}/backups`), await page.locator('tbody').textContent()), {
          timeout: 20_000,
        })
        .toContain('scheduled');

      // Change a row after the backup, then restore the backup: the plan names the change.
      await page.goto(`${s.base}/tables`);
      await page.getByRole('link', { name: 'Emergency Flags', exact: true }).click();
      await page.locator('tr', { hasText: 'Main Line' }).getByRole('link', { name: 'Edit' }).click();
      await page.getByLabel('Message').fill('Changed after the backup');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.waitForURL(/\/tables\/[\w-]+$/);
      await page.goto(`${s.base}/backups`);
      await page
        .locator('tr', { hasNotText: 'scheduled' })
        .filter({ hasText: 'Ada' })
        .getByRole('link', { name: 'Restore…' })
        .first()
        .click();
      const plan = page.locator('#restore-plan');
      expect(await plan.locator('tbody tr').first().textContent()).toMatch(/Emergency Flags\s*0\s*1\s*0\s*3/);
      expect(await plan.textContent()).toContain('“Main Line”: Message');
      await page.getByRole('button', { name: 'Restore', exact: true }).click();
      await untilHeading(page, /Restore finished/);
      const jobUrl = page.url();
      expect(await page.getByRole('status').textContent()).toContain('1 of 1 change(s)');
      expect(await tableRowText(page, s.base, 'Emergency Flags', 'Main Line')).not.toContain(
        'Changed after the backup',
      );

      // The whole restore is undone as one unit.
      await page.goto(jobUrl);
      await page.getByRole('link', { name: 'Undo this restore…' }).click();
      await page.getByRole('button', { name: /Undo 1 change/ }).click();
      await untilHeading(page, /Batch undone/); // a batch undo is a job: its page refreshes until it is done
      expect(await tableRowText(page, s.base, 'Emergency Flags', 'Main Line')).toContain('Changed after the backup');

      // A damaged file is refused with the reason, and nothing is kept.
      const damaged = JSON.stringify({ ...file, tables: [{ ...file.tables[0], rows: [] }] });
      await page.goto(`${s.base}/backups`);
      await page
        .getByLabel(/Restore from a backup file/)
        .setInputFiles({ name: 'damaged.json', mimeType: 'application/json', buffer: Buffer.from(damaged) });
      await page.getByRole('button', { name: 'Upload and check…' }).click();
      expect(await page.getByRole('alert').first().textContent()).toContain('cannot be restored');
      expect(await page.locator('ul.problems').textContent()).toContain('checksum does not match');
    });
  });
});

describe('restoring into another org, across a server restart', () => {
  let emu: RunningEmulator;
  let server: ServerProcess;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-e2e-restore-'));
  let port: number;
  const start = async () => {
    server = spawnServer(
      { DATA_DIR: dataDir, PORT: String(port), GENESYS_API_OVERRIDE: `http://127.0.0.1:${emu.port}` },
      'dist',
    );
    await waitForHealthy(port, server);
  };
  beforeAll(async () => {
    emu = await startEmulator({
      clients: [{ name: 'Acme Test', clientId: 'acme-test', clientSecret: 'acme-test-secret' }],
      seed: 'demo',
    });
    port = await freePort();
    await start();
  });
  afterAll(async () => {
    server.child.kill('SIGINT');
    await server.exited;
    await emu.stop();
  });

  it('creates a missing table, and a restore killed midway finishes after the restart without repeating a row', async () => {
    const browser = await launchBrowser();
    const base = `http://127.0.0.1:${port}`;
    const page = await (await browser.newContext()).newPage();
    try {
      await withScreenshotOnFailure(page, 'restore-other-org', async () => {
        await runSetupWizard(page, base, ADMIN, 'Use the sandbox org');
        // The other org lacks "Emergency Flags", and 15 of its VIP rows differ from the sandbox's.
        const org = emu.orgs[0]!;
        const flags = [...org.tables.values()].find((t) => t.name === 'Emergency Flags')!;
        org.tables.delete(flags.id);
        const vip = [...org.tables.values()].find((t) => t.name === 'VIP Customers')!;
        const keys = [...vip.rows.keys()].slice(0, 15);
        for (const k of keys) vip.rows.set(k, { ...vip.rows.get(k)!, Tier: 'Changed' });
        touchRows(vip);

        // Back up both tables in the sandbox.
        await page.goto(`${base}/backups`);
        await page.getByLabel('Emergency Flags').check();
        await page.getByLabel('VIP Customers').check();
        await page.getByRole('button', { name: 'Make a backup' }).click();
        await untilHeading(page, /Backup ready/);

        // Add the other org and switch to it.
        await page.goto(`${base}/admin/orgs/new`);
        await page.getByLabel('Display name').fill('Acme Test');
        await page.getByLabel('Region').selectOption('us_east_1');
        await page.getByLabel('OAuth client id').fill('acme-test');
        await page.getByLabel('OAuth client secret').fill('acme-test-secret');
        await page.getByRole('button', { name: 'Save and test connection' }).click();
        await page.waitForURL(/\/admin\/orgs\/[\w-]+\/readiness$/);
        await page.goto(`${base}/`);
        await page.locator('#org-switch').selectOption({ label: 'Acme Test' });
        await page.waitForLoadState('load');
        await expect.poll(async () => page.locator('#org-switch option:checked').textContent()).toContain('Acme Test');

        // The plan needs "Create missing tables"; with it, the table is new and VIP has 15 updates.
        await page.goto(`${base}/backups`);
        await page.getByRole('link', { name: 'Restore…' }).first().click();
        expect(await page.locator('ul.problems').textContent()).toContain('Tick “Create missing tables”');
        await page.getByLabel("Create missing tables from the backup's schema").check();
        await page.getByRole('button', { name: 'Update the plan' }).click();
        const plan = await page.locator('#restore-plan').textContent();
        expect(plan).toContain('Emergency Flags (new table)');
        expect(plan).toMatch(/VIP Customers\s*0\s*15\s*0\s*1985/);

        // Slow Genesys down, start the restore, and kill the server once a few rows are done.
        emu.options.behaviour.latencyMs = 150;
        await page.getByRole('button', { name: 'Restore', exact: true }).click();
        await page.waitForURL(/\/backups\/restores\//);
        const jobUrl = page.url();
        await expect
          .poll(async () => keys.filter((k) => vip.rows.get(k)!.Tier !== 'Changed').length, {
            timeout: 60_000,
            interval: 50,
          })
          .toBeGreaterThanOrEqual(3);
        server.child.kill('SIGKILL');
        await server.exited;
        expect(keys.filter((k) => vip.rows.get(k)!.Tier === 'Changed').length).toBeGreaterThan(0);
        emu.options.behaviour.latencyMs = 0;
        await start();

        // The session is kept across the restart, and the restore has carried on by itself.
        await page.goto(jobUrl);
        await untilHeading(page, /Restore finished/);
        expect(await page.getByRole('status').textContent()).toContain('19 of 19 change(s)');
        const created = [...org.tables.values()].find((t) => t.name === 'Emergency Flags')!;
        expect(created.rows.size).toBe(4);
        expect(keys.every((k) => vip.rows.get(k)!.Tier !== 'Changed')).toBe(true);
        const puts = emu.requestLog.filter(
          (e) => e.method === 'PUT' && e.status === 200 && e.path.includes(`/datatables/${vip.id}/rows/`),
        );
        expect(puts).toHaveLength(15); // each row written once, across the kill
      });
    } finally {
      await browser.close();
    }
  });
});
