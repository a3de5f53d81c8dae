// Scripted faults, latency and the request log: the knobs the gateway's retry and queue tests rely on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import platformClient from 'purecloud-platform-client-v2';
import { newApiClient, sdkFor, type Sdk } from '../../helpers/sdk.js';
import { sdkError } from '../../helpers/emulator-fixtures.js';

let emu: RunningEmulator;
let sdk: Sdk;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo', behaviour: { rateLimitPerMinute: 100_000 } });
  sdk = await sdkFor(emu, emu.clients[0]!);
});
afterAll(async () => emu.stop());
beforeEach(() => emu.faults.clear());

describe('scripted faults', () => {
  it('fails the Nth matching request with the given status, then recovers', async () => {
    emu.faults.set([
      { method: 'GET', path: '/api/v2/flows/datatables', nth: 2, action: { type: 'status', status: 503 } },
    ]);
    await sdk.architect.getFlowsDatatables();
    expect(await sdkError(sdk.architect.getFlowsDatatables())).toMatchObject({
      status: 503,
      code: 'flows.datatables.server.too.busy',
    });
    expect((await sdk.architect.getFlowsDatatables()).entities).toBeDefined();
  });

  it('can fail several requests in a row, match with globs, and inject 429 with Retry-After', async () => {
    emu.faults.set([
      {
        path: '/api/v2/flows/datatables/*/rows',
        times: 2,
        action: { type: 'status', status: 429, retryAfterSeconds: 3 },
      },
    ]);
    const id = (await sdk.architect.getFlowsDatatables({ name: 'VIP*' })).entities![0]!.id!;
    expect(await sdkError(sdk.architect.getFlowsDatatableRows(id))).toMatchObject({
      status: 429,
      message: expect.stringContaining('[3] seconds'),
    });
    expect((await sdkError(sdk.architect.getFlowsDatatableRows(id))).status).toBe(429);
    expect((await sdk.architect.getFlowsDatatableRows(id)).total).toBe(2000);
  });

  it('500 and 504 faults use Genesys codes', async () => {
    emu.faults.set([
      { method: 'GET', path: '/api/v2/organizations/me', nth: 1, action: { type: 'status', status: 500 } },
      { method: 'GET', path: '/api/v2/organizations/me', nth: 1, action: { type: 'status', status: 504 } },
    ]);
    expect(await sdkError(sdk.organization.getOrganizationsMe())).toMatchObject({
      status: 500,
      code: 'internal.server.error',
    });
    expect(await sdkError(sdk.organization.getOrganizationsMe())).toMatchObject({
      status: 504,
      code: 'request.timeout',
    });
  });

  it('resets the connection', async () => {
    emu.faults.set([{ path: '/api/v2/organizations/me', action: { type: 'reset' } }]);
    const err = (await sdk.organization.getOrganizationsMe().catch((e: unknown) => e)) as {
      code?: string;
      message?: string;
    };
    expect(err.code ?? err.message).toMatch(/ECONNRESET|socket hang up/);
  });

  it('hangs until the client gives up (SDK timeout)', async () => {
    emu.faults.set([{ path: '/api/v2/organizations/me', action: { type: 'hang', ms: 5_000 } }]);
    const impatient = newApiClient(emu);
    (impatient as unknown as { timeout: number }).timeout = 300; // read when the SDK creates its HTTP client
    await impatient.loginClientCredentialsGrant(emu.clients[0]!.clientId, emu.clients[0]!.clientSecret);
    const started = Date.now();
    const err = (await new platformClient.OrganizationApi(impatient as never)
      .getOrganizationsMe()
      .catch((e: unknown) => e)) as { code?: string; message?: string };
    expect(err.code ?? err.message).toMatch(/ECONNABORTED|timeout/i);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('only matches the named client when clientId is given', async () => {
    const other = emu.addClient({ name: 'Other', clientId: 'other', clientSecret: 'other-secret' });
    const otherSdk = await sdkFor(emu, other);
    emu.faults.set([{ clientId: 'other', times: Infinity, action: { type: 'status', status: 503 } }]);
    expect((await sdkError(otherSdk.architect.getFlowsDatatables())).status).toBe(503);
    expect((await sdk.architect.getFlowsDatatables()).entities).toBeDefined();
  });
});

describe('latency and the request log', () => {
  it('adds latency to every request', async () => {
    emu.setBehaviour({ latencyMs: 150 });
    const started = performance.now();
    await sdk.organization.getOrganizationsMe();
    emu.setBehaviour({ latencyMs: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('records method, path, client, status and time of each request', async () => {
    const before = emu.requestLog.length;
    await sdkError(sdk.architect.getFlowsDatatable('missing'));
    const entry = emu.requestLog.at(-1)!;
    expect(emu.requestLog.length).toBe(before + 1);
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/api/v2/flows/datatables/missing',
      clientId: emu.clients[0]!.clientId,
      status: 404,
    });
    expect(entry.time).toMatch(/Z$/);
    expect(entry.ms).toBeGreaterThanOrEqual(0);
  });
});
