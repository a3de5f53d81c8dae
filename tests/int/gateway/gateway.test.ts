// The gateway against the emulator, through the official SDK: one ApiClient per org, token cache and
// renewal, typed errors, retries, and the data-table operations the product needs.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/emulator.js';
import {
  GenesysAuthError,
  GenesysConflictError,
  GenesysNotFoundError,
  GenesysRateLimitedError,
  GenesysUnavailableError,
  GenesysValidationError,
} from '../../../src/genesys/errors.js';
import type { GatewayRegistry } from '../../../src/genesys/gateway-registry.js';
import { OrgApiClient } from '../../../src/genesys/org-api-client.js';
import { systemClock } from '../../../src/lib/clock.js';
import { DEMO_TABLES_SEEN, onRealisticEmulator, passVisibilityDelay } from '../../helpers/emulator-profile.js';
import {
  apiCalls,
  connectionFor,
  emulatorWithTwoOrgs,
  registryFor,
  tokenCalls,
} from '../../helpers/gateway-fixtures.js';

let emu: RunningEmulator;
let registry: GatewayRegistry;
beforeAll(async () => {
  emu = await emulatorWithTwoOrgs({ behaviour: { rateLimitPerMinute: 100_000, jobDelayMs: 10 } });
});
afterAll(async () => emu.stop());
afterEach(() => {
  registry?.closeAll();
  emu.faults.clear();
});

const orgA = () => registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 }));
const orgB = () => registry.for('b', connectionFor(emu, emu.clients[1]!, { requestsPerMinute: 100_000 }));
const tableId = async (name: string) => (await orgA().gateway.listTables()).find((t) => t.name === name)!.id;

describe('one ApiClient per org', () => {
  it("each org's requests carry its own token; the SDK singleton is untouched", async () => {
    registry = registryFor(emu);
    const singletonBefore = (platformClient as unknown as { ApiClient: { instance: unknown } }).ApiClient.instance;
    const [a, b] = await Promise.all([orgA().gateway.testConnection(), orgB().gateway.testConnection()]);
    expect(a.name).toBe('Org A');
    expect(b.name).toBe('Org B');
    expect(apiCalls(emu, 'client-a').length).toBeGreaterThan(0);
    expect(apiCalls(emu, 'client-b').length).toBeGreaterThan(0);
    expect((platformClient as unknown as { ApiClient: { instance: unknown } }).ApiClient.instance).toBe(
      singletonBefore,
    );
  });

  it('renews the token once for many concurrent calls (single flight)', async () => {
    registry = registryFor(emu, { freshTokens: true });
    const before = tokenCalls(emu).length;
    const entry = orgA();
    await Promise.all(Array.from({ length: 10 }, () => entry.gateway.listTables()));
    expect(entry.client.logins).toBe(1);
    expect(tokenCalls(emu).length - before).toBe(1);
  });

  it('a revoked token (401) triggers one fresh login and the call succeeds', async () => {
    registry = registryFor(emu, { freshTokens: true });
    const entry = orgA();
    await entry.gateway.listTables();
    emu.revokeTokens('client-a');
    expect((await entry.gateway.listTables()).length).toBe(DEMO_TABLES_SEEN.length);
    expect(entry.client.logins).toBe(2);
  });

  it('changed credentials replace the client and its token cache', async () => {
    registry = registryFor(emu);
    const first = orgA();
    const again = registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 }));
    expect(again).toBe(first);
    const changed = registry.for('a', {
      ...connectionFor(emu, emu.clients[0]!),
      clientSecret: 'wrong',
      cacheKey: 'new-settings',
    });
    expect(changed).not.toBe(first);
    await expect(changed.gateway.testConnection()).rejects.toThrow(GenesysAuthError);
  });
});

