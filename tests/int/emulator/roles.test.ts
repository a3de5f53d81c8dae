// Roles and divisions through the SDK: listings show only granted divisions, missing permissions answer 403
// missing.permissions naming them, row operations accept the table- or the row-level permission, and an
// ungranted division answers 403 or (knob) 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { FULL_ROLE, roleOf, type Role } from '../../../src/emulator/permissions.js';
import { sdkFor, type Sdk } from '../../helpers/sdk.js';
import { sdkError, simpleSchema } from '../../helpers/emulator-fixtures.js';

let emu: RunningEmulator;
let admin: Sdk;
const sdkWith = async (clientId: string, role: Role) => {
  const client =
    emu.clients.find((c) => c.clientId === clientId) ??
    emu.addClient({ name: 'Acme', clientId, clientSecret: `${clientId}-secret` });
  const org = emu.orgs.find((o) => o.clientId === clientId)!;
  org.role = role;
  // Every client here shares the admin org's tables: the same org, another OAuth client.
  const adminOrg = emu.orgs[0]!;
  Object.assign(org, { tables: adminOrg.tables, divisions: adminOrg.divisions });
  return sdkFor(emu, client);
};
const tableNamed = async (name: string) => (await admin.architect.getFlowsDatatables({ name })).entities![0]!.id!;

beforeAll(async () => {
  emu = await startEmulator({
    seed: 'demo',
    clients: [{ name: 'Acme', clientId: 'admin', clientSecret: 'admin-secret' }],
  });
  admin = await sdkFor(emu, emu.clients[0]!);
});
afterAll(async () => emu.stop());

describe('divisions', () => {
  it('the default role sees every table in every division; the demo puts Queue Routing in Customer Care', async () => {
    const all = (await admin.architect.getFlowsDatatables({ pageSize: 100, sortBy: 'name' })).entities!;
    expect(all.map((t) => `${t.name}@${t.division!.name}`)).toEqual([
      'Emergency Flags@Home',
      'Holiday Calendar@Home',
      'Opening Hours@Home',
      'Queue Routing@Customer Care',
      'VIP Customers@Home',
    ]);
  });

  it('a role granted in Home only lists Home tables and answers 403 naming the permission elsewhere', async () => {
    const home = await sdkWith(
      'home-only',
      roleOf(['architect:datatable:view', 'architect:datatableRow:view'], ['Home']),
    );
    const listed = await home.architect.getFlowsDatatables({ pageSize: 100 });
    expect(listed.total).toBe(4);
    expect(listed.entities!.map((t) => t.name)).not.toContain('Queue Routing');
    const routing = await tableNamed('Queue Routing');
    const forbidden = await sdkError(home.architect.getFlowsDatatable(routing));
    expect(forbidden).toMatchObject({
      status: 403,
      code: 'missing.permissions',
      message: 'You are missing the following permission(s): architect:datatable:view',
    });
    expect(forbidden.messageParams).toMatchObject({ division: 'Customer Care' });
    expect(await sdkError(home.architect.getFlowsDatatableRows(routing))).toMatchObject({
      status: 403,
      code: 'missing.any.permissions',
    });
  });

  it('answers 404 for a table in an ungranted division when the knob says so', async () => {
    const home = await sdkWith('home-only', roleOf(['architect:datatable:view'], ['Home']));
    const routing = await tableNamed('Queue Routing');
    emu.setBehaviour({ ungrantedDivision: 'not-found' });
    try {
      expect(await sdkError(home.architect.getFlowsDatatable(routing))).toMatchObject({ status: 404 });
      expect(await sdkError(home.architect.getFlowsDatatableRows(routing))).toMatchObject({ status: 404 });
      // A permission missing in a division that is granted something is still a 403.
      const flags = await tableNamed('Emergency Flags');
      expect(await sdkError(home.architect.deleteFlowsDatatableRow(flags, 'Main Line'))).toMatchObject({ status: 403 });
    } finally {
      emu.setBehaviour({ ungrantedDivision: 'forbidden' });
    }
  });

  it('creates a table without a division in Home, and needs add there', async () => {
    const care = emu.orgs[0]!.divisions[1]!;
    const careOnly = await sdkWith(
      'care-only',
      roleOf(['architect:datatable:view', 'architect:datatable:add'], ['Customer Care']),
    );
    const body = { name: 'Care Made', schema: simpleSchema() };
    expect(await sdkError(careOnly.architect.postFlowsDatatables(body as never))).toMatchObject({
      status: 403,
      message: expect.stringContaining('architect:datatable:add'),
    });
    const made = await careOnly.architect.postFlowsDatatables({ ...body, division: { id: care.id } } as never);
    expect(made.division).toMatchObject({ name: 'Customer Care' });
    expect(await sdkError(careOnly.architect.deleteFlowsDatatable(made.id!))).toMatchObject({
      status: 403,
      message: expect.stringContaining('architect:datatable:delete'),
    });
    await admin.architect.deleteFlowsDatatable(made.id!);
  });

  it('refuses an operation on a table that does not exist to a role without its permission anywhere', async () => {
    const noDelete = await sdkWith(
      'no-table-delete',
      roleOf(['architect:datatable:view', 'architect:datatableRow:delete'], ['Home']),
    );
    const refused = await sdkError(noDelete.architect.deleteFlowsDatatable('00000000-0000-4000-8000-000000000000'));
    expect(refused).toMatchObject({
      status: 403,
      code: 'missing.permissions',
      message: expect.stringContaining('architect:datatable:delete'),
    });
    // With the permission in some division, the unknown table is simply not found.
    expect(await sdkError(admin.architect.deleteFlowsDatatable('00000000-0000-4000-8000-000000000000'))).toMatchObject({
      status: 404,
    });
    expect(await sdkError(noDelete.architect.getFlowsDatatable('00000000-0000-4000-8000-000000000000'))).toMatchObject({
      status: 404,
    });
  });

  it('refuses a listing to a role without view anywhere', async () => {
    const blind = await sdkWith('blind', roleOf(['architect:datatableRow:view'], '*'));
    expect(await sdkError(blind.architect.getFlowsDatatables())).toMatchObject({
      status: 403,
      message: expect.stringContaining('architect:datatable:view'),
    });
  });
});

