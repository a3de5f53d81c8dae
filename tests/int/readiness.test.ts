// The readiness page against the emulator's realistic profile (a role in Home only, without
// architect:datatable:delete, a response-size cap) and a narrower role: shown after adding an org, reads
// only unless an admin asks for write checks, each line ok/missing with what to change in Genesys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { PERMISSIONS, roleOf } from '../../src/emulator/permissions.js';
import { PROBE_KEY_PREFIX, type ReadinessReport } from '../../src/genesys/readiness-probe.js';
import type { SdkDataTableGateway } from '../../src/genesys/sdk-gateway.js';
import {
  completeSetup,
  createTestApp,
  createUser,
  csrfFrom,
  signIn,
  type Agent,
  type TestApp,
} from '../helpers/test-app.js';

let emu: RunningEmulator;
let t: TestApp;
let admin: Agent;
const CLIENTS = {
  realistic: { name: 'Realistic Org', clientId: 'realistic-client', clientSecret: 'realistic-secret' },
  // Rows may be read and added in Home, never edited (neither the row nor the table permission).
  noEdit: {
    name: 'No Edit Org',
    clientId: 'no-edit-client',
    clientSecret: 'no-edit-secret',
    role: roleOf(
      PERMISSIONS.filter((p) => p !== 'architect:datatableRow:edit' && p !== 'architect:datatable:edit'),
      ['Home'],
    ),
  },
};

beforeAll(async () => {
  emu = await startEmulator({ profile: 'realistic', clients: Object.values(CLIENTS), seed: 'demo' });
  t = await createTestApp({
    gatewaySettings: { apiOverride: { host: '127.0.0.1', port: emu.port, protocol: 'http' } },
  });
  admin = await completeSetup(t);
}, 60_000);
afterAll(async () => {
  await t.close();
  await emu.stop();
});

async function addOrg(client: { name: string; clientId: string; clientSecret: string }) {
  const res = await admin
    .post('/admin/orgs')
    .type('form')
    .send({
      _csrf: await csrfFrom(admin, '/admin/orgs/new'),
      name: client.name,
      region: 'eu_west_1',
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      color: 'blue',
      requestsPerMinute: '300',
    });
  expect(res.status).toBe(303);
  const org = await t.db.genesysOrg.findUniqueOrThrow({ where: { name: client.name } });
  return { org, location: res.headers.location! };
}
const writes = (clientId: string) =>
  emu.requestLog.filter((e) => e.clientId === clientId && e.path.startsWith('/api/') && e.method !== 'GET');
const statusIn = (page: string, division: string, capability: string) => {
  const section = page.slice(page.indexOf(`data-division="${division}"`));
  return /data-status="([a-z-]+)"/.exec(section.slice(section.indexOf(`data-capability="${capability}"`)))?.[1];
};
const stored = async (orgId: string) =>
  JSON.parse((await t.db.orgReadiness.findUniqueOrThrow({ where: { orgId } })).report) as ReadinessReport;

