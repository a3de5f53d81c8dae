// Eventual consistency through the SDK (visibilityDelayMs): writes act at once, reads lag — a new table or a
// new or imported row stays invisible, a deleted one lingers, until the (test) clock passes the delay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { sdkFor, type Sdk } from '../../helpers/sdk.js';
import { createSimpleTable, sdkError } from '../../helpers/emulator-fixtures.js';
import { eventually } from '../../helpers/eventually.js';

let emu: RunningEmulator;
let sdk: Sdk;
let clock = Date.parse('2026-03-01T10:00:00Z');
beforeAll(async () => {
  emu = await startEmulator({ seed: 'none', behaviour: { visibilityDelayMs: 3_000, jobDelayMs: 5 }, now: () => clock });
  sdk = await sdkFor(emu, emu.clients[0]!);
});
afterAll(async () => emu.stop());

const later = () => (clock += 3_001);
const keys = async (tableId: string) =>
  (await sdk.architect.getFlowsDatatableRows(tableId, { pageSize: 100 })).entities!.map((r) => r.key);

describe('visibility delay', () => {
  it('hides a new table from get, listings and its rows until the delay has passed', async () => {
    const table = await createSimpleTable(sdk, 'Fresh');
    expect(await sdkError(sdk.architect.getFlowsDatatable(table.id))).toMatchObject({ status: 404 });
    expect((await sdk.architect.getFlowsDatatables({ name: 'Fresh' })).total).toBe(0);
    expect(await sdkError(sdk.architect.getFlowsDatatableRows(table.id))).toMatchObject({ status: 404 });
    // Writes act on the true state at once: the table takes rows while it is still invisible.
    await sdk.architect.postFlowsDatatableRows(table.id, { key: 'r1' } as never);
    expect(
      await sdkError(sdk.architect.postFlowsDatatables({ name: 'Fresh', schema: table.schema } as never)),
    ).toMatchObject({ status: 409 });
    later();
    expect((await sdk.architect.getFlowsDatatable(table.id)).name).toBe('Fresh');
    expect(await keys(table.id)).toEqual(['r1']);
  });

  it('hides a new row, and keeps showing a deleted one, for the delay', async () => {
    const table = await createSimpleTable(sdk, 'Rows');
    later();
    await sdk.architect.postFlowsDatatableRows(table.id, { key: 'new' } as never);
    expect(await sdkError(sdk.architect.getFlowsDatatableRow(table.id, 'new'))).toMatchObject({ status: 404 });
    expect(await keys(table.id)).toEqual([]);
    // A repeated POST still sees the row: it exists, so it is a conflict, never a second row.
    expect(await sdkError(sdk.architect.postFlowsDatatableRows(table.id, { key: 'new' } as never))).toMatchObject({
      status: 409,
    });
    later();
    expect(await keys(table.id)).toEqual(['new']);
    await sdk.architect.deleteFlowsDatatableRow(table.id, 'new');
    expect(await sdk.architect.getFlowsDatatableRow(table.id, 'new', { showbrief: false })).toMatchObject({
      key: 'new',
      name: '',
    });
    expect(await keys(table.id)).toEqual(['new']);
    expect(await sdkError(sdk.architect.deleteFlowsDatatableRow(table.id, 'new'))).toMatchObject({ status: 404 });
    later();
    expect(await keys(table.id)).toEqual([]);
  });

  it('keeps a deleted table readable for the delay', async () => {
    const table = await createSimpleTable(sdk, 'Doomed');
    later();
    await sdk.architect.deleteFlowsDatatable(table.id);
    expect((await sdk.architect.getFlowsDatatable(table.id)).name).toBe('Doomed');
    expect((await sdk.architect.getFlowsDatatables({ name: 'Doomed' })).total).toBe(1);
    later();
    expect(await sdkError(sdk.architect.getFlowsDatatable(table.id))).toMatchObject({ status: 404 });
    expect((await sdk.architect.getFlowsDatatables({ name: 'Doomed' })).total).toBe(0);
  });

  it('shows imported rows (new or replaced) only after the delay, the old values until then', async () => {
    const table = await createSimpleTable(sdk, 'Imported');
    await sdk.architect.postFlowsDatatableRows(table.id, { key: 'a', name: 'old' } as never);
    later();
    const job = await sdk.architect.postFlowsDatatableImportCsvJobs(table.id, {
      importMode: 'Append',
      status: 'WaitingForUpload',
    });
    expect(
      (await fetch(job.uploadURI!, { method: 'PUT', headers: job.uploadHeaders, body: 'key,name\na,new\nb,bee\n' }))
        .status,
    ).toBe(200);
    await eventually(
      'the import job',
      async () => (await sdk.architect.getFlowsDatatableImportJob(table.id, job.id!)).status === 'Succeeded',
    );
    expect(await keys(table.id)).toEqual(['a']);
    expect(await sdk.architect.getFlowsDatatableRow(table.id, 'a', { showbrief: false })).toMatchObject({
      name: 'old',
    });
    later();
    expect(await keys(table.id)).toEqual(['a', 'b']);
    expect(await sdk.architect.getFlowsDatatableRow(table.id, 'a', { showbrief: false })).toMatchObject({
      name: 'new',
    });
  });

  it('shows an update at once by default, and with updateVisibility lagging the previous values for the delay', async () => {
    const table = await createSimpleTable(sdk, 'Updated');
    await sdk.architect.postFlowsDatatableRows(table.id, { key: 'u', name: 'first' } as never);
    later();
    const row = () => sdk.architect.getFlowsDatatableRow(table.id, 'u', { showbrief: false });
    const page = async () =>
      (await sdk.architect.getFlowsDatatableRows(table.id, { pageSize: 100, showbrief: false })).entities!;
    await sdk.architect.putFlowsDatatableRow(table.id, 'u', { body: { key: 'u', name: 'second' } });
    expect(await row()).toMatchObject({ name: 'second' }); // immediate: the default
    emu.setBehaviour({ updateVisibility: 'lagging' });
    try {
      // The PUT answers what it stored; reads (single row, pages, exports) answer the previous values.
      expect(
        await sdk.architect.putFlowsDatatableRow(table.id, 'u', { body: { key: 'u', name: 'third' } }),
      ).toMatchObject({ name: 'third' });
      expect(await row()).toMatchObject({ name: 'second' });
      expect(await page()).toEqual([expect.objectContaining({ key: 'u', name: 'second' })]);
      const job = await sdk.architect.postFlowsDatatableExportJobs(table.id);
      let exported = await sdk.architect.getFlowsDatatableExportJob(table.id, job.id!);
      for (let i = 0; i < 100 && exported.status !== 'Succeeded'; i++)
        exported = await new Promise((r) => setTimeout(r, 10)).then(() =>
          sdk.architect.getFlowsDatatableExportJob(table.id, job.id!),
        );
      expect(await (await fetch(exported.downloadURI!)).text()).toContain('u,second');
      // A second update inside the window keeps showing the values from before the first.
      await sdk.architect.putFlowsDatatableRow(table.id, 'u', { body: { key: 'u', name: 'fourth' } });
      expect(await row()).toMatchObject({ name: 'second' });
      later();
      expect(await row()).toMatchObject({ name: 'fourth' });
      expect(await page()).toEqual([expect.objectContaining({ key: 'u', name: 'fourth' })]);
    } finally {
      emu.setBehaviour({ updateVisibility: 'immediate' });
    }
  });

  it('is off by default', async () => {
    emu.setBehaviour({ visibilityDelayMs: 0 });
    const table = await createSimpleTable(sdk, 'Instant');
    await sdk.architect.postFlowsDatatableRows(table.id, { key: 'now' } as never);
    expect(await keys(table.id)).toEqual(['now']);
    emu.setBehaviour({ visibilityDelayMs: 3_000 });
  });
});