describe('test connection reasons', () => {
  it('bad credentials', async () => {
    registry = registryFor(emu);
    const err = await registry
      .for('x', connectionFor(emu, { ...emu.clients[0]!, clientSecret: 'nope' }))
      .gateway.testConnection()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysAuthError);
    expect((err as GenesysAuthError).reason).toBe('bad-credentials');
    expect((err as Error).message).toMatch(/bad credentials/);
  });

  it('bad credentials answered with 401 (the other status Genesys may use)', async () => {
    registry = registryFor(emu);
    emu.setBehaviour({ oauthErrorStatus: 401 });
    try {
      const err = await registry
        .for('x', connectionFor(emu, { ...emu.clients[0]!, clientSecret: 'nope' }))
        .gateway.testConnection()
        .catch((e: unknown) => e);
      expect((err as GenesysAuthError).reason).toBe('bad-credentials');
    } finally {
      emu.setBehaviour({ oauthErrorStatus: 400 });
    }
  });

  it('a throttled login is named as rate limiting, not "HTTP 400"', async () => {
    const client = emu.addClient({ name: 'Busy', clientId: 'busy-client', clientSecret: 'busy-secret' });
    const login = () =>
      new OrgApiClient(connectionFor(emu, client), {
        clock: systemClock,
        timeoutMs: 2_000,
        apiOverride: { host: '127.0.0.1', port: emu.port, protocol: 'http' },
      }).ensureToken();
    for (let i = 0; i < 10; i++) await login();
    const err = await login().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysRateLimitedError);
    expect((err as GenesysRateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((err as Error).message).toMatch(/limiting how often this OAuth client may log in/);
  });

  it('missing permissions (403)', async () => {
    registry = registryFor(emu);
    emu.faults.set([{ path: '/api/v2/flows/datatables', action: { type: 'status', status: 403 } }]);
    const err = await orgA()
      .gateway.testConnection()
      .catch((e: unknown) => e);
    expect((err as GenesysAuthError).reason).toBe('missing-permissions');
    expect((err as Error).message).toMatch(/lacks architect:datatable:view; add it to the client's role/);
  });

  it('unreachable (connection refused) and unknown host (wrong region / DNS)', async () => {
    registry = registryFor(emu, { apiOverride: { host: '127.0.0.1', port: 1, protocol: 'http' } });
    const refused = await registry
      .for('r', connectionFor(emu, emu.clients[0]!))
      .gateway.testConnection()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GenesysUnavailableError);
    expect((refused as Error).message).toMatch(/could not be reached/);
    registry.closeAll();
    registry = registryFor(emu, { apiOverride: { host: 'no-such-host.invalid', port: 80, protocol: 'http' } });
    const unknown = await registry
      .for('u', connectionFor(emu, emu.clients[0]!))
      .gateway.testConnection()
      .catch((e: unknown) => e);
    expect((unknown as GenesysUnavailableError).reason).toBe('unknown-host');
  });
});

describe('data-table operations', () => {
  it('lists tables with schemas, across pages', async () => {
    registry = registryFor(emu);
    const tables = await orgA().gateway.listTables();
    expect(tables.map((t) => t.name)).toEqual(DEMO_TABLES_SEEN);
    expect(tables[0]!.schema.properties.key!.type).toBe('string');
    expect(tables[0]!.division.name).toBe('Home');
  });

  it('reads all rows with the largest page size the org allows, in parallel pages', async () => {
    registry = registryFor(emu);
    const vip = await tableId('VIP Customers');
    const before = apiCalls(emu, 'client-a').length;
    const rows = await orgA().gateway.readAllRows(vip);
    expect(rows).toHaveLength(2000);
    expect(new Set(rows.map((r) => r.key)).size).toBe(2000);
    // 2,000 rows / 500 per page; a 500-row page of this wide table (~86 KB) is over the realistic 64 KB cap, so
    // there Genesys refuses it once and the gateway reads 200 a page.
    const { pageSize, refused } = onRealisticEmulator ? { pageSize: 200, refused: 1 } : { pageSize: 500, refused: 0 };
    expect(apiCalls(emu, 'client-a').length - before).toBe(refused + 2000 / pageSize);
    emu.setBehaviour({ maxPageSize: 100 });
    registry.closeAll();
    const capped = await orgA().gateway.readAllRows(vip);
    emu.setBehaviour({ maxPageSize: 500 });
    expect(capped).toHaveLength(2000);
  });

  it('gets, creates, updates and deletes rows; keys with slashes work', async () => {
    registry = registryFor(emu);
    const { gateway } = orgA();
    const hours = await tableId('Opening Hours');
    expect(await gateway.getRow(hours, 'Sales/Mon')).toMatchObject({ key: 'Sales/Mon', Open: '08:00' });
    expect(await gateway.getRow(hours, 'Nope/Never')).toBeNull();
    const created = await gateway.createRow(hours, {
      key: 'Claims/Mon',
      Open: '09:00',
      Close: '17:00',
      Closed: false,
      TimeZone: 'Europe/Paris',
    });
    expect(created.key).toBe('Claims/Mon');
    await expect(gateway.createRow(hours, { key: 'Claims/Mon' })).rejects.toThrow(GenesysConflictError);
    const updated = await gateway.updateRow(hours, 'Claims/Mon', { ...created, Open: '10:00' });
    expect(updated.Open).toBe('10:00');
    await expect(gateway.updateRow(hours, 'Claims/Mon', { key: 'Claims/Mon', Open: 42 } as never)).rejects.toThrow(
      GenesysValidationError,
    );
    expect(await gateway.deleteRow(hours, 'Claims/Mon')).toBe('deleted');
    expect(await gateway.deleteRow(hours, 'Claims/Mon')).toBe('already-gone');
    await expect(gateway.getTable('no-such-table')).rejects.toThrow(GenesysNotFoundError);
  });

  it('runs a CSV import job (upload + poll) and an export job', async () => {
    registry = registryFor(emu);
    const { gateway } = orgA();
    const flags = await tableId('Emergency Flags');
    const result = await gateway.importCsv(
      flags,
      'key,Active,Message\nMain Line,true,Storm\nBad Row,maybe,x\nNew Line,false,\n',
      'Append',
    );
    expect(result).toEqual({ status: 'Succeeded', updated: 2, deleted: 0, failed: 1, message: undefined });
    passVisibilityDelay(); // Genesys shows imported rows a few seconds late
    expect(await gateway.getRow(flags, 'Main Line')).toMatchObject({ Active: true, Message: 'Storm' });
    const csv = await gateway.exportCsv(flags);
    expect(csv.split('\n')[0]).toBe('key,Active,Message,Priority,ActivatedBy');
    expect(csv).toContain('Main Line,true,Storm');
  });

  it('uploads with exactly the uploadHeaders Genesys gave, its Content-Type included', async () => {
    registry = registryFor(emu);
    const { gateway } = orgA();
    const flags = await tableId('Emergency Flags');
    emu.setBehaviour({ uploadContentType: 'text/csv; charset=utf-8' });
    try {
      expect(await gateway.importCsv(flags, 'key,Message\nMain Line,Signed\n', 'Append')).toMatchObject({
        status: 'Succeeded',
        updated: 1,
      });
    } finally {
      emu.setBehaviour({ uploadContentType: 'text/csv' });
    }
    const upload = emu.requestLog.filter((e) => e.path.startsWith('/uploads/')).at(-1)!;
    expect(upload.status).toBe(200);
  });
});

