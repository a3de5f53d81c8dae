// Data tables through the SDK: listing (expand, name wildcards, divisions, sort, paging), get, create and
// update with every schema rule, limits, delete, division views.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { buildSchema } from '../../../src/emulator/seed.js';
import { sdkFor, type Sdk } from '../../helpers/sdk.js';
import { createSimpleTable, sdkError, simpleSchema } from '../../helpers/emulator-fixtures.js';

let emu: RunningEmulator;
let sdk: Sdk;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo' });
  sdk = await sdkFor(emu, emu.clients[0]!);
});
afterAll(async () => emu.stop());

const names = (l: { entities?: { name?: string }[] }) => l.entities!.map((t) => t.name);

describe('listing tables', () => {
  it('lists with paging, total, pageCount and relative URIs', async () => {
    const page1 = await sdk.architect.getFlowsDatatables({ pageSize: 2, pageNumber: 1, sortBy: 'name' });
    expect(page1).toMatchObject({ pageSize: 2, pageNumber: 1, total: 5, pageCount: 3 });
    expect(page1.firstUri).toMatch(/^\/api\/v2\/flows\/datatables\?pageSize=2&pageNumber=1/);
    expect(page1.nextUri).toMatch(/pageNumber=2/);
    expect(page1.previousUri).toBeUndefined();
    expect(page1.lastUri).toMatch(/pageNumber=3/);
    const page3 = await sdk.architect.getFlowsDatatables({ pageSize: 2, pageNumber: 3, sortBy: 'name' });
    expect(page3.entities).toHaveLength(1);
    expect(page3.nextUri).toBeUndefined();
    expect(page3.previousUri).toMatch(/pageNumber=2/);
    const beyond = await sdk.architect.getFlowsDatatables({ pageSize: 2, pageNumber: 9 });
    expect(beyond.entities).toEqual([]);
  });

  it('defaults to 25 per page and rejects a pageSize above the cap', async () => {
    expect((await sdk.architect.getFlowsDatatables()).pageSize).toBe(25);
    expect(await sdkError(sdk.architect.getFlowsDatatables({ pageSize: 501 }))).toMatchObject({
      status: 400,
      code: 'invalid.query.param.value',
    });
  });

  it('sorts by name and id, ascending and descending', async () => {
    const asc = names(await sdk.architect.getFlowsDatatables({ sortBy: 'name' }));
    expect(asc).toEqual(['Emergency Flags', 'Holiday Calendar', 'Opening Hours', 'Queue Routing', 'VIP Customers']);
    expect(names(await sdk.architect.getFlowsDatatables({ sortBy: 'name', sortOrder: 'descending' }))).toEqual(
      [...asc].reverse(),
    );
    const ids = (await sdk.architect.getFlowsDatatables({ sortBy: 'id' })).entities!.map((t) => t.id!);
    expect(ids).toEqual([...ids].sort());
  });

  it('filters by name with * wildcards, case-insensitively', async () => {
    expect(names(await sdk.architect.getFlowsDatatables({ name: 'vip customers' }))).toEqual(['VIP Customers']);
    expect(names(await sdk.architect.getFlowsDatatables({ name: 'Holiday*' }))).toEqual(['Holiday Calendar']);
    expect(names(await sdk.architect.getFlowsDatatables({ name: '*hours' }))).toEqual(['Opening Hours']);
    expect(names(await sdk.architect.getFlowsDatatables({ name: '*ou*', sortBy: 'name' }))).toEqual([
      'Opening Hours',
      'Queue Routing',
    ]);
    expect(names(await sdk.architect.getFlowsDatatables({ name: 'Holiday' }))).toEqual([]);
  });

  it('filters by division, comma-joined (as the SDK sends arrays) or repeated', async () => {
    const org = emu.orgs[0]!;
    const [home, care] = org.divisions;
    const moved = await createSimpleTable(sdk, 'Care Table');
    await sdk.architect.putFlowsDatatable(moved.id, {
      name: 'Care Table',
      division: { id: care!.id },
      schema: simpleSchema(),
    } as never);
    expect(names(await sdk.architect.getFlowsDatatables({ divisionId: [care!.id], sortBy: 'name' }))).toEqual([
      'Care Table',
      'Queue Routing',
    ]);
    expect((await sdk.architect.getFlowsDatatables({ divisionId: [home!.id, care!.id] })).total).toBe(6);
    expect(
      emu.requestLog.some(
        (e) =>
          e.query.includes(`divisionId=${home!.id}%2C${care!.id}`) ||
          e.query.includes(`divisionId=${home!.id},${care!.id}`),
      ),
    ).toBe(true);
    const repeated = await fetch(`${emu.url}/api/v2/flows/datatables?divisionId=${home!.id}&divisionId=${care!.id}`, {
      headers: { Authorization: `Bearer ${sdk.token}` },
    });
    expect(((await repeated.json()) as { total: number }).total).toBe(6);
    await sdk.architect.deleteFlowsDatatable(moved.id);
  });

  it('includes the schema only with expand=schema; get table too', async () => {
    const plain = (await sdk.architect.getFlowsDatatables({ name: 'Queue Routing' })).entities![0]!;
    expect(plain.schema).toBeUndefined();
    expect(plain.division).toMatchObject({ id: expect.any(String), name: 'Customer Care' });
    const expanded = (await sdk.architect.getFlowsDatatables({ name: 'Queue Routing', expand: 'schema' }))
      .entities![0]!;
    expect(expanded.schema?.properties?.key).toMatchObject({ type: 'string' });
    expect((await sdk.architect.getFlowsDatatable(plain.id!)).schema).toBeUndefined();
    const got = await sdk.architect.getFlowsDatatable(plain.id!, { expand: 'schema' });
    expect(got).toMatchObject({ id: plain.id, name: 'Queue Routing', selfUri: `/api/v2/flows/datatables/${plain.id}` });
    expect(Object.keys(got.schema!.properties!)).toContain('MaxWaitSeconds');
  });

  it('answers 404 flows.datatables.table.not.found for an unknown table', async () => {
    expect(await sdkError(sdk.architect.getFlowsDatatable('00000000-0000-0000-0000-000000000000'))).toMatchObject({
      status: 404,
      code: 'flows.datatables.table.not.found',
      contextId: expect.any(String),
      details: [],
      errors: [],
    });
  });

  it('serves division views like the plain endpoints', async () => {
    const list = await sdk.architect.getFlowsDatatablesDivisionviews({ name: 'VIP*' });
    expect(names(list)).toEqual(['VIP Customers']);
    expect((await sdk.architect.getFlowsDatatablesDivisionview(list.entities![0]!.id!)).name).toBe('VIP Customers');
  });
});

