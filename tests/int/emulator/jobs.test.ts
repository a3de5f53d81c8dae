// CSV import jobs (Append / ReplaceAll, upload headers, per-row failures, the deprecated endpoint) and
// export jobs (downloadURI serving CSV), driven by the SDK; the upload itself is a plain PUT, as in Genesys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { sdkFor, type Sdk } from '../../helpers/sdk.js';
import { createSimpleTable, sdkError } from '../../helpers/emulator-fixtures.js';
import { eventually } from '../../helpers/eventually.js';

let emu: RunningEmulator;
let sdk: Sdk;
beforeAll(async () => {
  emu = await startEmulator({ behaviour: { jobDelayMs: 20 } });
  sdk = await sdkFor(emu, emu.clients[0]!);
});
afterAll(async () => emu.stop());

function waitForJob(tableId: string, jobId: string) {
  return eventually('the import job to finish', async () => {
    const job = await sdk.architect.getFlowsDatatableImportJob(tableId, jobId);
    return (job.status === 'Succeeded' || job.status === 'Failed') && job;
  });
}

async function importCsv(tableId: string, mode: 'Append' | 'ReplaceAll', csv: string) {
  const job = await sdk.architect.postFlowsDatatableImportCsvJobs(tableId, {
    importMode: mode,
    status: 'WaitingForUpload',
  });
  expect(job).toMatchObject({
    status: 'WaitingForUpload',
    importMode: mode,
    uploadURI: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/uploads\//),
  });
  const upload = await fetch(job.uploadURI!, { method: 'PUT', headers: job.uploadHeaders, body: csv });
  expect(upload.status).toBe(200);
  return waitForJob(tableId, job.id!);
}

const keys = async (tableId: string) =>
  (await sdk.architect.getFlowsDatatableRows(tableId, { pageSize: 100 })).entities!.map((r) => r.key);

