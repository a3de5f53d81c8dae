// The setup wizard's Genesys step (sandbox org, or a real org with a connection test) and the sandbox org's
// life: demo data, persistence in DATA_DIR across restarts, reset by an admin.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { ADMIN, createTestApp, csrfFrom, type Agent, type TestApp } from '../helpers/test-app.js';

let emu: RunningEmulator;
let t: TestApp;
beforeAll(async () => {
  emu = await startEmulator({ clients: [{ name: 'Real Org', clientId: 'real-client', clientSecret: 'real-secret' }] });
});
afterAll(async () => emu.stop());
beforeEach(async () => {
  t = await createTestApp({
    gatewaySettings: { apiOverride: { host: '127.0.0.1', port: emu.port, protocol: 'http' } },
  });
});
afterEach(async () => t.close());

async function createAdmin(): Promise<Agent> {
  const agent = t.agent();
  const token = await csrfFrom(agent, '/setup');
  await agent
    .post('/setup')
    .type('form')
    .send({ _csrf: token, ...ADMIN, passwordConfirm: ADMIN.password })
    .expect(303);
  return agent;
}

describe('setup wizard: Genesys step', () => {
  it('offers the sandbox org, which is ready with demo tables and selected for the admin', async () => {
    const agent = await createAdmin();
    const page = await agent.get('/setup/connect');
    expect(page.text).toContain('Use the sandbox org');
    expect(page.text).toContain('Connect a Genesys Cloud org');
    const res = await agent
      .post('/setup/connect/sandbox')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/setup/connect') });
    expect(res.headers.location).toBe('/');
    const org = await t.db.genesysOrg.findFirstOrThrow();
    expect(org).toMatchObject({ isSandbox: true, region: 'sandbox', label: 'SANDBOX' });
    const home = await agent.get('/');
    expect(home.text).toContain('The sandbox org is ready with demo tables');
    // The switcher names it once (issue 16: it read "Sandbox (Sandbox)"); the badge says SANDBOX.
    expect(home.text).toContain('>SANDBOX</span>');
    expect(home.text).not.toContain('Sandbox (Sandbox)');
    expect((await agent.get('/setup/connect')).status).toBe(404);
    const tables = await (await t.services.orgs.gatewayFor(org.id)).listTables();
    expect(tables.map((x) => x.name)).toContain('VIP Customers');
  });

  it('connects a real org when the connection test passes', async () => {
    const agent = await createAdmin();
    const res = await agent
      .post('/setup/connect/org')
      .type('form')
      .send({
        _csrf: await csrfFrom(agent, '/setup/connect'),
        name: 'Prod',
        region: 'us_east_1',
        clientId: 'real-client',
        clientSecret: 'real-secret',
        label: 'PROD',
        color: 'red',
        requestsPerMinute: '300',
      });
    expect(res.status).toBe(303);
    expect((await agent.get('/')).text).toContain('Connected to the Genesys Cloud org “Real Org”');
  });

  it("shows the new org's readiness (reads only), as adding an org later does", async () => {
    const agent = await createAdmin();
    const res = await agent
      .post('/setup/connect/org')
      .type('form')
      .send({
        _csrf: await csrfFrom(agent, '/setup/connect'),
        name: 'Prod',
        region: 'us_east_1',
        clientId: 'real-client',
        clientSecret: 'real-secret',
        label: 'PROD',
        color: 'red',
        requestsPerMinute: '300',
      });
    const org = await t.db.genesysOrg.findFirstOrThrow();
    expect(res.headers.location).toBe(`/admin/orgs/${org.id}/readiness`);
    const page = (await agent.get(res.headers.location!)).text;
    expect(page).toContain('Setup is complete. Connected to the Genesys Cloud org “Real Org”');
    expect(page).toContain('Readiness of Prod');
    expect(page).toContain('The client sees 0 table(s)'); // this emulator org has no tables
    expect(page).toContain('reads only');
  });

  it('keeps the step open and explains a failed test; bad input is explained field by field', async () => {
    const agent = await createAdmin();
    const token = await csrfFrom(agent, '/setup/connect');
    const bad = await agent
      .post('/setup/connect/org')
      .type('form')
      .send({ _csrf: token, name: '', region: 'nowhere', clientId: '', clientSecret: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Name is required.');
    expect(bad.text).toContain('Choose one of the listed Genesys Cloud regions.');
    const failed = await agent.post('/setup/connect/org').type('form').send({
      _csrf: token,
      name: 'Prod',
      region: 'us_east_1',
      clientId: 'real-client',
      clientSecret: 'typo',
      label: 'PROD',
      color: 'red',
    });
    expect(failed.status).toBe(200);
    expect(failed.text).toContain('the connection test failed');
    expect(failed.text).toContain('bad credentials');
    expect(failed.text).not.toContain('typo');
    expect((await agent.get('/setup/connect')).status).toBe(200);
  });
});

describe('sandbox org', () => {
  it('persists changes in DATA_DIR across a restart, and an admin can reset it to the demo data', async () => {
    const agent = await createAdmin();
    await agent
      .post('/setup/connect/sandbox')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/setup/connect') })
      .expect(303);
    const org = await t.db.genesysOrg.findFirstOrThrow();
    const gateway = await t.services.orgs.gatewayFor(org.id);
    const flags = (await gateway.listTables()).find((x) => x.name === 'Emergency Flags')!.id;
    await gateway.updateRow(flags, 'Main Line', {
      key: 'Main Line',
      Active: true,
      Message: 'Storm warning',
      Priority: 1,
      ActivatedBy: 'ada',
    });
    await t.services.sandbox.stop(); // as at shutdown
    expect(existsSync(path.join(t.dataDir, 'sandbox', 'emulator.json'))).toBe(true);
    const again = await t.services.orgs.gatewayFor(org.id); // the emulator restarts on a new port
    expect(await again.getRow(flags, 'Main Line')).toMatchObject({ Active: true, Message: 'Storm warning' });

    const token = await csrfFrom(agent, '/admin/orgs');
    const res = await agent.post(`/admin/orgs/${org.id}/reset-sandbox`).type('form').send({ _csrf: token });
    expect(res.status).toBe(303);
    const fresh = await t.services.orgs.gatewayFor(org.id);
    const newFlags = (await fresh.listTables()).find((x) => x.name === 'Emergency Flags')!.id;
    expect(await fresh.getRow(newFlags, 'Main Line')).toMatchObject({ Active: false });
  });

  it('can be added later from the orgs page (once)', async () => {
    const agent = await createAdmin();
    await agent
      .post('/setup/connect')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/setup/connect') })
      .expect(303);
    const page = await agent.get('/admin/orgs');
    expect(page.text).toContain('Add the sandbox org');
    await agent
      .post('/admin/orgs/sandbox')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/admin/orgs') })
      .expect(303);
    await agent
      .post('/admin/orgs/sandbox')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/admin/orgs') })
      .expect(303);
    expect(await t.db.genesysOrg.count({ where: { isSandbox: true } })).toBe(1);
    const list = await agent.get('/admin/orgs');
    expect(list.text).toContain('Sandbox');
    expect(list.text).toContain('Reset demo data');
    expect(list.text).not.toContain('Add the sandbox org');
  });
});
