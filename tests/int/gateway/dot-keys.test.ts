// Rows keyed `.`, `..` (they exist in real orgs: made in Architect or by API). The emulator normalises paths
// like the servers in front of Genesys do, so a `..` in a row URL reaches the table itself; the gateway must
// never send such a key in a path: it reads them from the listing and refuses to update or delete them.
import http from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/emulator.js';
import { GenesysValidationError } from '../../../src/genesys/errors.js';
import type { GatewayRegistry } from '../../../src/genesys/gateway-registry.js';
import { createSimpleTable } from '../../helpers/emulator-fixtures.js';
import { onRealisticEmulator, passVisibilityDelay } from '../../helpers/emulator-profile.js';
import { apiCalls, connectionFor, emulatorWithTwoOrgs, registryFor } from '../../helpers/gateway-fixtures.js';
import { sdkFor, type Sdk } from '../../helpers/sdk.js';

let emu: RunningEmulator;
let sdk: Sdk;
let registry: GatewayRegistry;
let tableId: string;
beforeAll(async () => {
  emu = await emulatorWithTwoOrgs({ behaviour: { rateLimitPerMinute: 100_000 } });
  sdk = await sdkFor(emu, emu.clients[0]!);
});
afterAll(async () => emu.stop());
beforeEach(async () => {
  registry = registryFor(emu);
  tableId = (await createSimpleTable(sdk)).id;
  for (const key of ['.', '..', 'keep', '...'])
    await sdk.architect.postFlowsDatatableRows(tableId, { key, name: `row ${key}` } as never);
  passVisibilityDelay(); // the table and rows this setup made through the SDK
});
afterEach(() => registry.closeAll());

const gateway = () => registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 })).gateway;
const tableExists = async () => (await gateway().listTables()).some((t) => t.id === tableId);
const keys = async () => (await gateway().readAllRows(tableId)).map((r) => String(r.key)).sort();

/** A request sent with its path exactly as written (Node's http does not normalise `path`). */
function rawRequest(method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: emu.port, method, path, headers: { Authorization: `Bearer ${sdk.token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the emulator resolves dot segments like a server in front of Genesys', () => {
  it.skipIf(onRealisticEmulator).each([['..'], ['%2E%2E'], ['.%2e']])(
    'DELETE …/rows/%s deletes the table, not a row (default emulator only: needs datatable:delete)',
    async (segment) => {
      expect(await rawRequest('DELETE', `/api/v2/flows/datatables/${tableId}/rows/${segment}`)).toBe(204);
      expect(await tableExists()).toBe(false);
    },
  );

  it('GET …/rows/. is the row listing', async () => {
    const res = await fetch(`${emu.url}/api/v2/flows/datatables/${tableId}/rows/%2E?showbrief=true`, {
      headers: { Authorization: `Bearer ${sdk.token}` },
    });
    expect(((await res.json()) as { entities: unknown[] }).entities).toHaveLength(4);
  });
});

describe('the gateway never puts `.` or `..` in a path', () => {
  it.each([['.'], ['..']])('reads the row %s from the listing', async (key) => {
    expect(await gateway().getRow(tableId, key)).toMatchObject({ key, name: `row ${key}` });
  });

  it.each([['.'], ['..'], ['']])(
    'refuses to delete or update the row %j, sends nothing, and the table and rows stay',
    async (key) => {
      const before = apiCalls(emu, 'client-a').length;
      await expect(gateway().deleteRow(tableId, key)).rejects.toThrow(GenesysValidationError);
      await expect(gateway().updateRow(tableId, key, { key, name: 'changed' })).rejects.toThrow(
        /cannot update the row/,
      );
      expect(apiCalls(emu, 'client-a').length).toBe(before);
      expect(await tableExists()).toBe(true);
      expect(await keys()).toEqual(['.', '..', '...', 'keep']);
    },
  );

  it('`...` is an ordinary segment and works as any key', async () => {
    expect(await gateway().updateRow(tableId, '...', { key: '...', name: 'changed' })).toMatchObject({
      name: 'changed',
    });
    expect(await gateway().deleteRow(tableId, '...')).toBe('deleted');
    expect(await keys()).toEqual(['.', '..', 'keep']);
  });

  it('every SDK call through an org client refuses a dot segment as a path parameter (the backstop)', async () => {
    const entry = registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 }));
    const before = apiCalls(emu, 'client-a').length;
    await expect(
      entry.client.call(() => entry.client.architect.deleteFlowsDatatableRow(tableId, '..')),
    ).rejects.toThrow(/would address a different resource/);
    await expect(entry.client.call(() => entry.client.architect.getFlowsDatatable('..', {}))).rejects.toThrow(
      GenesysValidationError,
    );
    expect(apiCalls(emu, 'client-a').length).toBe(before);
    expect(await tableExists()).toBe(true);
  });
});