describe('CSV import jobs', () => {
  it('Append keeps existing rows, upserts the file, counts failing rows', async () => {
    const t = (await createSimpleTable(sdk, 'Import Append')).id;
    await sdk.architect.postFlowsDatatableRows(t, { key: 'keep', name: 'Kept' } as never);
    await sdk.architect.postFlowsDatatableRows(t, { key: 'a', name: 'Old A' } as never);
    const csv =
      '\uFEFFkey,name,count,enabled\na,New A,1,true\nb,"B, with comma",2,false\nc,bad count,notanumber,true\n,missing key,3,true\nd,"multi\nline",4,TRUE\n';
    const job = await importCsv(t, 'Append', csv);
    expect(job).toMatchObject({
      status: 'Succeeded',
      countRecordsUpdated: 3,
      countRecordsFailed: 2,
      countRecordsDeleted: 0,
    });
    expect(await keys(t)).toEqual(['a', 'b', 'd', 'keep']);
    expect(await sdk.architect.getFlowsDatatableRow(t, 'a', { showbrief: false })).toEqual({
      key: 'a',
      name: 'New A',
      count: 1,
      ratio: 0.5,
      enabled: true,
      note: 'n/a',
    });
    expect((await sdk.architect.getFlowsDatatableRow(t, 'd', { showbrief: false })).name).toBe('multi\nline');
  });

  it('ReplaceAll removes rows not in the file', async () => {
    const t = (await createSimpleTable(sdk, 'Import Replace')).id;
    for (const k of ['x', 'y', 'z']) await sdk.architect.postFlowsDatatableRows(t, { key: k } as never);
    const job = await importCsv(t, 'ReplaceAll', 'key,name\ny,Why\nnew,New\nnew,Duplicate\n');
    expect(job).toMatchObject({
      status: 'Succeeded',
      countRecordsDeleted: 3,
      countRecordsUpdated: 2,
      countRecordsFailed: 1,
    });
    expect(await keys(t)).toEqual(['new', 'y']);
  });

  it('fails the job for a header naming unknown fields, and lists recent jobs', async () => {
    const t = (await createSimpleTable(sdk, 'Import Bad Header')).id;
    const job = await importCsv(t, 'Append', 'key,colour\na,red\n');
    expect(job.status).toBe('Failed');
    expect(job.errorInformation?.message).toMatch(/unknown: colour/);
    const list = await sdk.architect.getFlowsDatatableImportJobs(t);
    expect(list).toMatchObject({ total: 1, pageCount: 1, entities: [{ id: job.id, status: 'Failed' }] });
    expect((list as Record<string, unknown>).firstUri).toBeUndefined();
  });

  it('refuses an upload without the uploadHeaders', async () => {
    const t = (await createSimpleTable(sdk, 'Import Headers')).id;
    const job = await sdk.architect.postFlowsDatatableImportCsvJobs(t, {
      importMode: 'Append',
      status: 'WaitingForUpload',
    });
    expect(Object.keys(job.uploadHeaders ?? {}).sort()).toEqual(['Content-Type', 'x-emulator-upload-token']);
    const res = await fetch(job.uploadURI!, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/csv' },
      body: 'key\na\n',
    });
    expect(res.status).toBe(403);
    expect((await sdk.architect.getFlowsDatatableImportJob(t, job.id!)).status).toBe('WaitingForUpload');
  });

  it('treats the upload as a signed request: every uploadHeader exactly, names in any case, Content-Type included', async () => {
    const t = (await createSimpleTable(sdk, 'Import Signed')).id;
    const start = () =>
      sdk.architect.postFlowsDatatableImportCsvJobs(t, { importMode: 'Append', status: 'WaitingForUpload' });
    const put = (uri: string, headers: Record<string, string>) =>
      fetch(uri, { method: 'PUT', headers, body: 'key,name\ns,S\n' });
    const job = await start();
    const signed = job.uploadHeaders!;
    expect(signed['Content-Type']).toBe('text/csv');
    const token = signed['x-emulator-upload-token']!;
    // Another Content-Type, or a second one beside it (fetch joins them), breaks the signature.
    expect((await put(job.uploadURI!, { 'x-emulator-upload-token': token, 'Content-Type': 'text/plain' })).status).toBe(
      403,
    );
    expect(
      (
        await put(job.uploadURI!, {
          'x-emulator-upload-token': token,
          'content-type': 'text/csv',
          'Content-Type': 'text/csv; charset=utf-8',
        })
      ).status,
    ).toBe(403);
    const refused = await put(job.uploadURI!, { 'x-emulator-upload-token': 'forged', 'Content-Type': 'text/csv' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      status: 403,
      message: expect.stringContaining('x-emulator-upload-token'),
    });
    expect((await put(job.uploadURI!, { 'X-EMULATOR-UPLOAD-TOKEN': token, 'content-type': 'text/csv' })).status).toBe(
      200,
    );
    expect(await waitForJob(t, job.id!)).toMatchObject({ status: 'Succeeded', countRecordsUpdated: 1 });

    emu.setBehaviour({ uploadContentType: '' });
    const unsigned = await start();
    expect(Object.keys(unsigned.uploadHeaders!)).toEqual(['x-emulator-upload-token']);
    expect(
      (await put(unsigned.uploadURI!, { ...unsigned.uploadHeaders, 'Content-Type': 'application/octet-stream' }))
        .status,
    ).toBe(200);
    emu.setBehaviour({ uploadContentType: 'text/csv' });
  });

  it('refuses an unknown importMode', async () => {
    const t = (await createSimpleTable(sdk, 'Import Mode')).id;
    expect(
      (
        await sdkError(
          sdk.architect.postFlowsDatatableImportCsvJobs(t, {
            importMode: 'Merge' as never,
            status: 'WaitingForUpload',
          }),
        )
      ).status,
    ).toBe(400);
  });

  it('supports the deprecated import/jobs endpoint (uploadURI only)', async () => {
    const t = (await createSimpleTable(sdk, 'Import Deprecated')).id;
    const job = await sdk.architect.postFlowsDatatableImportJobs(t, {
      importMode: 'Append',
      status: 'WaitingForUpload',
    });
    expect(job.uploadHeaders).toBeUndefined();
    expect((await fetch(job.uploadURI!, { method: 'PUT', body: 'key,name\nq,Q\n' })).status).toBe(200);
    expect(await waitForJob(t, job.id!)).toMatchObject({ status: 'Succeeded', countRecordsUpdated: 1 });
  });
});

describe('export jobs', () => {
  it('exports every row as CSV at downloadURI (empty POST body accepted)', async () => {
    const t = (await createSimpleTable(sdk, 'Export')).id;
    await sdk.architect.postFlowsDatatableRows(t, {
      key: 'b/2',
      name: 'Bee, "the" second',
      count: 2,
      enabled: true,
    } as never);
    await sdk.architect.postFlowsDatatableRows(t, { key: 'a 1', name: 'Ay' } as never);
    const started = await sdk.architect.postFlowsDatatableExportJobs(t);
    expect(started.status).toBe('Processing');
    const job = await eventually('the export job to finish', async () => {
      const polled = await sdk.architect.getFlowsDatatableExportJob(t, started.id!);
      return polled.status !== 'Processing' && polled;
    });
    expect(job).toMatchObject({
      status: 'Succeeded',
      countRecordsProcessed: 2,
      downloadURI: expect.stringMatching(/^http:\/\/127\.0\.0\.1/),
    });
    const csv = await (await fetch(job.downloadURI!)).text();
    expect(csv).toBe(
      'key,name,count,ratio,enabled,note\na 1,Ay,0,0.5,false,n/a\nb/2,"Bee, ""the"" second",2,0.5,true,n/a\n',
    );
  });
});
