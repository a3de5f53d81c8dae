// The gateway against the emulator's strictness knobs (issue 13; README "Strictness knobs"), through the official
// SDK: page size stepped down per table, writes that reads show late, throttled logins, timed-out uploads and 403s
// in plain words. The emulator and the gateway share a manual clock: every wait the gateway makes (rate-limit
// pause, visibility back-off, job poll) moves it instead of sleeping.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { PERMISSIONS, roleOf } from '../../../src/emulator/permissions.js';
import {
  GenesysAuthError,
  GenesysConflictError,
  GenesysRateLimitedError,
  GenesysUnavailableError,
} from '../../../src/genesys/errors.js';
import type { GatewayRegistry } from '../../../src/genesys/gateway-registry.js';
import type { SdkDataTableGateway } from '../../../src/genesys/sdk-gateway.js';
import { ManualClock, sleepOn } from '../../../src/lib/clock.js';
import { profileEmulatorOptions } from '../../helpers/emulator-profile.js';
import {
  apiCalls,
  connectionFor,
  emulatorWithTwoOrgs,
  registryFor,
  tokenCalls,
} from '../../helpers/gateway-fixtures.js';

const clock = new ManualClock(Date.parse('2026-03-02T08:00:00Z'));
let emu: RunningEmulator;
let registry: GatewayRegistry;
beforeAll(async () => {
  emu = await emulatorWithTwoOrgs({
    now: () => clock.now(),
    behaviour: { rateLimitPerMinute: 100_000, jobDelayMs: 10 },
  });
});
afterAll(async () => emu.stop());
afterEach(() => {
  registry?.closeAll();
  emu.faults.clear();
  emu.setBehaviour({ visibilityDelayMs: 0, maxResponseBytes: 0, tokenRequestsPerMinute: 0 });
});

/** A registry whose waits move the shared manual clock. */
const onClock = (extra: Parameters<typeof registryFor>[1] = {}) =>
  registryFor(emu, { clock, sleep: sleepOn(clock), ...extra });
const orgA = () => registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 }));
const gatewayA = () => orgA().gateway as SdkDataTableGateway;
const tableNamed = (name: string) => [...emu.orgs[0]!.tables.values()].find((t) => t.name === name)!;
const rowReads = (tableId: string) =>
  apiCalls(emu, 'client-a').filter((e) => e.method === 'GET' && e.path === `/api/v2/flows/datatables/${tableId}/rows`);
const pageSizeOf = (query: string) => Number(new URLSearchParams(query).get('pageSize'));

describe('page size, stepped down per table', () => {
  it('a wide table steps down on response.entity.too.large; a narrow one keeps reading 500 rows a page', async () => {
    registry = onClock();
    emu.setBehaviour({ maxResponseBytes: 64_000 }); // a 500-row page of VIP Customers is ~86 KB, 200 rows ~35 KB
    const vip = tableNamed('VIP Customers');
    const flags = tableNamed('Emergency Flags');
    expect((await gatewayA().readAllRows(flags.id)).length).toBe(flags.rows.size); // narrow first: fine at 500
    expect((await gatewayA().readAllRows(vip.id)).length).toBe(2000);
    expect(rowReads(vip.id).map((e) => [pageSizeOf(e.query), e.status])[0]).toEqual([500, 400]);
    expect(gatewayA().rowPageSize(vip.id)).toBe(200);
    expect(gatewayA().rowPageSize(flags.id)).toBe(500);

    const before = rowReads(vip.id).length;
    await gatewayA().readAllRows(vip.id); // remembered: no failing page any more
    expect(
      rowReads(vip.id)
        .slice(before)
        .every((e) => e.status === 200 && pageSizeOf(e.query) === 200),
    ).toBe(true);
    await gatewayA().readAllRows(flags.id);
    expect(pageSizeOf(rowReads(flags.id).at(-1)!.query)).toBe(500);
  });

  it('steps down on 413 as well', async () => {
    registry = onClock();
    const hours = tableNamed('Opening Hours');
    emu.faults.set([
      { method: 'GET', path: `/api/v2/flows/datatables/${hours.id}/rows`, action: { type: 'status', status: 413 } },
    ]);
    expect((await gatewayA().readAllRows(hours.id)).length).toBe(hours.rows.size);
    expect(rowReads(hours.id).map((e) => [pageSizeOf(e.query), e.status])).toEqual([
      [500, 413],
      [200, 200],
    ]);
  });
});