describe('readiness of an org', () => {
  it('is shown after adding an org: reads only, the divisions seen, the page size that works', async () => {
    const { org, location } = await addOrg(CLIENTS.realistic);
    expect(location).toBe(`/admin/orgs/${org.id}/readiness`);
    const page = (await admin.get(location)).text;
    expect(page).toContain('Division “Home”');
    expect(page).not.toContain('Customer Care'); // the role is granted in Home only: Genesys hides the rest
    expect(statusIn(page, 'Home', 'viewTables')).toBe('ok');
    expect(statusIn(page, 'Home', 'readRows')).toBe('ok');
    for (const c of ['addRows', 'editRows', 'deleteRows', 'createTables', 'changeTables', 'deleteTables'])
      expect(statusIn(page, 'Home', c)).toBe('not-checked');
    // 500 VIP rows exceed the response cap; 200 fit: the same ladder the gateway steps down (page-sizes.ts).
    expect((await stored(org.id)).pageSize).toMatchObject({ status: 'ok', size: 200 });
    expect(page).toContain('200 rows');
    // The size reported is the size the gateway then reads that table with.
    const gateway = (await t.services.orgs.gatewayFor(org.id)) as SdkDataTableGateway;
    const vip = (await gateway.listTables()).find((tb) => tb.name === 'VIP Customers')!;
    await gateway.readAllRows(vip.id);
    expect(gateway.rowPageSize(vip.id)).toBe(200);
    expect(writes(CLIENTS.realistic.clientId)).toEqual([]); // nothing was written without the admin's click
  });

  it('write checks add, change and delete a probe row, and leave nothing behind', async () => {
    const org = await t.db.genesysOrg.findUniqueOrThrow({ where: { name: CLIENTS.realistic.name } });
    const orgState = emu.orgs.find((o) => o.clientId === CLIENTS.realistic.clientId)!;
    const tablesBefore = orgState.tables.size;
    const res = await admin
      .post(`/admin/orgs/${org.id}/readiness`)
      .type('form')
      .send({ _csrf: await csrfFrom(admin, `/admin/orgs/${org.id}/readiness`), writeChecks: '1' });
    expect(res.status).toBe(303);
    const page = (await admin.get(res.headers.location!)).text;
    for (const c of ['addRows', 'editRows', 'deleteRows', 'createTables', 'changeTables'])
      expect(statusIn(page, 'Home', c)).toBe('ok');
    // The realistic role lacks architect:datatable:delete: shown as missing, though the app never needs it.
    expect(statusIn(page, 'Home', 'deleteTables')).toBe('missing');
    expect(page).toContain(
      'the role has this permission in no division. <strong>Nothing to change: this app never needs it.</strong>',
    );
    expect(page).toContain('Readiness checked: nothing missing.');
    const keys = [...orgState.tables.values()].flatMap((tb) => [...tb.rows.keys()]);
    expect(keys.filter((k) => k.startsWith(PROBE_KEY_PREFIX))).toEqual([]);
    expect(orgState.tables.size).toBe(tablesBefore); // the probe's table bodies were refused, none was made
    const audit = await t.db.auditEvent.findFirstOrThrow({
      where: { action: 'org.readiness_checked', orgId: org.id },
      orderBy: { seq: 'desc' },
    });
    expect(JSON.parse(audit.details!)).toMatchObject({ writeChecks: true });
  });

  it('names a missing permission with the division and what to change', async () => {
    const { org } = await addOrg(CLIENTS.noEdit);
    await admin
      .post(`/admin/orgs/${org.id}/readiness`)
      .type('form')
      .send({ _csrf: await csrfFrom(admin, `/admin/orgs/${org.id}/readiness`), writeChecks: '1' });
    const page = (await admin.get(`/admin/orgs/${org.id}/readiness`)).text;
    expect(statusIn(page, 'Home', 'editRows')).toBe('missing');
    expect(statusIn(page, 'Home', 'changeTables')).toBe('missing');
    expect(statusIn(page, 'Home', 'addRows')).toBe('ok');
    expect(statusIn(page, 'Home', 'deleteTables')).toBe('ok'); // granted in Home; tried on a table that does not exist
    expect(page).toContain(
      'give the role of this app&#39;s OAuth client the permission architect:datatableRow:edit (or architect:datatable:edit), and grant that role in the division “Home”',
    );
  });

  it('is offered on the orgs page, and a bad secret is a failed sign-in line', async () => {
    const list = (await admin.get('/admin/orgs')).text;
    expect(list).toContain('Check readiness');
    const org = await t.db.genesysOrg.findUniqueOrThrow({ where: { name: CLIENTS.realistic.name } });
    const report = await t.services.readiness.run(null, org.id, { writeChecks: false });
    expect(report.token.status).toBe('ok');
    emu.orgs.find((o) => o.clientId === CLIENTS.realistic.clientId)!.clientSecret = 'rotated-in-genesys';
    t.services.gateways.drop(org.id);
    const failed = await t.services.readiness.run(null, org.id, { writeChecks: false });
    expect(failed.token.status).toBe('failed');
    expect(failed.token.detail).toMatch(/client id or secret/i);
    expect(failed.divisions).toEqual([]);
  });

  it("rights pages and the table page show a grant the org's role cannot honour", async () => {
    const org = await t.db.genesysOrg.findUniqueOrThrow({ where: { name: CLIENTS.noEdit.name } });
    const flags = (await (await t.services.orgs.gatewayFor(org.id)).listTables()).find(
      (x) => x.name === 'Emergency Flags',
    )!;
    const user = await createUser(t, {
      email: 'edna@example.com',
      displayName: 'Edna',
      password: 'a long enough password',
    });
    await t.db.tablePermission.create({
      data: {
        userId: user.id,
        orgId: org.id,
        tableId: flags.id,
        canView: true,
        canEdit: true,
        canAdd: true,
        defaultColumnAccess: 'write',
      },
    });
    const list = (await admin.get(`/admin/users/${user.id}/permissions?orgId=${org.id}`)).text;
    expect(list).toContain('data-role-gap="canEdit"');
    expect(list).not.toContain('data-role-gap="canAdd"'); // adding rows was checked and works
    expect(list).toContain('architect:datatableRow:edit');
    const rightsPage = (await admin.get(`/admin/users/${user.id}/permissions/${org.id}/${flags.id}`)).text;
    expect(rightsPage).toContain('data-role-gap="canEdit"');
    const { agent } = await signIn(t, user.email, 'a long enough password');
    await agent
      .post('/orgs/current')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account'), orgId: org.id })
      .expect(303);
    const tablePage = (await agent.get(`/tables/${flags.id}`)).text;
    expect(tablePage).toContain('data-role-gap="canEdit"');
    expect(tablePage).toContain(
      'You may “edit rows”, but Genesys Cloud does not let this app edit rows in the division “Home”',
    );
    // A reads-only check leaves editing "not checked": no warning, rather than a guess.
    await t.services.readiness.run(null, org.id, { writeChecks: false });
    expect((await agent.get(`/tables/${flags.id}`)).text).not.toContain('data-role-gap');
  });
});
