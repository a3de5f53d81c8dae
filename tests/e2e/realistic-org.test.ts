// Issue 13's "done when", in a real browser, on an org as strict as Genesys may be on the first day (the
// emulator's realistic profile: a role in Home only without architect:datatable:delete, reads lagging writes by
// 3 s, a 64 KB response cap, token throttling, trailing spaces trimmed and numbers answered as 1.0), connected
// as a real org (GENESYS_API_OVERRIDE), not the sandbox: set up, readiness, browse, search, edit, bulk edit,
// undo, back up, restore into a missing table, restore by CSV import. After every write: nothing failed,
// nothing falsely in conflict, no outcome left unknown, and Genesys holds the values (compared by meaning).
// Screenshots of every step go to a temp dir (its path is printed) for a person to look at.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import type { Row } from '../../src/emulator/schema-rules.js';
import { touchRows, type DataTableState } from '../../src/emulator/store.js';
import { runSetupWizardWithOrg, untilHeading, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const ADMIN = { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' };
const ORG = { name: 'Acme Contact Centre', clientId: 'acme-first-day', clientSecret: 'acme-first-day-secret' };
const shots = mkdtempSync(path.join(os.tmpdir(), 'dtm-realistic-shots-'));

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ clients: [ORG], seed: 'demo', profile: 'realistic' });
  console.log(`realistic-org screenshots: ${shots}`);
});
afterAll(async () => emu?.stop());
const s = useBrowserSession(() => ({ GENESYS_API_OVERRIDE: emu.url, AUDIT_RECONCILE_GRACE_SECONDS: '0' }));

let step = 0;
async function shot(page: Page, name: string): Promise<void> {
  step++;
  // The top of long pages (a 50-row grid is several screens): what a person sees first, legible when viewed.
  const height = Math.min(1600, Number(await page.evaluate('document.documentElement.scrollHeight')));
  await page.screenshot({
    path: path.join(shots, `${String(step).padStart(2, '0')}-${name}.png`),
    fullPage: true,
    clip: { x: 0, y: 0, width: 1366, height },
  });
}

const table = (name: string): DataTableState => [...emu.orgs[0]!.tables.values()].find((t) => t.name === name)!;
/** A row as Genesys holds it (the emulator's true state, not its lagging reads). */
const stored = (tableName: string, key: string): Row | undefined => table(tableName).rows.get(key);
const VIP = 'VIP Customers';
const vipKey = (i: number) => `+44 20 7946 ${String(1000 + i)}`;

interface ExportedEntry {
  seq: number;
  action: string;
  outcome: string | null;
  changeId: string | null;
  rowKey: string | null;
}

/**
 * The audit log, as its JSON export shows it, once every change has an outcome: none failed, none in
 * conflict or not applied, none left unknown. Returns each row change so far: its intent with its last outcome.
 */
async function auditIsClean(page: Page): Promise<ExportedEntry[]> {
  let changes = new Map<string, ExportedEntry[]>();
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`${s.base}/audit/export.json`);
        const entries = ((await res.json()) as { entries: ExportedEntry[] }).entries;
        changes = new Map();
        for (const e of entries.filter((x) => x.changeId))
          changes.set(e.changeId!, [...(changes.get(e.changeId!) ?? []), e]);
        return [...changes.values()]
          .filter((events) => !events.some((e) => e.outcome !== 'intent' && e.outcome !== 'unknown'))
          .map((events) => events[0]!.rowKey);
      },
      { timeout: 30_000, message: 'changes whose outcome is still unknown' },
    )
    .toEqual([]);
  const settled = [...changes.values()].map((events) => {
    const [intent, ...outcomes] = events.sort((a, b) => a.seq - b.seq);
    return { ...intent!, outcome: outcomes.at(-1)!.outcome };
  });
  expect(
    settled
      .filter((e) => !['applied', 'reconciled-applied'].includes(e.outcome!))
      .map((e) => `${e.rowKey}: ${e.outcome}`),
  ).toEqual([]);
  for (const outcome of ['failed', 'unknown']) {
    await page.goto(`${s.base}/audit?outcome=${outcome}`);
    expect(await page.locator('main').textContent()).toContain('No entries match.');
  }
  return settled;
}

