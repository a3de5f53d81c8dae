// Restores as stored, resumable jobs: a large plan through one Genesys CSV import job with per-row audit
// entries; a restore stopped because Genesys was unreachable, resumed without repeating a row; tables
// created from the backup's schema in another org; the table and rights choices of the plan.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { touchRows } from '../../src/emulator/store.js';
import type { Row } from '../../src/genesys/gateway.js';
import type { SdkDataTableGateway } from '../../src/genesys/sdk-gateway.js';
import { IMPORT_MIN_ROWS } from '../../src/features/changes/write-method.js';
import { profileEmulatorOptions } from '../helpers/emulator-profile.js';
import { ADMIN, ADMIN_ACTOR, actorOfUser, csrfFrom } from '../helpers/test-app.js';
import {
  backupOfTables,
  permissionWorld,
  restoreJobPage,
  sandboxApi,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
/** Set while a second emulator stands in for another Genesys org. */
let otherOrg: { host: string; port: number; protocol: 'http' } | undefined;
const sandbox = () => w.t.services.sandbox.running!;
const table = (name: string) => sandboxTable(w, name);
const api = () => sandboxApi(w);
const backupOf = (names: string[]) => backupOfTables(w, names);

async function restore(backupId: string, form: Record<string, string | string[]> = {}) {
  const res = await w.admin
    .post(`/backups/${backupId}/restore`)
    .type('form')
    .send({ _csrf: await csrfFrom(w.admin, '/account'), ...form });
  expect(res.status).toBe(303);
  return res.headers.location!;
}

const settled = (url: string) => restoreJobPage(w.admin, url);

beforeEach(async () => {
  w = await permissionWorld({ gatewaySettings: otherOrg ? { apiOverride: otherOrg } : {} });
});
afterEach(async () => w.t.close());

describe('a large restore', () => {
  it('goes through one CSV import job when that takes fewer calls, with one audit entry per row', async () => {
    const vip = table('VIP Customers');
    const backupId = await backupOf(['VIP Customers']);
    const keys = [...vip.rows.keys()].slice(0, 300);
    for (const key of keys) vip.rows.set(key, { ...vip.rows.get(key)!, CustomerName: 'Changed after the backup' });
    const removed = [...vip.rows.keys()].slice(1000, 1005);
    const removedRows = removed.map((k) => vip.rows.get(k)!);
    for (const key of removed) vip.rows.delete(key);
    touchRows(vip);

    const preview = await w.admin.get(`/backups/${backupId}/restore`);
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(
      /VIP Customers<\/th><td class="type-integer">5<\/td><td class="type-integer">300<\/td><td class="type-integer">0<\/td><td class="type-integer">1695<\/td>\s*<td>one CSV import job \(about 11 calls\)/,
    );

    const callsBefore = api().length;
    const page = await settled(await restore(backupId));
    expect(page).toContain('Restore finished');
    expect(page).toContain('305</span> of 305 change(s)');
    const calls = api().slice(callsBefore);
    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/import/csv/jobs'))).toHaveLength(1);
    expect(calls.filter((c) => c.method === 'PUT' || (c.method === 'POST' && c.path.endsWith('/rows')))).toHaveLength(
      0,
    ); // no single-row writes
    for (const key of keys) expect(vip.rows.get(key)!.CustomerName).not.toBe('Changed after the backup');
    for (const row of removedRows) expect(vip.rows.get(String(row.key))).toEqual(row);
    expect(vip.rows.size).toBe(2000);

    const batchId = /href="\/audit\/batch\/([\w-]+)"/.exec(page)![1]!;
    const applied = await w.t.db.auditEvent.findMany({ where: { batchId, outcome: 'applied' } });
    expect(applied).toHaveLength(305);
    expect(new Set(applied.map((e) => e.rowKey))).toEqual(new Set([...keys, ...removed]));
    const intent = await w.t.db.auditEvent.findFirstOrThrow({ where: { batchId, outcome: 'intent', rowKey: keys[0] } });
    expect(JSON.parse(intent.before!).CustomerName).toBe('Changed after the backup');
    expect(JSON.parse(intent.after!).CustomerName).not.toBe('Changed after the backup');
    expect(JSON.parse(intent.details!)).toMatchObject({ changed: ['CustomerName'], via: 'csv-import' });
    expect(await w.t.services.reconciler.run()).toBe(0); // nothing left open
  });

  it('writes few differences one row at a time and reports a row Genesys refuses, writing the rest', async () => {
    const flags = table('Emergency Flags');
    const backupId = await backupOf(['Emergency Flags']);
    for (const key of flags.rows.keys()) flags.rows.set(key, { ...flags.rows.get(key)!, Message: 'Changed' });
    const first = [...flags.rows.keys()].sort()[0]!;
    sandbox().faults.set([
      { method: 'PUT', path: `/api/v2/flows/datatables/*/rows/${first}`, action: { type: 'status', status: 400 } },
    ]);
    const page = await settled(await restore(backupId));
    expect(page).toContain('Restore finished');
    expect(page).toMatch(/, 1 failed/);
    expect([...flags.rows.values()].filter((r) => r.Message === 'Changed').map((r) => r.key)).toEqual([first]);
  });
});

describe('a restore stopped because Genesys Cloud was unreachable', () => {
  it('says where it stopped and resumes from there without writing a row twice', async () => {
    const flags = table('Emergency Flags');
    const backupId = await backupOf(['Emergency Flags']);
    for (const key of flags.rows.keys()) flags.rows.set(key, { ...flags.rows.get(key)!, Message: 'Changed' });
    const keys = [...flags.rows.keys()];
    // The second row write fails every retry: the gateway gives up and the job stops (resumable).
    sandbox().faults.set([
      {
        method: 'PUT',
        path: '/api/v2/flows/datatables/*/rows/**',
        nth: 2,
        times: 3,
        action: { type: 'status', status: 503 },
      },
    ]);
    const url = await restore(backupId);
    const stopped = await settled(url);
    expect(stopped).toContain('Restore stopped');
    expect(stopped).toContain(`stopped after 1 of ${keys.length} change(s)`);
    expect(stopped).toContain('Resume the restore');
    // The Backups page leads back to it after the user has left the page.
    expect((await w.admin.get('/backups')).text).toMatch(
      new RegExp(`href="${url}">[^<]+</a>: stopped, 1 of ${keys.length} change\\(s\\)`),
    );
    sandbox().faults.clear();
    const resumed = await w.admin
      .post(`${url}/resume`)
      .type('form')
      .send({ _csrf: await csrfFrom(w.admin, url) });
    expect(resumed.status).toBe(303);
    expect(await settled(url)).toContain('Restore finished');
    for (const row of flags.rows.values()) expect(row.Message).not.toBe('Changed');
    // One successful PUT per row: the row written before the stop was not written again.
    const puts = sandbox().requestLog.filter(
      (e) => e.method === 'PUT' && e.status === 200 && e.path.includes('/rows/'),
    );
    expect(puts.map((e) => decodeURIComponent(e.path.split('/rows/')[1]!)).sort()).toEqual([...keys].sort());
    // A finished restore cannot be resumed again.
    expect(
      (
        await w.admin
          .post(`${url}/resume`)
          .type('form')
          .send({ _csrf: await csrfFrom(w.admin, url) })
      ).status,
    ).toBe(409);
  });

  it('is only shown to, and resumed by, the person who started it or an admin', async () => {
    const backupId = await backupOf(['Emergency Flags']);
    const url = await restore(backupId);
    await settled(url);
    const other = w.users.tableEditor.agent;
    expect((await other.get(url)).status).toBe(404);
    expect(
      (
        await other
          .post(`${url}/resume`)
          .type('form')
          .send({ _csrf: await csrfFrom(other, '/account') })
      ).status,
    ).toBe(404);
    expect((await other.get('/backups')).text).not.toContain(url);
    expect((await w.admin.get('/backups')).text).toContain(url);
  });
});

describe('choosing what to restore', () => {
  it('restores only the chosen tables of the backup', async () => {
    const flags = table('Emergency Flags');
    const hours = table('Opening Hours');
    const backupId = await backupOf(['Emergency Flags', 'Opening Hours']);
    for (const key of flags.rows.keys()) flags.rows.set(key, { ...flags.rows.get(key)!, Message: 'Changed' });
    const hoursKey = [...hours.rows.keys()][0]!;
    hours.rows.set(hoursKey, { ...hours.rows.get(hoursKey)!, Open: '11:11' });
    const preview = await w.admin.get(`/backups/${backupId}/restore?only=${encodeURIComponent('Opening Hours')}`);
    expect(preview.text).toContain('Opening Hours</th>');
    expect(preview.text).not.toContain('Emergency Flags</th>');
    expect(await settled(await restore(backupId, { only: 'Opening Hours' }))).toContain('Restore finished');
    expect(hours.rows.get(hoursKey)!.Open).not.toBe('11:11');
    expect([...flags.rows.values()].every((r) => r.Message === 'Changed')).toBe(true);
  });

  it('tells a user a missing table needs an administrator, and never creates it for them', async () => {
    const backupId = await backupOf(['Emergency Flags']);
    const flags = table('Emergency Flags');
    sandbox().orgs[0]!.tables.delete(flags.id);
    w.t.services.tables.invalidate(w.orgId);
    const preview = await w.admin.get(`/backups/${backupId}/restore`);
    expect(preview.status).toBe(400);
    expect(preview.text).toContain('Tick “Create missing tables” to create it');
    const writes = w.writes();
    expect(
      (
        await w.admin
          .post(`/backups/${backupId}/restore`)
          .type('form')
          .send({ _csrf: await csrfFrom(w.admin, '/account') })
      ).status,
    ).toBe(400);
    expect(w.writes()).toBe(writes);
  });
});

describe('restoring into another org', () => {
  let target: RunningEmulator;
  beforeAll(async () => {
    target = await startEmulator({
      ...profileEmulatorOptions(),
      clients: [{ name: 'Acme Test', clientId: 'acme-test-client', clientSecret: 'acme-test-secret' }],
    });
    otherOrg = { host: '127.0.0.1', port: target.port, protocol: 'http' };
  });
  afterAll(async () => {
    otherOrg = undefined;
    await target.stop();
  });

  it('creates missing tables from the backup schema (admin, when asked), then fills them', async () => {
    const backupId = await backupOf(['Emergency Flags', 'Opening Hours']);
    const source = { flags: table('Emergency Flags'), hours: table('Opening Hours') };
    const add = await w.admin
      .post('/admin/orgs')
      .type('form')
      .send({
        _csrf: await csrfFrom(w.admin, '/admin/orgs/new'),
        name: 'Acme Test',
        region: 'eu_west_1',
        clientId: 'acme-test-client',
        clientSecret: 'acme-test-secret',
        label: 'TEST',
        color: 'green',
        requestsPerMinute: '300',
      });
    expect(add.status).toBe(303);
    const testOrg = await w.t.db.genesysOrg.findFirstOrThrow({ where: { name: 'Acme Test' } });
    // The target org is chosen on the restore page (the current org stays the sandbox).
    expect((await w.admin.get(`/backups/${backupId}/restore?target=no-such-org`)).status).toBe(404);
    const refused = await w.admin.get(`/backups/${backupId}/restore?target=${testOrg.id}`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(
      'There is no table named “Emergency Flags” in Acme Test. Tick “Create missing tables”',
    );
    const preview = await w.admin.get(`/backups/${backupId}/restore?create=1&target=${testOrg.id}`);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Emergency Flags (new table)');
    expect(preview.text).toContain('Create the table, then one call per row');

    const page = await settled(await restore(backupId, { create: '1', target: testOrg.id }));
    expect(page).toContain('Restore finished');
    const created = [...target.orgs[0]!.tables.values()];
    expect(created.map((t) => t.name).sort()).toEqual(['Emergency Flags', 'Opening Hours']);
    for (const [name, src] of [
      ['Emergency Flags', source.flags],
      ['Opening Hours', source.hours],
    ] as const) {
      const made = created.find((t) => t.name === name)!;
      expect(Object.keys(made.schema.properties).sort()).toEqual(Object.keys(src.schema.properties).sort());
      expect(Object.fromEntries(made.rows)).toEqual(Object.fromEntries(src.rows));
    }
    expect(await w.t.db.auditEvent.count({ where: { action: 'table.created', orgId: testOrg.id } })).toBe(2);
    // Nothing existed before, so there was nothing to back up first.
    expect(await w.t.db.backup.count({ where: { kind: 'pre-restore' } })).toBe(0);
    // Restoring again changes nothing.
    const again = await w.admin.get(`/backups/${backupId}/restore?target=${testOrg.id}`);
    expect(again.text).toMatch(
      /Emergency Flags<\/th><td class="type-integer">0<\/td><td class="type-integer">0<\/td><td class="type-integer">0<\/td>/,
    );
  });
});

describe('a CSV import stopped midway', () => {
  it('is settled from one read of the table, not one read per row', async () => {
    const vip = table('VIP Customers');
    const rows = [...vip.rows.values()].slice(0, 40);
    const batchId = 'import-batch';
    // 40 row intents as an import records them; the first 25 reached Genesys, the other 15 did not.
    const wanted = rows.map((r, i) => ({ before: { ...r, Tier: 'Old' } as Row, after: r, applied: i < 25 }));
    for (const x of wanted.filter((y) => !y.applied)) vip.rows.set(String(x.after.key), x.before);
    touchRows(vip);
    await w.t.services.audit.recordMany(
      wanted.map((x, i) => ({
        action: 'row.updated',
        orgId: w.orgId,
        tableId: vip.id,
        rowKey: String(x.after.key),
        changeId: `change-${i}`,
        batchId,
        outcome: 'intent',
        before: x.before,
        after: x.after,
      })),
      null,
    );
    // One read of the table at the page size that works for it: 500 rows a page, or 200 where a 500-row page of
    // this wide table is over Genesys' response cap (the realistic emulator); a first read finds that out.
    const gateway = (await w.t.services.orgs.gatewayFor(w.orgId)) as SdkDataTableGateway;
    await gateway.readAllRows(vip.id);
    const callsBefore = api().length;
    expect(await w.t.services.reconciler.settleBatch(batchId)).toBe(40);
    const calls = api().slice(callsBefore);
    expect(calls.filter((c) => c.path.includes('/rows/'))).toHaveLength(0);
    expect(calls.filter((c) => c.path.endsWith('/rows')).length).toBeLessThanOrEqual(
      2000 / gateway.rowPageSize(vip.id),
    ); // 2,000 rows in pages
    const outcomes = await w.t.db.auditEvent.findMany({
      where: { batchId, NOT: { outcome: 'intent' } },
      orderBy: { seq: 'asc' },
    });
    expect(outcomes.filter((e) => e.outcome === 'reconciled-applied')).toHaveLength(25);
    expect(outcomes.filter((e) => e.outcome === 'reconciled-not-applied')).toHaveLength(15);
    expect(await w.t.services.reconciler.settleBatch(batchId)).toBe(0); // settled once only
  });

  it('finds an open change behind any number of settled ones', async () => {
    const flags = table('Emergency Flags');
    const row = flags.rows.get('Main Line')!;
    const settledChange = (i: number) => ({
      action: 'row.updated' as const,
      orgId: w.orgId,
      tableId: flags.id,
      rowKey: 'Main Line',
      changeId: `settled-${i}`,
      batchId: null,
    });
    await w.t.services.audit.recordMany(
      Array.from({ length: 600 }, (_, i) => [
        {
          ...settledChange(i),
          outcome: 'intent',
          before: { ...row, Message: `m${i}` },
          after: { ...row, Message: `m${i + 1}` },
        },
        { ...settledChange(i), outcome: 'applied' },
      ]).flat(),
      null,
    );
    await w.t.services.audit.record(
      {
        action: 'row.updated',
        orgId: w.orgId,
        tableId: flags.id,
        rowKey: 'Main Line',
        changeId: 'open-one',
        outcome: 'intent',
        before: { ...row, Message: 'before' },
        after: row,
      },
      null,
    );
    w.t.clock.advance(3_600_000); // past the grace period
    expect(await w.t.services.reconciler.run()).toBe(1);
    expect(
      await w.t.db.auditEvent.findFirst({ where: { changeId: 'open-one', outcome: 'reconciled-applied' } }),
    ).not.toBeNull();
  });
});

describe('the rights a restore needs', () => {
  async function backupAs(userId: number, names: string[]): Promise<string> {
    const org = await w.t.services.orgs.get(w.orgId);
    return w.t.services.backups.backupNow(
      await actorOfUser(w.t, userId),
      org,
      names.map((n) => table(n).id),
      'manual',
    );
  }

  it('are checked per table and per column; a partial backup leaves hidden columns as they are', async () => {
    const editor = w.users.columnEditor; // may write Message only; Priority read; ActivatedBy hidden; no add
    const flags = table('Emergency Flags');
    const backupId = await backupAs(editor.id, ['Emergency Flags']);
    const main = flags.rows.get('Main Line')!;
    const billing = flags.rows.get('Billing Queue')!;
    flags.rows.set('Main Line', { ...main, Message: 'Changed', Priority: 9, ActivatedBy: 'hidden canary' });
    flags.rows.delete('Billing Queue');
    touchRows(flags);
    w.t.services.tables.invalidate(w.orgId);
    const refused = await editor.agent.get(`/backups/${backupId}/restore`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Restoring needs the add right on this table.');
    expect(refused.text).toContain('Restoring changes “Priority”, which you may not write.');
    const writes = w.writes();
    expect(
      (
        await editor.agent
          .post(`/backups/${backupId}/restore`)
          .type('form')
          .send({ _csrf: await csrfFrom(editor.agent, '/account') })
      ).status,
    ).toBe(400);
    expect(w.writes()).toBe(writes);

    // Only what the editor may write differs now: the restore goes through and leaves the hidden column.
    flags.rows.set('Main Line', { ...main, Message: 'Changed', ActivatedBy: 'hidden canary' });
    flags.rows.set('Billing Queue', billing);
    touchRows(flags);
    const started = await editor.agent
      .post(`/backups/${backupId}/restore`)
      .type('form')
      .send({ _csrf: await csrfFrom(editor.agent, '/account') });
    expect(started.status).toBe(303);
    expect(await restoreJobPage(editor.agent, started.headers.location!)).toContain('Restore finished');
    expect(flags.rows.get('Main Line')).toEqual({ ...main, ActivatedBy: 'hidden canary' });
  });

  it('are refused in a read-only org, even for admins', async () => {
    const flags = table('Emergency Flags');
    const backupId = await backupOf(['Emergency Flags']);
    flags.rows.set('Main Line', { ...flags.rows.get('Main Line')!, Message: 'Changed' });
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: true } });
    const preview = await w.admin.get(`/backups/${backupId}/restore`);
    expect(preview.status).toBe(400);
    expect(preview.text).toMatch(/read-only/);
    expect(preview.text).not.toContain('>Restore</button>');
  });
});