describe("reads after the gateway's own writes (visibility delay)", () => {
  const row = (key: string) => ({ key, Active: true, Message: 'hi', Priority: 2, ActivatedBy: 'x' });
  const posts = (tableId: string) =>
    apiCalls(emu, 'client-a').filter(
      (e) => e.method === 'POST' && e.path === `/api/v2/flows/datatables/${tableId}/rows`,
    );

  it('a create whose answer was lost, while reads do not show it yet, is not created twice and not reported failed', async () => {
    registry = onClock();
    emu.setBehaviour({ visibilityDelayMs: 3_000 });
    const flags = tableNamed('Emergency Flags');
    emu.faults.set([
      { method: 'POST', path: '/api/v2/flows/datatables/*/rows', action: { type: 'reset-after-apply' } },
    ]);
    const created = await gatewayA().createRow(flags.id, row('Lagging Answer'));
    expect(created).toMatchObject(row('Lagging Answer'));
    // The lost POST, then a second one that Genesys refuses as a duplicate: one row, made once.
    expect(posts(flags.id).map((p) => p.status)).toEqual([0, 409]);
    expect([...flags.rows.keys()].filter((k) => k === 'Lagging Answer')).toHaveLength(1);
  });

  it('a create that never reached Genesys is made by the second POST', async () => {
    registry = onClock();
    emu.setBehaviour({ visibilityDelayMs: 3_000 });
    const flags = tableNamed('Emergency Flags');
    emu.faults.set([{ method: 'POST', path: '/api/v2/flows/datatables/*/rows', action: { type: 'reset' } }]);
    await gatewayA().createRow(flags.id, row('Never Arrived'));
    expect(
      posts(flags.id)
        .slice(-2)
        .map((p) => p.status),
    ).toEqual([0, 200]);
    expect(flags.rows.get('Never Arrived')).toMatchObject(row('Never Arrived'));
  });

  it("a 409 on the second POST is a conflict when the row holds other values (someone else's)", async () => {
    registry = onClock();
    emu.setBehaviour({ visibilityDelayMs: 3_000 });
    const flags = tableNamed('Emergency Flags');
    emu.faults.set([{ method: 'POST', path: '/api/v2/flows/datatables/*/rows', action: { type: 'reset' } }]);
    flags.rows.set('Taken', { ...row('Taken'), Message: 'somebody else' });
    await expect(gatewayA().createRow(flags.id, row('Taken'))).rejects.toThrow(GenesysConflictError);
  });

  it('reads after its own create or delete show it (read your writes), and stop waiting once they do', async () => {
    registry = onClock();
    emu.setBehaviour({ visibilityDelayMs: 3_000 });
    const flags = tableNamed('Emergency Flags');
    const gateway = gatewayA();
    await gateway.createRow(flags.id, row('Mine Now'));
    expect(await gateway.getRow(flags.id, 'Mine Now')).toMatchObject(row('Mine Now'));
    await gateway.deleteRow(flags.id, 'Weather Closure');
    const rows = await gateway.readAllRows(flags.id);
    expect(rows.map((r) => r.key)).toContain('Mine Now');
    expect(rows.map((r) => r.key)).not.toContain('Weather Closure');
    expect(await gateway.getRow(flags.id, 'Weather Closure')).toBeNull();
    // Caught up: the next read is a single request.
    const before = apiCalls(emu, 'client-a').length;
    await gateway.readAllRows(flags.id);
    expect(apiCalls(emu, 'client-a').length - before).toBe(1);
    // Someone else's change is not waited for: a row of ours they changed is returned as they left it.
    flags.rows.set('Mine Now', { ...row('Mine Now'), Message: 'theirs' });
    expect(await gateway.getRow(flags.id, 'Mine Now')).toMatchObject({ Message: 'theirs' });
  });

  it('a new table is readable when createTable returns', async () => {
    registry = onClock();
    emu.setBehaviour({ visibilityDelayMs: 3_000 });
    const startedAt = clock.now();
    const table = await gatewayA().createTable({
      name: 'Made Just Now',
      description: '',
      schema: {
        type: 'object',
        required: ['key'],
        properties: { key: { type: 'string', title: 'Key' } },
        additionalProperties: false,
      } as never,
    });
    expect(await gatewayA().readAllRows(table.id)).toEqual([]);
    expect(clock.now() - startedAt).toBeGreaterThanOrEqual(3_000); // it waited (on the clock) for Genesys to show it
  });

  it('a table create whose answer was lost is found again, not made twice; a name taken elsewhere is explained', async () => {
    registry = onClock();
    emu.setBehaviour({ visibilityDelayMs: 3_000 });
    const schema = {
      type: 'object',
      required: ['key'],
      properties: { key: { type: 'string', title: 'Key' } },
      additionalProperties: false,
    } as never;
    emu.faults.set([{ method: 'POST', path: '/api/v2/flows/datatables', action: { type: 'reset-after-apply' } }]);
    const table = await gatewayA().createTable({ name: 'Lost Table Answer', description: '', schema });
    expect([...emu.orgs[0]!.tables.values()].filter((t) => t.name === 'Lost Table Answer').map((t) => t.id)).toEqual([
      table.id,
    ]);
    const err = await gatewayA()
      .createTable({ name: 'Lost Table Answer', description: '', schema })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysConflictError);
    expect((err as Error).message).toMatch(
      /already has a table named “Lost Table Answer” \(perhaps in a division the OAuth client's role does not cover/,
    );
  });

  it('an import is read until it shows, within a bounded wait', async () => {
    registry = onClock();
    emu.setBehaviour({ visibilityDelayMs: 3_000 });
    const flags = tableNamed('Emergency Flags');
    const result = await gatewayA().importCsv(
      flags.id,
      'key,Active,Message,Priority,ActivatedBy\nImported Late,true,hello,3,csv\n',
      'Append',
    );
    expect(result.status).toBe('Succeeded');
    expect((await gatewayA().readAllRows(flags.id)).some((r) => r.key === 'Imported Late')).toBe(false); // not shown yet
    const rows = await gatewayA().readAllRowsAfterWrite(flags.id, (rs) => rs.some((r) => r.key === 'Imported Late'), {
      mode: 'background',
    });
    expect(rows.some((r) => r.key === 'Imported Late')).toBe(true);
    // Bounded: a row that never shows is given up on after the wait, not waited for forever.
    clock.advance(1_000); // past the request pace (request-pacer.ts, on this clock): only the settle waits count
    const startedAt = clock.now();
    await gatewayA().readAllRowsAfterWrite(flags.id, () => false, { mode: 'background' });
    expect(clock.now() - startedAt).toBe(30_000);
  });
});

