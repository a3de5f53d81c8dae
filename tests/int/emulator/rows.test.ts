// Rows through the SDK: defaults, type checks, keys (length, %2F and other characters), PUT as full
// replacement, the SDK's PUT-body gotcha, duplicates, limits, listing, showbrief.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { sdkFor, type Sdk } from '../../helpers/sdk.js';
import { createSimpleTable, sdkError } from '../../helpers/emulator-fixtures.js';

let emu: RunningEmulator;
let sdk: Sdk;
let tableId: string;
beforeAll(async () => {
  emu = await startEmulator({ behaviour: { rateLimitPerMinute: 100_000 } });
  sdk = await sdkFor(emu, emu.clients[0]!);
  tableId = (await createSimpleTable(sdk, 'Rows')).id;
});
afterAll(async () => emu.stop());

const post = (row: Record<string, unknown>) => sdk.architect.postFlowsDatatableRows(tableId, row as never);

describe('creating rows', () => {
  it('fills missing fields with schema defaults, else false / "" / 0', async () => {
    const row = await post({ key: 'defaults', name: 'Ann' });
    expect(row).toEqual({ key: 'defaults', name: 'Ann', count: 0, ratio: 0.5, enabled: false, note: 'n/a' });
    expect(await sdk.architect.getFlowsDatatableRow(tableId, 'defaults', { showbrief: false })).toEqual(row);
  });

  it('treats null as "not given"', async () => {
    expect(await post({ key: 'nulls', count: null })).toMatchObject({ count: 0 });
  });

  it.each([
    ['a string in an integer field', { count: '5' }],
    ['a decimal in an integer field', { count: 1.5 }],
    ['"yes" in a boolean field', { enabled: 'yes' }],
    ['a number in a string field', { name: 42 }],
    ['a field not in the schema', { colour: 'red' }],
  ])('refuses %s with 400', async (_label, fields) => {
    const err = await sdkError(post({ key: `bad-${Math.random()}`, ...fields }));
    expect(err).toMatchObject({ status: 400, code: 'flows.datatables.syntax.error' });
  });

  it('refuses a missing, empty or non-string key', async () => {
    for (const key of [undefined, '', 7]) expect((await sdkError(post({ key, name: 'x' }))).status).toBe(400);
  });

  it('accepts a 256-character key and refuses 257 characters with a limit', async () => {
    const k256 = 'k'.repeat(256);
    expect((await post({ key: k256 })).key).toBe(k256);
    const err = await sdkError(post({ key: 'k'.repeat(257) }));
    expect(err).toMatchObject({ status: 400, limit: { key: 'max.key.length', value: 256 } });
  });

  it('refuses a duplicate key with 409', async () => {
    await post({ key: 'dup' });
    expect(await sdkError(post({ key: 'dup' }))).toMatchObject({ status: 409, code: 'general.conflict' });
  });

  it('round-trips keys with slashes, spaces and URL-special characters (%2F decoded)', async () => {
    for (const key of ['Sales/Mon', 'key/with slash?&#', 'a%2Fb', 'ünïcødé key', '+44 20 7946 0000']) {
      await post({ key, name: key });
      expect((await sdk.architect.getFlowsDatatableRow(tableId, key, { showbrief: false })).name).toBe(key);
      await sdk.architect.putFlowsDatatableRow(tableId, key, { body: { key, name: `${key}!` } });
      expect((await sdk.architect.getFlowsDatatableRow(tableId, key, { showbrief: false })).name).toBe(`${key}!`);
      await sdk.architect.deleteFlowsDatatableRow(tableId, key);
    }
    expect(emu.requestLog.some((e) => e.path.endsWith('/rows/key%2Fwith%20slash%3F%26%23'))).toBe(true);
  });
});