describe('what Genesys refuses during a restore', () => {
  it('names each row a CSV import did not take, records it as failed, and keeps the rows it did take', async () => {
    const hours = table('Opening Hours');
    const backupId = await backupOf(['Opening Hours']);
    const original = new Map(hours.rows);
    for (const [key, row] of original) hours.rows.set(key, { ...row, Close: 'x' });
    // Genesys now refuses a Close longer than one character: every backed-up "18:00" fails, "" passes.
    hours.schema.properties.Close!.maxLength = 1;
    const refused = [...original.values()].filter((r) => r.Close !== '').map((r) => String(r.key));
    const accepted = [...original.values()].filter((r) => r.Close === '').map((r) => String(r.key));
    expect(original.size).toBeGreaterThanOrEqual(IMPORT_MIN_ROWS); // enough rows for the import path
    expect(refused.length && accepted.length).toBeGreaterThan(0);

    const callsBefore = api().length;
    const page = await settled(await restore(backupId));
    expect(
      api()
        .slice(callsBefore)
        .filter((c) => c.method === 'POST' && c.path.endsWith('/import/csv/jobs')),
    ).toHaveLength(1);
    expect(page).toContain('Restore finished');
    expect(page).toContain(`, ${refused.length} failed`);
    expect(page).toContain(`Opening Hours › ${refused[0]}: Genesys Cloud did not accept this row in the import`);
    for (const key of accepted) expect(hours.rows.get(key)!.Close).toBe('');
    for (const key of refused) expect(hours.rows.get(key)!.Close).toBe('x');
    const batchId = /href="\/audit\/batch\/([\w-]+)"/.exec(page)![1]!;
    expect(await w.t.db.auditEvent.count({ where: { batchId, outcome: 'failed' } })).toBe(refused.length);
    expect(await w.t.db.auditEvent.count({ where: { batchId, outcome: 'applied' } })).toBe(accepted.length);
  });

  it('stops with the reason when a table cannot be created, and when its starter can no longer sign in', async () => {
    const flags = table('Emergency Flags');
    const backupId = await backupOf(['Emergency Flags']);
    sandbox().orgs[0]!.tables.delete(flags.id);
    w.t.services.tables.invalidate(w.orgId);
    sandbox().faults.set([
      { method: 'POST', path: '/api/v2/flows/datatables', times: Infinity, action: { type: 'status', status: 400 } },
    ]);
    const url = await restore(backupId, { create: '1' });
    const stopped = await settled(url);
    expect(stopped).toContain('Restore stopped');
    expect(stopped).toContain('Resume the restore');
    expect(stopped).toMatch(/role="alert">[^<]+</);

    // Resumed after the person who started it was disabled: it stops again, saying why, and writes nothing.
    sandbox().faults.clear();
    await w.t.db.user.update({ where: { email: ADMIN.email }, data: { disabled: true } });
    const writes = w.writes();
    const jobId = /restores\/([\w-]+)/.exec(url)![1]!;
    await w.t.services.restore.resume(ADMIN_ACTOR, jobId);
    await expect
      .poll(async () => (await w.t.services.restore.job(ADMIN_ACTOR, jobId)).error)
      .toContain('can no longer sign in');
    expect(w.writes()).toBe(writes);
  });
});