describe('throttled logins', () => {
  const fresh = () => onClock({ freshTokens: true });

  it('a background call waits out a throttled login and goes on', async () => {
    clock.advance(61_000);
    emu.setBehaviour({ tokenRequestsPerMinute: 1 });
    registry = fresh();
    await orgA().gateway.listTables(); // uses the one login this minute
    const first = registry;
    registry = fresh();
    const before = tokenCalls(emu).length;
    const rows = await orgA().gateway.readAllRows(tableNamed('Emergency Flags').id, { mode: 'background' });
    expect(rows.length).toBeGreaterThan(0);
    expect(
      tokenCalls(emu)
        .slice(before)
        .map((c) => c.status),
    ).toEqual([400, 200]);
    first.closeAll();
  });

  it('an interactive call that would have to wait longer than its budget fails at once, saying so', async () => {
    clock.advance(61_000);
    emu.setBehaviour({ tokenRequestsPerMinute: 1 });
    registry = fresh();
    await orgA().gateway.listTables();
    const first = registry;
    registry = fresh();
    const err = await orgA()
      .gateway.listTables()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysRateLimitedError);
    expect((err as Error).message).toMatch(
      /limiting how often this OAuth client may log in.*longer than this page waits.*try again in \d+ seconds/,
    );
    first.closeAll();
  });
});

