// Issue 17, "done when": a user imports a holiday calendar from an Excel sheet into the Holiday Calendar table,
// sees exactly what will change, applies it and undoes it, in a real browser, on an org as strict as a real
// one on its first day (the emulator's realistic profile). The .xlsx is built here with ExcelJS. Screenshots of
// each step go to test-results/import-*.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { projectRoot } from '../../src/lib/paths.js';
import { runSetupWizardWithOrg, untilHeading, useBrowserSession, withScreenshotOnFailure } from '../helpers/browser.js';

const ORG = { name: 'Acme Contact Centre', clientId: 'acme-import', clientSecret: 'acme-import-secret' };
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ clients: [ORG], seed: 'demo', profile: 'realistic' });
});
afterAll(async () => emu?.stop());
const s = useBrowserSession(() => ({ GENESYS_API_OVERRIDE: emu.url }));
const ADMIN = { email: 'ada@example.com', displayName: 'Ada', password: 'analytical engine notes' };

const shots = path.join(projectRoot, 'test-results');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(shots, `import-${name}.png`), fullPage: true });

/** A workbook with a cover sheet first and the calendar on "Holidays 2027": one change, two new days. */
async function holidayWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Read me').addRow(['Holidays for the IVR; edit the second sheet.']);
  const sheet = wb.addWorksheet('Holidays 2027');
  sheet.addRow(['Date (YYYY-MM-DD)', 'Holiday', 'Closed', 'Region', 'Message']);
  sheet.addRow(['2027-01-01', "New Year's Day", true, 'ALL', 'Happy new year: we are closed today.']);
  sheet.addRow(['2027-03-26', 'Good Friday', true, 'UK', 'Our contact centre is closed for Good Friday.']);
  sheet.addRow(['2027-03-29', 'Easter Monday', true, 'UK', 'Our contact centre is closed for Easter Monday.']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const holidays = () => [...emu.orgs[0]!.tables.values()].find((t) => t.name === 'Holiday Calendar')!.rows;

describe('importing a holiday calendar from Excel', () => {
  it('uploads, matches, shows the dry run, applies, and undoes', async () => {
    mkdirSync(shots, { recursive: true });
    const before = structuredClone([...holidays()]);
    const page = await (await s.browser.newContext()).newPage();
    await withScreenshotOnFailure(page, 'import', async () => {
      await runSetupWizardWithOrg(page, s.base, ADMIN, ORG);
      await page.goto(`${s.base}/tables`);
      await page.getByRole('link', { name: 'Holiday Calendar' }).click();
      await page.getByRole('link', { name: 'Import…' }).click();

      await page.getByLabel('File (.csv or .xlsx)').setInputFiles({
        name: 'holidays-2027.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: await holidayWorkbook(),
      });
      await page.getByLabel('Sheet (Excel files only)').fill('Holidays 2027');
      await page.getByLabel('Add new rows and update existing ones').check();
      await shot(page, '1-upload');
      await page.getByRole('button', { name: 'Upload and check…' }).click();

      // Matching: every column of the file found by its title.
      await page.waitForURL(/\/imports\/[\w-]+\/mapping$/);
      expect(await page.locator('#import-source').textContent()).toContain('Holidays 2027');
      expect(await page.getByLabel('Date (YYYY-MM-DD)').inputValue()).toBe('key');
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Message');
      await shot(page, '2-mapping');
      await page.getByRole('button', { name: 'Check the import (dry run)…' }).click();

      // The dry run: two days to add, New Year's message changed (before → after), nothing else.
      await page.waitForURL(/\/imports\/[\w-]+$/);
      const counts = (await page.locator('#import-counts').textContent()) ?? '';
      expect(counts).toMatch(/2\s+row\(s\) to add/);
      expect(counts).toMatch(/1\s+row\(s\) to update/);
      expect(counts).toMatch(/0\s+row\(s\) to delete/);
      const updates = (await page.locator('#import-updates').textContent()) ?? '';
      expect(updates).toContain('Our contact centre is closed for New Year');
      expect(updates).toContain('Happy new year: we are closed today.');
      await shot(page, '3-dry-run');
      expect(holidays().has('2027-03-26')).toBe(false); // nothing written yet

      await page.getByRole('button', { name: /^Apply: 3 change/ }).click();
      await untilHeading(page, /Import done/);
      expect(await page.locator('#import-report').textContent()).toMatch(/3\s+row\(s\) written/);
      await shot(page, '4-report');
      expect(holidays().get('2027-03-26')).toMatchObject({ Holiday: 'Good Friday', Region: 'UK', Closed: true });

      // Undo the whole import as one unit.
      await page.getByRole('link', { name: 'Undo this import…' }).click();
      await shot(page, '5-undo-preview');
      await page.getByRole('button', { name: /^Undo 3 change/ }).click();
      await untilHeading(page, /Batch undone/);
      await shot(page, '6-undone');
      await expect.poll(() => JSON.stringify([...holidays()]), { timeout: 20_000 }).toBe(JSON.stringify(before));
    });
  });
});
