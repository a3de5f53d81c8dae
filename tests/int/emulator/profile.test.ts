// `--profile realistic` (startEmulator({ profile: 'realistic' })): every strictness at once, through the SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { newApiClient, sdkFor, type Sdk } from '../../helpers/sdk.js';
import { sdkError } from '../../helpers/emulator-fixtures.js';

let emu: RunningEmulator;
let sdk: Sdk;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo', profile: 'realistic' });
  sdk = await sdkFor(emu, emu.clients[0]!);
});
afterAll(async () => emu.stop());

describe('the realistic profile', () => {
  it('turns every knob on, and explicit behaviour still wins over the profile', async () => {
    expect(emu.options.behaviour).toMatchObject({
      oauthErrorStatus: 400,
      tokenRequestsPerMinute: 10,
      visibilityDelayMs: 3_000,
      updateVisibility: 'lagging',
      maxResponseBytes: 64_000,
      normaliseValues: true,
    });
    const tuned = await startEmulator({ seed: 'none', profile: 'realistic', behaviour: { visibilityDelayMs: 0 } });
    expect(tuned.options.behaviour).toMatchObject({ visibilityDelayMs: 0, normaliseValues: true });
    await tuned.stop();
  });

  it('grants a role in Home only, without architect:datatable:delete', async () => {
    const tables = (await sdk.architect.getFlowsDatatables({ pageSize: 100, sortBy: 'name' })).entities!;
    expect(tables.map((t) => t.name)).toEqual([
      'Emergency Flags',
      'Holiday Calendar',
      'Opening Hours',
      'VIP Customers',
    ]);
    const flags = tables[0]!.id!;
    expect(await sdkError(sdk.architect.deleteFlowsDatatable(flags))).toMatchObject({
      status: 403,
      message: expect.stringContaining('architect:datatable:delete'),
    });
    // Rows can still be deleted: the row-level permission is granted.
    await sdk.architect.postFlowsDatatableRows(flags, { key: 'temp' } as never);
    await sdk.architect.deleteFlowsDatatableRow(flags, 'temp');
  });

  it('refuses a 500-row page of the wide VIP table but serves 100 rows', async () => {
    const vip = (await sdk.architect.getFlowsDatatables({ name: 'VIP Customers' })).entities![0]!.id!;
    expect(await sdkError(sdk.architect.getFlowsDatatableRows(vip, { pageSize: 500, showbrief: false }))).toMatchObject(
      { status: 400, code: 'response.entity.too.large' },
    );
    expect((await sdk.architect.getFlowsDatatableRows(vip, { pageSize: 100, showbrief: false })).entities).toHaveLength(
      100,
    );
  });

  it('lags reads behind writes by seconds', async () => {
    const hours = (await sdk.architect.getFlowsDatatables({ name: 'Opening Hours' })).entities![0]!.id!;
    await sdk.architect.postFlowsDatatableRows(hours, { key: 'Lagging/Mon' } as never);
    expect(await sdkError(sdk.architect.getFlowsDatatableRow(hours, 'Lagging/Mon'))).toMatchObject({ status: 404 });
  });

  it('throttles token requests and normalises values', async () => {
    const c = emu.clients[0]!;
    const answers = [];
    for (let i = 0; i < 11; i++)
      answers.push(
        await newApiClient(emu)
          .loginClientCredentialsGrant(c.clientId, c.clientSecret)
          .then(
            () => 200,
            (e: { response: { status: number } }) => e.response.status,
          ),
      );
    expect(answers.at(-1)).toBe(400);
    const row = await sdk.architect.postFlowsDatatableRows(
      (await sdk.architect.getFlowsDatatables({ name: 'Emergency Flags' })).entities![0]!.id!,
      { key: 'Trimmed', Message: 'closed   ' } as never,
    );
    expect(row).toMatchObject({ Message: 'closed' });
  });
});