describe('the CSV upload', () => {
  const csv = 'key,Active,Message,Priority,ActivatedBy\nUploaded,true,hello,3,csv\n';

  it('a refused upload is a failed job that imported nothing, with a clear message', async () => {
    registry = onClock();
    emu.faults.set([{ method: 'PUT', path: '/uploads/*', action: { type: 'status', status: 403 } }]);
    const result = await gatewayA().importCsv(tableNamed('Emergency Flags').id, csv, 'Append');
    expect(result).toMatchObject({ status: 'Failed', nothingImported: true });
    expect(result.message).toMatch(
      /refused the CSV upload \(it answered 403.*signed upload address.*nothing was imported/,
    );
    expect(result.message).not.toMatch(/HTTP \d/);
  });

  it('an upload that hangs is timed out', async () => {
    registry = onClock({ uploadTimeoutMs: 300 });
    emu.faults.set([{ method: 'PUT', path: '/uploads/*', action: { type: 'hang', ms: 5_000 } }]);
    const err = await gatewayA()
      .importCsv(tableNamed('Emergency Flags').id, csv, 'Append')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysUnavailableError);
    expect((err as GenesysUnavailableError).mayHaveApplied).toBe(true);
    expect((err as Error).message).toMatch(/did not finish within/);
  });
});