describe('creating and changing tables', () => {
  it('creates a table, replacing the schema title with the table name', async () => {
    const t = await createSimpleTable(sdk, 'Created Here');
    const got = await sdk.architect.getFlowsDatatable(t.id, { expand: 'schema' });
    expect(got.schema?.title).toBe('Created Here');
    expect(got.description).toBe('test table');
    await sdk.architect.deleteFlowsDatatable(t.id);
  });

  const bad = (mutate: (s: Record<string, unknown>) => void) => {
    const schema = simpleSchema() as unknown as Record<string, unknown>;
    mutate(schema);
    return sdkError(sdk.architect.postFlowsDatatables({ name: `Bad ${Math.random()}`, schema } as never));
  };

  it.each([
    [
      'no key property',
      (s: Record<string, unknown>) => delete (s.properties as Record<string, unknown>).key,
      /string property 'key'/,
    ],
    [
      'a non-string key',
      (s: Record<string, unknown>) => ((s.properties as Record<string, { type: string }>).key!.type = 'integer'),
      /string property 'key'/,
    ],
    [
      'required other than ["key"]',
      (s: Record<string, unknown>) => (s.required = ['key', 'name']),
      /only value in the required list/,
    ],
    [
      'additionalProperties not false',
      (s: Record<string, unknown>) => (s.additionalProperties = true),
      /additionalProperties/,
    ],
    [
      'an unsupported type',
      (s: Record<string, unknown>) => ((s.properties as Record<string, { type: string }>).name!.type = 'array'),
      /not valid for field type/,
    ],
    [
      'a default of the wrong type',
      (s: Record<string, unknown>) => ((s.properties as Record<string, { default: unknown }>).count!.default = 'ten'),
      /default value/,
    ],
  ])('refuses a schema with %s (400)', async (_label, mutate, message) => {
    const err = await bad(mutate);
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });

  it('refuses a missing schema or name', async () => {
    expect(await sdkError(sdk.architect.postFlowsDatatables({ name: 'No schema' } as never))).toMatchObject({
      status: 400,
    });
    expect(await sdkError(sdk.architect.postFlowsDatatables({ schema: simpleSchema() } as never))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/name is required/),
    });
  });

  it('allows 50 fields and refuses the 51st with a limit', async () => {
    const fifty = buildSchema(
      Array.from({ length: 49 }, (_, i) => [`f${i}`, 'string'] as const).map(([n, t]) => [n, t]),
    );
    const ok = await sdk.architect.postFlowsDatatables({ name: 'Fifty Fields', schema: fifty } as never);
    const props = fifty.properties;
    props.f49 = { type: 'string' };
    const err = await sdkError(
      sdk.architect.putFlowsDatatable(ok.id!, { name: 'Fifty Fields', schema: fifty } as never),
    );
    expect(err).toMatchObject({ status: 400, limit: { key: 'max.fields.per.datatable', value: 50 } });
    await sdk.architect.deleteFlowsDatatable(ok.id!);
  });

  it('refuses a duplicate table name with 409', async () => {
    expect(
      await sdkError(sdk.architect.postFlowsDatatables({ name: 'vip customers', schema: simpleSchema() } as never)),
    ).toMatchObject({ status: 409 });
  });

  it('updates: adds fields, renames, relabels; refuses removing or retyping a field', async () => {
    const t = await createSimpleTable(sdk, 'Evolving');
    const schema = simpleSchema();
    schema.properties.extra = { type: 'boolean', title: 'Extra' };
    schema.properties.name!.title = 'Full name';
    const updated = await sdk.architect.putFlowsDatatable(t.id, { name: 'Evolved', schema } as never, {
      expand: 'schema',
    });
    expect(updated.name).toBe('Evolved');
    expect(Object.keys(updated.schema!.properties!)).toContain('extra');
    const removed = simpleSchema();
    const missing = await sdkError(
      sdk.architect.putFlowsDatatable(t.id, { name: 'Evolved', schema: removed } as never),
    );
    expect(missing).toMatchObject({ status: 400, message: "Field 'extra' is missing from the proposed schema" });
    const retyped = structuredClone(schema);
    retyped.properties.count!.type = 'string';
    expect(
      (await sdkError(sdk.architect.putFlowsDatatable(t.id, { name: 'Evolved', schema: retyped } as never))).message,
    ).toMatch(/cannot change type/);
    await sdk.architect.deleteFlowsDatatable(t.id);
  });

  it('deletes a table (then 404)', async () => {
    const t = await createSimpleTable(sdk, 'Short Lived');
    expect(await sdk.architect.deleteFlowsDatatable(t.id, { force: true })).toBeUndefined();
    expect(await sdkError(sdk.architect.getFlowsDatatable(t.id))).toMatchObject({ status: 404 });
  });

  it('allows 200 tables per org and refuses the 201st', async () => {
    const other = emu.addClient({ name: 'Crowded', clientId: 'crowded', clientSecret: 'crowded-secret' });
    const crowded = await sdkFor(emu, other);
    emu.setBehaviour({ rateLimitPerMinute: 10_000 });
    for (let i = 0; i < 200; i++)
      await crowded.architect.postFlowsDatatables({ name: `T${i}`, schema: simpleSchema() } as never);
    const err = await sdkError(
      crowded.architect.postFlowsDatatables({ name: 'T200', schema: simpleSchema() } as never),
    );
    expect(err).toMatchObject({
      status: 400,
      limit: { key: 'max.datatables.per.org', namespace: 'flows.datatables', value: 200 },
    });
    expect((await crowded.architect.getFlowsDatatables()).total).toBe(200);
    emu.setBehaviour({ rateLimitPerMinute: 300 });
  });
});