describe('retries and write safety', () => {
  it('retries 5xx for reads and idempotent writes, never 400/404', async () => {
    registry = registryFor(emu);
    const { gateway } = orgA();
    const flags = await tableId('Emergency Flags');
    emu.faults.set([
      { method: 'GET', path: '/api/v2/flows/datatables/*/rows/*', times: 2, action: { type: 'status', status: 503 } },
    ]);
    expect(await gateway.getRow(flags, 'Main Line')).toMatchObject({ key: 'Main Line' });
    const before = apiCalls(emu, 'client-a').length;
    await expect(gateway.updateRow(flags, 'Main Line', { key: 'Main Line', Active: 'yes' } as never)).rejects.toThrow(
      GenesysValidationError,
    );
    await expect(gateway.getTable('missing-table')).rejects.toThrow(GenesysNotFoundError);
    expect(apiCalls(emu, 'client-a').length - before).toBe(2);
  });

  it('gives up on an interactive call after its small budget with a clear Unavailable error', async () => {
    registry = registryFor(emu);
    emu.faults.set([{ path: '/api/v2/organizations/me', times: Infinity, action: { type: 'status', status: 500 } }]);
    const before = apiCalls(emu, 'client-a').length;
    const err = await orgA()
      .gateway.testConnection()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysUnavailableError);
    expect((err as Error).message).toMatch(/HTTP 500/);
    expect(apiCalls(emu, 'client-a').length - before).toBe(3); // 1 try + 2 retries
  });

  // On the realistic emulator the new row is invisible to that GET, so a second POST (answered 409) settles it:
  // strict-genesys.test.ts proves there that the row is made once.
  it.skipIf(onRealisticEmulator)(
    'a create whose answer was lost is checked, not repeated (no duplicate, no false error) (default emulator only: the GET right after the create sees the row)',
    async () => {
      registry = registryFor(emu);
      const { gateway } = orgA();
      const flags = await tableId('Emergency Flags');
      emu.faults.set([
        { method: 'POST', path: '/api/v2/flows/datatables/*/rows', action: { type: 'reset-after-apply' } },
      ]);
      const row = await gateway.createRow(flags, {
        key: 'Lost Answer',
        Active: true,
        Message: 'hi',
        Priority: 2,
        ActivatedBy: 'x',
      });
      expect(row.key).toBe('Lost Answer');
      const posts = emu.requestLog.filter(
        (e) => e.method === 'POST' && e.path === `/api/v2/flows/datatables/${flags}/rows`,
      );
      expect(posts.map((p) => p.status)).toEqual([0]); // one POST, answer lost; then a GET, no second POST
      expect((await gateway.readAllRows(flags)).filter((r) => r.key === 'Lost Answer')).toHaveLength(1);
    },
  );

  it('an update whose connection was reset is retried (PUT is idempotent)', async () => {
    registry = registryFor(emu);
    const { gateway } = orgA();
    const flags = await tableId('Emergency Flags');
    emu.faults.set([{ method: 'PUT', path: '/api/v2/flows/datatables/*/rows/*', action: { type: 'reset' } }]);
    const row = await gateway.updateRow(flags, 'Weather Closure', {
      key: 'Weather Closure',
      Active: true,
      Message: 'Snow',
      Priority: 1,
      ActivatedBy: 'ops',
    });
    expect(row.Message).toBe('Snow');
  });

  it('times out a hung request with a clear message', async () => {
    registry = registryFor(emu, { timeoutMs: 300, budgets: { interactive: { retries: 0 } } });
    emu.faults.set([{ path: '/api/v2/flows/datatables/*', action: { type: 'hang', ms: 3_000 } }]);
    const err = await orgA()
      .gateway.getTable('whatever')
      .catch((e: unknown) => e);
    expect((err as GenesysUnavailableError).reason).toBe('timeout');
    expect((err as Error).message).toMatch(/did not answer in time/);
  });
});
