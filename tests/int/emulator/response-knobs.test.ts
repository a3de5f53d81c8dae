// Two knobs that change what the SDK gets back: a response-size cap (400 response.entity.too.large, as Genesys
// answers a page too big to send) and value normalisation (trailing spaces trimmed on write, number fields
// answered as 1.0, also in CSV exports).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { sdkFor, type Sdk } from '../../helpers/sdk.js';
import { createSimpleTable, sdkError } from '../../helpers/emulator-fixtures.js';
import { eventually } from '../../helpers/eventually.js';

let emu: RunningEmulator;
let sdk: Sdk;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo', behaviour: { jobDelayMs: 5 } });
  sdk = await sdkFor(emu, emu.clients[0]!);
});
afterAll(async () => emu.stop());

const vipTable = async () => (await sdk.architect.getFlowsDatatables({ name: 'VIP Customers' })).entities![0]!.id!;

describe('response size cap', () => {
  it('refuses a page whose body would exceed the cap, and serves a smaller one', async () => {
    const vip = await vipTable();
    expect((await sdk.architect.getFlowsDatatableRows(vip, { pageSize: 500, showbrief: false })).entities).toHaveLength(
      500,
    ); // off by default
    emu.setBehaviour({ maxResponseBytes: 64_000 });
    try {
      const err = await sdkError(sdk.architect.getFlowsDatatableRows(vip, { pageSize: 500, showbrief: false }));
      expect(err).toMatchObject({
        status: 400,
        code: 'response.entity.too.large',
        message: expect.stringContaining('Reduce pageSize'),
      });
      expect(
        (await sdk.architect.getFlowsDatatableRows(vip, { pageSize: 100, showbrief: false })).entities,
      ).toHaveLength(100);
      expect((await sdk.architect.getFlowsDatatableRows(vip, { pageSize: 500 })).entities).toHaveLength(500); // keys only: small
    } finally {
      emu.setBehaviour({ maxResponseBytes: 0 });
    }
  });
});

async function exportCsv(tableId: string): Promise<string> {
  const job = await sdk.architect.postFlowsDatatableExportJobs(tableId);
  const done = await eventually('the export job', async () => {
    const polled = await sdk.architect.getFlowsDatatableExportJob(tableId, job.id!);
    return polled.status === 'Succeeded' && polled;
  });
  return (await fetch(done.downloadURI!)).text();
}

describe('value normalisation', () => {
  it('trims trailing spaces of string fields (never the key) and answers number fields as 1.0', async () => {
    const t = (await createSimpleTable(sdk, 'Normalised')).id;
    emu.setBehaviour({ normaliseValues: true });
    try {
      const created = await sdk.architect.postFlowsDatatableRows(t, {
        key: 'k ',
        name: 'Ann  ',
        count: 2,
        ratio: 1,
      } as never);
      expect(created).toMatchObject({ key: 'k ', name: 'Ann', count: 2, ratio: 1 });
      const raw = await fetch(
        `${emu.url}/api/v2/flows/datatables/${t}/rows/${encodeURIComponent('k ')}?showbrief=false`,
        { headers: { Authorization: `Bearer ${sdk.token}` } },
      );
      const text = await raw.text();
      expect(text).toContain('"ratio":1.0');
      expect(text).toContain('"count":2,');
      expect(text).toContain('"name":"Ann"');
      await sdk.architect.putFlowsDatatableRow(t, 'k ', { body: { key: 'k ', name: 'Bo \t', ratio: 2.5 } });
      expect(await sdk.architect.getFlowsDatatableRow(t, 'k ', { showbrief: false })).toMatchObject({
        name: 'Bo',
        ratio: 2.5,
      });

      await sdk.architect.putFlowsDatatableRow(t, 'k ', { body: { key: 'k ', ratio: 3 } });
      expect((await exportCsv(t)).split('\n')[1]).toBe('k ,,0,3.0,false,n/a');
    } finally {
      emu.setBehaviour({ normaliseValues: false });
    }
    const plain = await fetch(
      `${emu.url}/api/v2/flows/datatables/${t}/rows/${encodeURIComponent('k ')}?showbrief=false`,
      { headers: { Authorization: `Bearer ${sdk.token}` } },
    );
    expect(await plain.text()).toContain('"ratio":3,');
  });
});
