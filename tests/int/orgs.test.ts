// Org administration through the app: encrypted write-only secrets, masked client ids, test connection
// reasons, archive/delete rules, the org defined by environment variables, and per-user org switching.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { REGION_HOSTS } from '../../src/genesys/regions.js';
import { databasePath } from '../../src/db/database.js';
import {
  ADMIN,
  completeSetup,
  createTestApp,
  createUser,
  csrfFrom,
  signIn,
  type Agent,
  type TestApp,
} from '../helpers/test-app.js';

const CANARY_SECRET = 'SEC-CANARY-7f3a9c1d2e';
const PLAIN_ORG_NAME = 'Acme PLAIN-CANARY-41b6e0';
let emu: RunningEmulator;
let t: TestApp;
let admin: Agent;

beforeAll(async () => {
  // Every test builds a fresh app, with its own token cache: more logins a minute than Genesys' token throttle
  // allows one client. Throttled logins are tested in tests/int/gateway/strict-genesys.test.ts.
  emu = await startEmulator({
    clients: [{ name: 'Acme Production', clientId: 'acme-prod-client-1234', clientSecret: CANARY_SECRET }],
    seed: 'demo',
    behaviour: { tokenRequestsPerMinute: 0 },
  });
});
afterAll(async () => emu.stop());
beforeEach(async () => {
  t = await createTestApp({
    gatewaySettings: { apiOverride: { host: '127.0.0.1', port: emu.port, protocol: 'http' } },
  });
  admin = await completeSetup(t);
});
afterEach(async () => t.close());

/**
 * Every byte SQLite holds for the database: the main file and its -wal, -shm (and -journal) files. Under WAL a
 * row just written is usually only in app.db-wal, so a scan of app.db alone would miss it.
 */
function databaseFilesBytes(dataDir: string): { files: string[]; bytes: Buffer } {
  const main = path.basename(databasePath(dataDir));
  const files = readdirSync(dataDir).filter((f) => f === main || f.startsWith(`${main}-`));
  return { files, bytes: Buffer.concat(files.map((f) => readFileSync(path.join(dataDir, f)))) };
}

async function addOrg(fields: Record<string, string> = {}) {
  const token = await csrfFrom(admin, '/admin/orgs/new');
  return admin
    .post('/admin/orgs')
    .type('form')
    .send({
      _csrf: token,
      name: 'Acme Prod',
      region: 'eu_west_1',
      clientId: 'acme-prod-client-1234',
      clientSecret: CANARY_SECRET,
      label: 'PROD',
      color: 'red',
      requestsPerMinute: '300',
      ...fields,
    });
}