describe('reading rows', () => {
  it('single-row GET returns only the key unless showbrief=false', async () => {
    await post({ key: 'brief', name: 'B' });
    expect(await sdk.architect.getFlowsDatatableRow(tableId, 'brief')).toEqual({ key: 'brief' });
    expect(await sdk.architect.getFlowsDatatableRow(tableId, 'brief', { showbrief: true })).toEqual({ key: 'brief' });
  });

  it('404 for an unknown row', async () => {
    expect(await sdkError(sdk.architect.getFlowsDatatableRow(tableId, 'nope'))).toMatchObject({ status: 404 });
  });

  it('lists rows by key with paging; brief by default, full with showbrief=false; descending', async () => {
    const t = (await createSimpleTable(sdk, 'Listing')).id;
    for (const k of ['c', 'a', 'b', 'e', 'd'])
      await sdk.architect.postFlowsDatatableRows(t, { key: k, count: k.charCodeAt(0) } as never);
    const page = await sdk.architect.getFlowsDatatableRows(t, { pageSize: 2, pageNumber: 2 });
    expect(page).toMatchObject({
      entities: [{ key: 'c' }, { key: 'd' }],
      total: 5,
      pageCount: 3,
      pageNumber: 2,
      pageSize: 2,
    });
    expect(Object.keys(page.entities![0]!)).toEqual(['key']);
    const full = await sdk.architect.getFlowsDatatableRows(t, { showbrief: false, sortOrder: 'descending' });
    expect(full.entities!.map((r) => r.key)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(full.entities![0]).toMatchObject({ key: 'e', count: 101, ratio: 0.5 });
    const empty = await sdk.architect.getFlowsDatatableRows((await createSimpleTable(sdk, 'Empty')).id);
    expect(empty).toMatchObject({ entities: [], total: 0, pageCount: 0 });
  });
});

describe('updating and deleting rows', () => {
  it('PUT replaces the whole row: omitted fields return to their defaults', async () => {
    await post({ key: 'full', name: 'Full', count: 3, enabled: true, note: 'custom' });
    const updated = await sdk.architect.putFlowsDatatableRow(tableId, 'full', { body: { key: 'full', count: 4 } });
    expect(updated).toEqual({ key: 'full', name: '', count: 4, ratio: 0.5, enabled: false, note: 'n/a' });
  });

  it('the SDK gotcha: a row passed as opts (not opts.body) sends an empty body, which is refused', async () => {
    await post({ key: 'gotcha', name: 'G' });
    const err = await sdkError(
      sdk.architect.putFlowsDatatableRow(tableId, 'gotcha', { key: 'gotcha', name: 'H' } as never),
    );
    expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/body is required/) });
    expect((await sdk.architect.getFlowsDatatableRow(tableId, 'gotcha', { showbrief: false })).name).toBe('G');
  });

  it('keys are immutable: a body key that differs from the path is refused', async () => {
    await post({ key: 'fixed' });
    expect(
      await sdkError(sdk.architect.putFlowsDatatableRow(tableId, 'fixed', { body: { key: 'renamed' } })),
    ).toMatchObject({ status: 400, message: expect.stringMatching(/cannot be changed/) });
  });

  it('PUT on an unknown row is 404 (configurable to upsert)', async () => {
    expect(
      await sdkError(sdk.architect.putFlowsDatatableRow(tableId, 'ghost', { body: { key: 'ghost' } })),
    ).toMatchObject({ status: 404 });
    emu.setBehaviour({ putUnknownRow: 'upsert' });
    expect(await sdk.architect.putFlowsDatatableRow(tableId, 'ghost', { body: { key: 'ghost' } })).toMatchObject({
      key: 'ghost',
    });
    emu.setBehaviour({ putUnknownRow: 'not-found' });
  });

  it('DELETE answers 204 (SDK resolves undefined), then 404', async () => {
    await post({ key: 'bye' });
    expect(await sdk.architect.deleteFlowsDatatableRow(tableId, 'bye')).toBeUndefined();
    expect(await sdkError(sdk.architect.deleteFlowsDatatableRow(tableId, 'bye'))).toMatchObject({ status: 404 });
  });

  it('enforces maxLength from the schema', async () => {
    const t = await sdk.architect.postFlowsDatatables({
      name: 'Bounded',
      schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['key'],
        additionalProperties: false,
        properties: { key: { type: 'string' }, code: { type: 'string', maxLength: 3 } },
      },
    } as never);
    expect((await sdk.architect.postFlowsDatatableRows(t.id!, { key: 'a', code: 'abc' } as never)).code).toBe('abc');
    expect(
      (await sdkError(sdk.architect.postFlowsDatatableRows(t.id!, { key: 'b', code: 'abcd' } as never))).status,
    ).toBe(400);
  });
});

describe('row limit', () => {
  it('holds 5,000 rows and refuses the 5,001st with a limit', async () => {
    const t = (await createSimpleTable(sdk, 'Full Table')).id;
    const table = emu.orgs[0]!.tables.get(t)!;
    // Fill the first 4,999 through the store (fast), the 5,000th and 5,001st through the SDK.
    for (let i = 0; i < 4999; i++)
      table.rows.set(`r${i}`, { key: `r${i}`, name: '', count: 0, ratio: 0.5, enabled: false, note: 'n/a' });
    table.sortedKeys = undefined;
    expect((await sdk.architect.postFlowsDatatableRows(t, { key: 'r4999' } as never)).key).toBe('r4999');
    const err = await sdkError(sdk.architect.postFlowsDatatableRows(t, { key: 'r5000' } as never));
    expect(err).toMatchObject({
      status: 400,
      limit: { key: 'max.rows.per.datatable', namespace: 'flows.datatables', value: 5000 },
    });
    expect((await sdk.architect.getFlowsDatatableRows(t, { pageSize: 500, pageNumber: 10 })).total).toBe(5000);
  });
});
