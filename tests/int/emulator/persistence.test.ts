// The sandbox org's state survives a restart when persisted to a file, and can be reset to the demo data.
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/emulator.js';
import { DEMO_VIP_ROWS } from '../../../src/emulator/seed.js';
import { sdkFor } from '../../helpers/sdk.js';

describe('persistence', () => {
  it('keeps tables and rows across restarts, and resets to the demo data on request', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dtm-emu-')), 'sandbox.json');
    const client = { name: 'Sandbox', clientId: 'sandbox', clientSecret: 'sandbox-secret' };
    const first = await startEmulator({ clients: [client], seed: 'demo', persistFile: file });
    const sdk = await sdkFor(first, first.clients[0]!);
    const flags = (await sdk.architect.getFlowsDatatables({ name: 'Emergency Flags' })).entities![0]!.id!;
    await sdk.architect.putFlowsDatatableRow(flags, 'Main Line', {
      body: { key: 'Main Line', Active: true, Message: 'Storm', Priority: 1, ActivatedBy: 'me' },
    });
    await first.stop();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await startEmulator({ clients: [client], seed: 'demo', persistFile: file });
    const sdk2 = await sdkFor(second, second.clients[0]!);
    expect(await sdk2.architect.getFlowsDatatableRow(flags, 'Main Line', { showbrief: false })).toMatchObject({
      Active: true,
      Message: 'Storm',
    });
    expect((await sdk2.architect.getFlowsDatatables()).total).toBe(5);
    second.resetToDemo(second.orgs[0]!.id);
    const vip = (await sdk2.architect.getFlowsDatatables({ name: 'VIP*' })).entities![0]!.id!;
    expect((await sdk2.architect.getFlowsDatatableRows(vip)).total).toBe(DEMO_VIP_ROWS);
    const newFlags = (await sdk2.architect.getFlowsDatatables({ name: 'Emergency Flags' })).entities![0]!.id!;
    expect((await sdk2.architect.getFlowsDatatableRow(newFlags, 'Main Line', { showbrief: false })).Active).toBe(false);
    await second.stop();
  });
});