describe('adding and editing orgs', () => {
  it('saves an org, tests the connection and shows the Genesys org name', async () => {
    const res = await addOrg();
    expect(res.status).toBe(303);
    const edit = await admin.get(res.headers.location!);
    expect(edit.text).toContain('Connected to the Genesys Cloud org “Acme Production”');
    const org = await t.db.genesysOrg.findFirstOrThrow();
    expect(org).toMatchObject({
      name: 'Acme Prod',
      region: 'eu_west_1',
      label: 'PROD',
      color: 'red',
      lastTestOk: true,
      readOnly: false,
    });
  });

  it('stores the secret encrypted (bound to the org), never renders it, masks the client id', async () => {
    await addOrg({ name: PLAIN_ORG_NAME });
    const org = await t.db.genesysOrg.findFirstOrThrow();
    expect(org.clientSecretEnc).toMatch(/^v1:[0-9a-f]{12}:/);
    expect(org.clientSecretEnc).not.toContain(CANARY_SECRET);
    for (const url of ['/admin/orgs', `/admin/orgs/${org.id}/edit`, '/']) {
      const page = await admin.get(url);
      expect(page.text, url).not.toContain(CANARY_SECRET);
      expect(page.text, url).not.toContain('acme-prod-client-1234');
    }
    expect((await admin.get(`/admin/orgs/${org.id}/edit`)).text).toContain('••••1234');
    const { files, bytes } = databaseFilesBytes(t.dataDir);
    expect(files).toEqual(expect.arrayContaining(['app.db', 'app.db-wal']));
    // Positive control: the org's name, written in clear in the same row by the same request, is found by the
    // same scan; so the scan does see that row wherever SQLite put it.
    expect(bytes.includes(Buffer.from(PLAIN_ORG_NAME))).toBe(true);
    expect(bytes.includes(Buffer.from(CANARY_SECRET))).toBe(false);
    expect(t.logs.lines.join('\n')).not.toContain(CANARY_SECRET);
  });

  it('audits org changes with before and after, never the secret', async () => {
    await addOrg();
    const org = await t.db.genesysOrg.findFirstOrThrow();
    const token = await csrfFrom(admin, `/admin/orgs/${org.id}/edit`);
    await admin
      .post(`/admin/orgs/${org.id}`)
      .type('form')
      .send({
        _csrf: token,
        name: 'Acme Production',
        region: 'eu_west_1',
        clientSecret: 'SEC-CANARY-rotated',
        label: 'PROD',
        color: 'red',
      })
      .expect(303);
    // (Adding an org also records its first readiness check, org.readiness_checked: see readiness.test.ts.)
    const events = await t.db.auditEvent.findMany({
      where: { orgId: org.id, action: { startsWith: 'org.', not: 'org.readiness_checked' } },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => e.action)).toEqual(['org.created', 'org.updated']);
    expect(JSON.parse(events[1]!.before!)).toMatchObject({ name: 'Acme Prod', clientIdMasked: '••••1234' });
    expect(JSON.parse(events[1]!.after!)).toMatchObject({ name: 'Acme Production' });
    expect(JSON.parse(events[1]!.details!)).toEqual({ secretChanged: true });
    expect(events[1]!.actorName).toContain('admin@example.com');
    const all = JSON.stringify(events);
    for (const secret of [CANARY_SECRET, 'SEC-CANARY-rotated', 'acme-prod-client-1234', org.clientSecretEnc!])
      expect(all).not.toContain(secret);
  });

  it('records who changed an org with their address and the request that did it, as every audited change is', async () => {
    await addOrg();
    const org = await t.db.genesysOrg.findFirstOrThrow();
    const token = await csrfFrom(admin, `/admin/orgs/${org.id}/edit`);
    const edit = await admin
      .post(`/admin/orgs/${org.id}`)
      .type('form')
      .send({ _csrf: token, name: 'Acme Renamed', region: 'eu_west_1', label: 'PROD', color: 'red' })
      .expect(303);
    const archive = await admin.post(`/admin/orgs/${org.id}/archive`).type('form').send({ _csrf: token });
    const entries = await t.db.auditEvent.findMany({
      where: { orgId: org.id, action: { in: ['org.updated', 'org.archived'] } },
      orderBy: { seq: 'asc' },
    });
    expect(entries.map((e) => e.action)).toEqual(['org.updated', 'org.archived']);
    for (const [entry, res] of [
      [entries[0]!, edit],
      [entries[1]!, archive],
    ] as const) {
      // (supertest connects over loopback: the address is 127.0.0.1, IPv4 or IPv4-mapped.)
      expect(entry).toMatchObject({
        actorName: expect.stringContaining('admin@example.com'),
        ip: expect.stringMatching(/127\.0\.0\.1$/),
        requestId: res.headers['x-request-id'],
      });
      expect(entry.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('a blank secret (and client id) on edit means unchanged; a new secret replaces the ciphertext', async () => {
    await addOrg();
    const before = await t.db.genesysOrg.findFirstOrThrow();
    const token = await csrfFrom(admin, `/admin/orgs/${before.id}/edit`);
    await admin
      .post(`/admin/orgs/${before.id}`)
      .type('form')
      .send({
        _csrf: token,
        name: 'Acme Production',
        region: 'eu_west_1',
        clientId: '',
        clientSecret: '',
        label: 'PROD',
        color: 'red',
        requestsPerMinute: '200',
        readOnly: 'on',
      })
      .expect(303);
    const after = await t.db.genesysOrg.findFirstOrThrow();
    expect(after).toMatchObject({
      name: 'Acme Production',
      clientId: before.clientId,
      clientSecretEnc: before.clientSecretEnc,
      requestsPerMinute: 200,
      readOnly: true,
    });
    await admin
      .post(`/admin/orgs/${before.id}`)
      .type('form')
      .send({
        _csrf: token,
        name: 'Acme Production',
        region: 'eu_west_1',
        clientSecret: 'another-secret',
        label: 'PROD',
        color: 'red',
      })
      .expect(303);
    expect((await t.db.genesysOrg.findFirstOrThrow()).clientSecretEnc).not.toBe(before.clientSecretEnc);
  });

  it('a ciphertext copied onto another org does not decrypt', async () => {
    await addOrg();
    await addOrg({ name: 'Acme Dev', clientSecret: 'dev-secret', clientId: 'dev-client-9999', label: 'DEV' });
    const [prod, dev] = await t.db.genesysOrg.findMany({ orderBy: { name: 'desc' } });
    await t.db.genesysOrg.update({ where: { id: dev!.id }, data: { clientSecretEnc: prod!.clientSecretEnc } });
    const token = await csrfFrom(admin, '/admin/orgs');
    await expect(admin.post(`/admin/orgs/${dev!.id}/test`).type('form').send({ _csrf: token })).resolves.toMatchObject({
      status: 500,
    });
  });

  it('explains every invalid field; the region must come from the SDK list (no free-text hosts)', async () => {
    for (const region of ['127.0.0.1', 'http://evil.example', 'api.mypurecloud.com', 'us_east_1 ']) {
      const res = await addOrg({ region, name: `R ${region}` });
      expect(res.status, region).toBe(400);
      expect(res.text).toContain('Choose one of the listed Genesys Cloud regions.');
    }
    const res = await addOrg({
      name: '',
      clientId: '',
      clientSecret: '',
      label: '<script>',
      color: 'pink',
      requestsPerMinute: 'lots',
    });
    expect(res.status).toBe(400);
    for (const msg of [
      'Name is required.',
      'Client id is required.',
      'Client secret is required.',
      'The badge may contain',
      'Choose one of the listed colours.',
      'Requests per minute must be',
    ]) {
      expect(res.text).toContain(msg);
    }
    expect(await t.db.genesysOrg.count()).toBe(0);
    const page = await admin.get('/admin/orgs/new');
    for (const host of Object.values(REGION_HOSTS)) expect(page.text).toContain(host);
  });

  it('reports each failure reason on test connection', async () => {
    await addOrg({ clientSecret: 'wrong-secret' });
    const org = await t.db.genesysOrg.findFirstOrThrow();
    expect(org.lastTestOk).toBe(false);
    expect(org.lastTestMessage).toMatch(/bad credentials/);
    emu.faults.set([{ path: '/api/v2/flows/datatables', action: { type: 'status', status: 403 } }]);
    const token = await csrfFrom(admin, `/admin/orgs/${org.id}/edit`);
    await admin.post(`/admin/orgs/${org.id}`).type('form').send({
      _csrf: token,
      name: 'Acme Prod',
      region: 'eu_west_1',
      clientSecret: CANARY_SECRET,
      label: 'PROD',
      color: 'red',
    });
    await admin.post(`/admin/orgs/${org.id}/test`).type('form').send({ _csrf: token });
    emu.faults.clear();
    expect((await t.db.genesysOrg.findFirstOrThrow()).lastTestMessage).toMatch(
      /lacks architect:datatable:view; add it to the client's role/,
    );
  });

  it('users cannot see or change org settings', async () => {
    await addOrg();
    const org = await t.db.genesysOrg.findFirstOrThrow();
    await createUser(t, { email: 'u@example.com', displayName: 'U', password: 'user has long password' });
    const { agent } = await signIn(t, 'u@example.com', 'user has long password');
    expect((await agent.get('/admin/orgs')).status).toBe(403);
    const token = await csrfFrom(agent, '/');
    expect((await agent.post(`/admin/orgs/${org.id}`).type('form').send({ _csrf: token, name: 'Hacked' })).status).toBe(
      403,
    );
    expect((await agent.post(`/admin/orgs/${org.id}/delete`).type('form').send({ _csrf: token })).status).toBe(403);
    expect((await t.db.genesysOrg.findFirstOrThrow()).name).toBe('Acme Prod');
  });
});

describe('archive and delete', () => {
  it('archives (hidden from the switcher) and restores; deletes when nothing refers to the org', async () => {
    await addOrg();
    const org = await t.db.genesysOrg.findFirstOrThrow();
    const token = await csrfFrom(admin, '/admin/orgs');
    await admin.post(`/admin/orgs/${org.id}/archive`).type('form').send({ _csrf: token }).expect(303);
    expect((await admin.get('/')).text).not.toContain('id="org-switch"');
    await admin.post(`/admin/orgs/${org.id}/unarchive`).type('form').send({ _csrf: token }).expect(303);
    expect((await admin.get('/')).text).toContain('id="org-switch"');
    await admin.post(`/admin/orgs/${org.id}/delete`).type('form').send({ _csrf: token }).expect(303);
    expect(await t.db.genesysOrg.count()).toBe(0);
  });

  it('refuses to delete an org that other records refer to, and suggests archiving', async () => {
    await addOrg();
    const org = await t.db.genesysOrg.findFirstOrThrow();
    t.services.orgs.referenceChecks.push(async (id) => (id === org.id ? '3 permission grants refer to it' : null));
    const token = await csrfFrom(admin, '/admin/orgs');
    const res = await admin.post(`/admin/orgs/${org.id}/delete`).type('form').send({ _csrf: token });
    expect(res.status).toBe(409);
    expect(res.text).toContain('cannot be deleted: 3 permission grants refer to it');
    expect(res.text).toContain('Archive it instead');
    expect(await t.db.genesysOrg.count()).toBe(1);
  });
});

describe('org switcher', () => {
  it('is per user (kept in the session), takes effect immediately, and never changes other users', async () => {
    await addOrg({ name: 'Acme Prod', label: 'PROD' });
    await addOrg({ name: 'Acme Dev', label: 'DEV', clientId: 'dev-client-9999' });
    const [dev, prod] = await t.db.genesysOrg.findMany({ orderBy: { name: 'asc' } });
    const u = await createUser(t, { email: 'u@example.com', displayName: 'U', password: 'user has long password' });
    // A user sees (and may switch to) only orgs where they may view a table (issue 16): one in each.
    for (const org of [dev!, prod!])
      await t.db.tablePermission.create({ data: { userId: u.id, orgId: org.id, tableId: 'a-table', canView: true } });
    const { agent: user } = await signIn(t, 'u@example.com', 'user has long password');
    const current = async (a: Agent) => /<option value="([^"]+)" selected>/.exec((await a.get('/')).text)?.[1];
    expect(await current(user)).toBe(dev!.id); // no choice yet: the first active org
    const switchTo = async (a: Agent, orgId: string) =>
      a
        .post('/orgs/current')
        .type('form')
        .send({ _csrf: await csrfFrom(a, '/'), orgId, returnTo: '/' });
    expect((await switchTo(admin, dev!.id)).status).toBe(303);
    expect((await switchTo(user, prod!.id)).status).toBe(303);
    expect(await current(admin)).toBe(dev!.id);
    expect(await current(user)).toBe(prod!.id);
    expect((await switchTo(admin, prod!.id)).status).toBe(303);
    expect(await current(admin)).toBe(prod!.id);
    expect(await current(user)).toBe(prod!.id);
    expect((await switchTo(user, dev!.id)).status).toBe(303);
    expect(await current(admin)).toBe(prod!.id); // the user's switch did not move the admin
    expect((await switchTo(admin, 'nope')).status).toBe(404);
  });
});

describe('org defined by environment variables', () => {
  it('shows as managed by the environment and cannot be edited in the UI', async () => {
    const envApp = await createTestApp({
      env: {
        GENESYS_CLIENT_ID: 'acme-prod-client-1234',
        GENESYS_CLIENT_SECRET: CANARY_SECRET,
        GENESYS_REGION: 'us_east_1',
        GENESYS_ORG_NAME: 'Headless Prod',
      },
      gatewaySettings: { apiOverride: { host: '127.0.0.1', port: emu.port, protocol: 'http' } },
    });
    try {
      await envApp.services.orgs.syncEnvOrg();
      await envApp.services.orgs.syncEnvOrg(); // idempotent
      const agent = await completeSetup(envApp);
      const org = await envApp.db.genesysOrg.findFirstOrThrow();
      expect(org).toMatchObject({ name: 'Headless Prod', managedBy: 'env', clientSecretEnc: null });
      const list = await agent.get('/admin/orgs');
      expect(list.text).toContain('Managed by environment');
      expect(list.text).not.toContain(CANARY_SECRET);
      expect((await agent.get(`/admin/orgs/${org.id}/edit`)).status).toBe(404);
      const token = await csrfFrom(agent, '/admin/orgs');
      expect(
        (
          await agent
            .post(`/admin/orgs/${org.id}`)
            .type('form')
            .send({ _csrf: token, name: 'Renamed', region: 'us_east_1', clientId: 'x', clientSecret: 'y' })
        ).status,
      ).toBe(403);
      expect((await envApp.services.orgs.test(org.id)).ok).toBe(true);
    } finally {
      await envApp.close();
    }
  });

  it('config refuses a partial GENESYS_* set, naming what is missing', async () => {
    await expect(createTestApp({ env: { GENESYS_CLIENT_ID: 'x' } })).rejects.toThrow(
      /GENESYS_CLIENT_SECRET: is required/,
    );
  });
});

it('admin email stays the fixture one', () => expect(ADMIN.email).toBe('admin@example.com'));