describe('403s name the permission and the division', () => {
  let strict: RunningEmulator;
  let reg: GatewayRegistry;
  beforeAll(async () => {
    // Home: everything but datatable:add; Customer Care: view only.
    const viewOnly = ['architect:datatable:view', 'architect:datatableRow:view'] as const;
    const role = {
      ...roleOf(
        PERMISSIONS.filter((p) => p !== 'architect:datatable:add'),
        ['Home'],
      ),
      ...roleOf(viewOnly, '*'),
    };
    strict = await startEmulator({
      ...profileEmulatorOptions(),
      clients: [{ name: 'Strict', clientId: 'strict', clientSecret: 'strict-secret' }],
      seed: 'demo',
      role,
      behaviour: { rateLimitPerMinute: 100_000 },
    });
    reg = registryFor(strict);
  });
  afterAll(async () => {
    reg.closeAll();
    await strict.stop();
  });
  const gw = () => reg.for('s', connectionFor(strict, strict.clients[0]!, { requestsPerMinute: 100_000 })).gateway;
  const routing = () => [...strict.orgs[0]!.tables.values()].find((t) => t.name === 'Queue Routing')!;

  it('a row edit in a division where the role may only view', async () => {
    const key = [...routing().rows.keys()][0]!;
    const err = await gw()
      .updateRow(routing().id, key, { ...routing().rows.get(key)!, QueueName: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysAuthError);
    expect((err as Error).message).toBe(
      "The Genesys OAuth client lacks architect:datatable:edit or architect:datatableRow:edit in division Customer Care (either one is enough); add one of them to the client's role in that division.",
    );
  });

  it('a new table in the home division without datatable:add', async () => {
    const err = await gw()
      .createTable({
        name: 'Not Allowed',
        description: '',
        schema: {
          type: 'object',
          required: ['key'],
          properties: { key: { type: 'string' } },
          additionalProperties: false,
        } as never,
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "The Genesys OAuth client lacks architect:datatable:add in division Home; add it to the client's role in that division.",
    );
  });

  it('a table in a division the role does not cover at all is explained, never "HTTP 403"', async () => {
    const knowing = gw();
    await knowing.listTables(); // this gateway has seen Queue Routing's division
    strict.orgs[0]!.role = roleOf(PERMISSIONS, ['Home']);
    const stranger = registryFor(strict);
    try {
      const unknownDivision = stranger.for(
        's2',
        connectionFor(strict, strict.clients[0]!, { requestsPerMinute: 100_000 }),
      ).gateway;
      for (const [gateway, where] of [
        [knowing, "division Customer Care, which the Genesys OAuth client's role"],
        [unknownDivision, "a division the Genesys OAuth client's role"],
      ] as const) {
        for (const call of [() => gateway.getTable(routing().id), () => gateway.readAllRows(routing().id)]) {
          const err = await call().catch((e: unknown) => e);
          expect(err).toBeInstanceOf(GenesysAuthError);
          expect((err as Error).message).toContain(
            `This table is in ${where} does not cover (it lacks architect:datatable:view`,
          );
          expect((err as Error).message).not.toMatch(/HTTP/);
        }
      }
    } finally {
      stranger.closeAll();
      strict.orgs[0]!.role = roleOf(PERMISSIONS, '*');
    }
  });
});

describe('the realistic profile: every knob at once', () => {
  let real: RunningEmulator;
  let reg: GatewayRegistry;
  const realClock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
  beforeAll(async () => {
    real = await startEmulator({
      clients: [{ name: 'Real', clientId: 'real', clientSecret: 'real-secret' }],
      seed: 'demo',
      profile: 'realistic',
      now: () => realClock.now(),
      behaviour: { rateLimitPerMinute: 100_000, jobDelayMs: 10 },
    });
    reg = registryFor(real, { clock: realClock, sleep: sleepOn(realClock) });
  });
  afterAll(async () => {
    reg.closeAll();
    await real.stop();
  });

  it('lists, reads a wide table, creates (answer lost), imports and deletes without a false failure', async () => {
    const gateway = reg.for('r', connectionFor(real, real.clients[0]!, { requestsPerMinute: 100_000 })).gateway;
    const tables = await gateway.listTables();
    expect(tables.map((t) => t.name)).not.toContain('Queue Routing'); // Customer Care is not granted
    const vip = tables.find((t) => t.name === 'VIP Customers')!;
    expect(await gateway.readAllRows(vip.id)).toHaveLength(2000);
    const flags = tables.find((t) => t.name === 'Emergency Flags')!;
    real.faults.set([
      { method: 'POST', path: '/api/v2/flows/datatables/*/rows', action: { type: 'reset-after-apply' } },
    ]);
    await gateway.createRow(flags.id, {
      key: 'Realistic',
      Active: true,
      Message: 'made once',
      Priority: 2,
      ActivatedBy: 'test',
    });
    const import_ = await gateway.importCsv(
      flags.id,
      'key,Active,Message,Priority,ActivatedBy\nRealistic Import,true,hi,3,csv\n',
      'Append',
    );
    expect(import_.status).toBe('Succeeded');
    const rows = await gateway.readAllRowsAfterWrite(
      flags.id,
      (rs) => ['Realistic', 'Realistic Import'].every((k) => rs.some((r) => r.key === k)),
      { mode: 'background' },
    );
    expect(rows.filter((r) => r.key === 'Realistic')).toHaveLength(1);
    expect(await gateway.deleteRow(flags.id, 'Realistic')).toBe('deleted');
    expect(tokenCalls(real).filter((c) => c.status === 200)).toHaveLength(1);
  });
});