async function openTable(page: Page, name: string): Promise<void> {
  await page.goto(`${s.base}/tables`);
  await page.getByRole('link', { name, exact: true }).click();
  await page.waitForURL(/\/tables\/[\w-]+$/);
}

describe('the first day on a strict Genesys org', () => {
  it('connects, checks readiness, browses, searches, edits, bulk-edits, undoes, backs up and restores', async () => {
    const context = await s.browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await withScreenshotOnFailure(page, 'realistic-org', async () => {
      // Set up: the wizard connects the org by its OAuth client id and secret, then shows its readiness.
      await runSetupWizardWithOrg(page, s.base, ADMIN, ORG);
      await shot(page, 'connected');
      expect(page.url()).toMatch(/\/admin\/orgs\/[\w-]+\/readiness$/);
      expect(await page.getByRole('status').first().textContent()).toContain(
        'Connected to the Genesys Cloud org “Acme Contact Centre”',
      );
      expect(await page.locator('main').textContent()).toContain('reads only');

      // Readiness with write checks: the divisions the client sees, the page size that works, what the role lacks.
      await page.getByRole('button', { name: 'Run write checks' }).click();
      await page.waitForURL(/\/readiness$/);
      await shot(page, 'readiness');
      const main = page.locator('main');
      expect(await page.locator('tr[data-check="token"]').textContent()).toContain('OK');
      expect(await page.locator('h2[data-division]').allTextContents()).toEqual(['Division “Home”']);
      expect(await main.textContent()).not.toContain('Customer Care');
      expect(await page.locator('tr[data-check="page-size"]').textContent()).toMatch(
        /200 rows[\s\S]*500 refused \(response\.entity\.too\.large\)/,
      );
      for (const cap of [
        'viewTables',
        'readRows',
        'addRows',
        'editRows',
        'deleteRows',
        'createTables',
        'changeTables',
      ]) {
        expect(await page.locator(`tr[data-capability="${cap}"]`).getAttribute('data-status'), cap).toBe('ok');
      }
      const deleteTables = page.locator('tr[data-capability="deleteTables"]');
      expect(await deleteTables.textContent()).toContain('architect:datatable:delete');
      expect(await deleteTables.getAttribute('data-status')).toBe('missing');
      expect(await deleteTables.textContent()).toContain('the role has this permission in no division');
      expect(await page.getByRole('status').first().textContent()).toContain('Readiness checked: nothing missing.'); // the app never deletes tables
      expect(await main.textContent()).not.toContain('could not delete');

      // Browse: the tables of Home, not those of the division the role has no grant in.
      await page.goto(`${s.base}/tables`);
      await shot(page, 'tables');
      const listed = await page.locator('main table a').allTextContents();
      expect(listed).toEqual(expect.arrayContaining(['Holiday Calendar', 'Opening Hours', 'Emergency Flags', VIP]));
      expect(listed).not.toContain('Queue Routing');
      await page.getByLabel('Filter tables').fill('vip');
      await page.getByRole('button', { name: 'Filter' }).click();
      expect(await page.locator('main table a').allTextContents()).toEqual([VIP]);

      // Search the 2,000-row table (its 500-row pages exceed the response cap), accents folded.
      await page.getByRole('link', { name: VIP }).click();
      await page.getByLabel('Search').fill('zoe');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/q=zoe/);
      await shot(page, 'search');
      const zoes = page.locator('table.grid tbody tr');
      expect(await zoes.count()).toBeGreaterThan(2);
      for (const text of await zoes.allTextContents()) expect(text).toContain('Zoë');
      expect(await page.locator('#match-count').textContent()).toMatch(/\d+ of 2000 rows/);

      // Edit a row in the form: a trailing space Genesys trims, a whole number it answers as 1.0.
      await openTable(page, VIP);
      const first = vipKey(0);
      await page.locator('tr', { hasText: first }).getByRole('link', { name: 'Edit' }).click();
      await page.getByLabel('Notes').fill('Call before noon ');
      await page.getByLabel('LifetimeValue').fill('1234');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.waitForURL(/\/tables\/[\w-]+$/);
      await shot(page, 'edited');
      expect(await page.locator('h1').textContent()).toBe(VIP);
      expect(await page.locator('tr', { hasText: first }).textContent()).toContain('Call before noon');
      expect(stored(VIP, first)).toMatchObject({ Notes: 'Call before noon', LifetimeValue: 1234 });
      // A second edit inside the visibility delay, from a form showing Genesys' normalised values: no conflict.
      await page.locator('tr', { hasText: first }).getByRole('link', { name: 'Edit' }).click();
      expect(await page.getByLabel('Notes').inputValue()).toBe('Call before noon');
      await page.getByLabel('AccountManager').fill('Lena Novak');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.waitForURL(/\/tables\/[\w-]+$/);
      expect(stored(VIP, first)).toMatchObject({
        Notes: 'Call before noon',
        LifetimeValue: 1234,
        AccountManager: 'Lena Novak',
      });
      await auditIsClean(page);

      // Bulk edit three rows: a yes/no column, a whole number, a value with a trailing space.
      const bulkKeys = [vipKey(1), vipKey(2), vipKey(3)];
      const bulk = async (column: string, value: string | { yesNo: 'yes' | 'no' }) => {
        await openTable(page, VIP);
        for (const key of bulkKeys) await page.getByLabel(`Select ${key}`).check();
        await page.getByLabel('Action').selectOption('set');
        await page.getByLabel('Column to change').selectOption(column);
        if (typeof value === 'string') await page.getByLabel('New value', { exact: true }).fill(value);
        else await page.getByLabel('New value (yes/no columns)').selectOption(value.yesNo);
        await page.getByRole('button', { name: 'Preview' }).click();
        expect(await page.locator('h1').textContent()).toContain(`Set ${column} on 3 row(s)?`);
        await page.getByRole('button', { name: 'Apply to 3 row(s)' }).click();
        await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 30_000 });
        await shot(page, `bulk-${column}`);
        expect(await page.locator('#bulk-counts').textContent()).not.toMatch(/failed|conflict|unknown|not known/i);
        expect(
          await page.locator('#bulk-counts li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-outcome'))),
        ).toEqual(['changed']);
      };
      await bulk('Active', { yesNo: 'no' });
      await bulk('LifetimeValue', '2500');
      const notesBefore = new Map(bulkKeys.map((k) => [k, stored(VIP, k)!.Notes]));
      await bulk('Notes', 'Moved to the VIP line ');
      for (const key of bulkKeys)
        expect(stored(VIP, key)).toMatchObject({ Active: false, LifetimeValue: 2500, Notes: 'Moved to the VIP line' });
      await openTable(page, VIP);
      for (const key of bulkKeys)
        expect(
          await page.locator('tr', { hasText: key }).locator('td[data-column="LifetimeValue"]').textContent(),
        ).toMatch(/^2,?500(\.0)?$/);
      const changes = await auditIsClean(page);

      // Undo one change (the second form edit), then the whole Notes batch.
      const secondEdit = changes
        .filter((e) => e.rowKey === first && e.action === 'row.updated')
        .sort((a, b) => b.seq - a.seq)[0]!;
      await page.goto(`${s.base}/audit?rowKey=${encodeURIComponent(first)}`);
      await shot(page, 'audit-row');
      await page.getByRole('link', { name: `#${secondEdit.seq}`, exact: true }).click();
      await page.getByRole('link', { name: 'Undo this change…' }).click();
      await page.getByRole('button', { name: 'Undo this change' }).click();
      await shot(page, 'undo-one');
      expect(await page.getByRole('status').first().textContent()).toContain(`Change #${secondEdit.seq} was undone`);
      expect(stored(VIP, first)).toMatchObject({ Notes: 'Call before noon', LifetimeValue: 1234 });
      expect(stored(VIP, first)!.AccountManager).not.toBe('Lena Novak');
      const notesChange = changes
        .filter((e) => e.rowKey === bulkKeys[0] && e.action === 'row.updated')
        .sort((a, b) => b.seq - a.seq)[0]!;
      await page.goto(`${s.base}/audit/${notesChange.seq}`);
      await page.getByRole('link', { name: 'undo the whole batch…' }).click();
      await shot(page, 'undo-batch-preview');
      await page.getByRole('button', { name: 'Undo 3 change(s)' }).click();
      await untilHeading(page, /Batch undone/); // a batch undo is a job: its page refreshes until it is done
      await shot(page, 'undo-batch');
      expect(await page.getByRole('status').first().textContent()).toContain('Undid 3 change(s) as one new batch.');
      for (const key of bulkKeys)
        expect(stored(VIP, key)).toMatchObject({ Active: false, LifetimeValue: 2500, Notes: notesBefore.get(key) });
      await auditIsClean(page);

      // Back up three tables.
      await page.goto(`${s.base}/backups`);
      for (const name of ['Holiday Calendar', 'Emergency Flags', VIP])
        await page.getByLabel(name, { exact: true }).check();
      await page.getByRole('button', { name: 'Make a backup' }).click();
      await untilHeading(page, /Backup ready/);
      await shot(page, 'backup');
      expect(await page.getByRole('status').first().textContent()).toContain('3 of 3 table(s), 2016 rows');
      const backupPath = (await page.getByRole('link', { name: 'Download the backup' }).getAttribute('href'))!.replace(
        /\/download$/,
        '/restore',
      );

      // Restore into a missing table: the role cannot delete tables, so it goes from Genesys' side.
      const holidays = table('Holiday Calendar');
      emu.orgs[0]!.tables.delete(holidays.id);
      const restore = async (only: string, createMissing: boolean) => {
        await page.goto(`${s.base}${backupPath}`);
        for (const name of ['Holiday Calendar', 'Emergency Flags', VIP])
          await page.getByLabel(new RegExp(`^${name} \\(`)).setChecked(name === only);
        if (createMissing) await page.getByLabel("Create missing tables from the backup's schema").check();
        await page.getByRole('button', { name: 'Update the plan' }).click();
        return (await page.locator('#restore-plan').textContent()) ?? '';
      };
      const plan = await restore('Holiday Calendar', true);
      await shot(page, 'restore-missing-plan');
      expect(plan).toContain('Holiday Calendar (new table)');
      expect(plan).toMatch(/Holiday Calendar \(new table\)\s*12\s*0\s*0\s*0/);
      await page.getByRole('button', { name: 'Restore', exact: true }).click();
      await untilHeading(page, /Restore (finished|stopped)/);
      await shot(page, 'restore-missing');
      expect(await page.locator('h1').textContent()).toBe('Restore finished');
      expect(await page.getByRole('status').first().textContent()).toMatch(/^12 of 12 change\(s\)\.?/);
      const recreated = table('Holiday Calendar');
      expect(recreated.id).not.toBe(holidays.id);
      expect(recreated.divisionId).toBe(holidays.divisionId);
      expect([...recreated.rows.values()]).toEqual([...holidays.rows.values()]);
      await auditIsClean(page);
      await openTable(page, 'Holiday Calendar');
      await shot(page, 'restored-table');
      expect(await page.locator('#match-count').textContent()).toContain('12 of 12 rows');

      // Restore by CSV import: 25 rows changed in Genesys since the backup go back in one import job.
      const vip = table(VIP);
      const changed = [...vip.rows.keys()].slice(100, 125);
      const before = new Map(changed.map((k) => [k, { ...vip.rows.get(k)! }]));
      for (const k of changed) vip.rows.set(k, { ...vip.rows.get(k)!, Tier: 'Changed', LifetimeValue: 1 });
      touchRows(vip);
      const importPlan = await restore(VIP, false);
      await shot(page, 'restore-import-plan');
      expect(importPlan).toMatch(/VIP Customers\s*0\s*25\s*0\s*1975\s*one CSV import job/);
      await page.getByRole('button', { name: 'Restore', exact: true }).click();
      await untilHeading(page, /Restore (finished|stopped)/);
      await shot(page, 'restore-import');
      expect(await page.locator('h1').textContent()).toBe('Restore finished');
      expect(await page.getByRole('status').first().textContent()).toMatch(/^25 of 25 change\(s\)\.?/);
      expect(await page.locator('main').textContent()).not.toMatch(/row by row|refused/i);
      for (const k of changed) expect(vip.rows.get(k)).toEqual(before.get(k));
      expect(
        emu.requestLog.some(
          (e) => e.method === 'POST' && e.path.endsWith(`/datatables/${vip.id}/import/csv/jobs`) && e.status === 200,
        ),
      ).toBe(true);
      await auditIsClean(page);
    });
  });
});