describe('row permissions: the table-level or the row-level one', () => {
  it.each([
    [
      'datatableRow',
      roleOf(
        [
          'architect:datatableRow:view',
          'architect:datatableRow:add',
          'architect:datatableRow:edit',
          'architect:datatableRow:delete',
        ],
        '*',
      ),
    ],
    [
      'datatable',
      roleOf(
        [
          'architect:datatable:view',
          'architect:datatable:add',
          'architect:datatable:edit',
          'architect:datatable:delete',
        ],
        '*',
      ),
    ],
  ])('reads, adds, edits and deletes rows with the %s permissions', async (kind, role) => {
    const sdk = await sdkWith(`rows-${kind}`, role);
    const flags = await tableNamed('Emergency Flags');
    await sdk.architect.postFlowsDatatableRows(flags, { key: `k-${kind}`, Message: 'm' } as never);
    await sdk.architect.putFlowsDatatableRow(flags, `k-${kind}`, { body: { key: `k-${kind}`, Message: 'n' } });
    expect(await sdk.architect.getFlowsDatatableRow(flags, `k-${kind}`, { showbrief: false })).toMatchObject({
      Message: 'n',
    });
    expect((await sdk.architect.getFlowsDatatableRows(flags, { pageSize: 100 })).total).toBe(5);
    await sdk.architect.deleteFlowsDatatableRow(flags, `k-${kind}`);
  });

  it('names the missing row permission for each operation', async () => {
    const viewer = await sdkWith('viewer', roleOf(['architect:datatable:view', 'architect:datatableRow:view'], '*'));
    const flags = await tableNamed('Emergency Flags');
    const missing = async (p: Promise<unknown>) =>
      ((await sdkError(p)).messageParams as { permissions: string }).permissions;
    expect(await missing(viewer.architect.postFlowsDatatableRows(flags, { key: 'x' } as never))).toBe(
      'architect:datatable:add, architect:datatableRow:add',
    );
    expect(
      await missing(viewer.architect.putFlowsDatatableRow(flags, 'Main Line', { body: { key: 'Main Line' } })),
    ).toBe('architect:datatable:edit, architect:datatableRow:edit');
    expect(await missing(viewer.architect.deleteFlowsDatatableRow(flags, 'Main Line'))).toBe(
      'architect:datatable:delete, architect:datatableRow:delete',
    );
    expect(
      await missing(
        viewer.architect.postFlowsDatatableImportCsvJobs(flags, { importMode: 'Append', status: 'WaitingForUpload' }),
      ),
    ).toBe('architect:datatable:edit, architect:datatableRow:add');
    expect(await missing(viewer.architect.putFlowsDatatable(flags, { name: 'Emergency Flags' } as never))).toBe(
      'architect:datatable:edit',
    );
    // Reading and exporting work with view alone.
    expect((await viewer.architect.postFlowsDatatableExportJobs(flags)).status).toBe('Processing');
  });

  it('the default role is every permission everywhere', () => {
    expect(emu.orgs[0]!.role).toEqual(FULL_ROLE);
  });
});
