// Restores against a strict Genesys (issue 13): reads that show writes late, and an upload the storage refuses.
// The sandbox emulator runs on real time here, so the visibility delay is kept short (the gateway's own tests
// cover the back-off on a manual clock: tests/int/gateway/strict-genesys.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { touchRows } from '../../src/emulator/store.js';
import { csrfFrom } from '../helpers/test-app.js';
import {
  backupOfTables,
  permissionWorld,
  restoreJobPage,
  sandboxApi,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
const sandbox = () => w.t.services.sandbox.running!;
const table = (name: string) => sandboxTable(w, name);
const api = () => sandboxApi(w);
const backupOf = (names: string[]) => backupOfTables(w, names);

async function restore(
  backupId: string,
  form: Record<string, string> = {},
): Promise<{ page: string; batchId: string }> {
  const res = await w.admin
    .post(`/backups/${backupId}/restore`)
    .type('form')
    .send({ _csrf: await csrfFrom(w.admin, '/account'), ...form });
  expect(res.status).toBe(303);
  const page = await restoreJobPage(w.admin, res.headers.location!);
  return { page, batchId: /href="\/audit\/batch\/([\w-]+)"/.exec(page)?.[1] ?? '' };
}

beforeEach(async () => {
  w = await permissionWorld();
  // The org's own request budget would make single-row writes take a while; these tests are about outcomes.
  await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { requestsPerMinute: 100_000 } });
});
afterEach(async () => w.t.close());

describe('a restore while Genesys shows writes late', () => {
  it('settles a CSV import by reading again until the rows show: none reported failed', async () => {
    const vip = table('VIP Customers');
    const backupId = await backupOf(['VIP Customers']);
    const keys = [...vip.rows.keys()].slice(0, 300);
    for (const key of keys) vip.rows.set(key, { ...vip.rows.get(key)!, CustomerName: 'Changed after the backup' });
    touchRows(vip);
    sandbox().setBehaviour({ visibilityDelayMs: 800 });

    const { page, batchId } = await restore(backupId);
    expect(page).toContain('Restore finished');
    expect(page).toContain('300</span> of 300 change(s).');
    expect(await w.t.db.auditEvent.count({ where: { batchId, outcome: 'failed' } })).toBe(0);
    expect(await w.t.db.auditEvent.count({ where: { batchId, outcome: 'applied' } })).toBe(300);
    for (const key of keys) expect(vip.rows.get(key)!.CustomerName).not.toBe('Changed after the backup');
  });

  it('restores into a table it creates, though Genesys does not list the new table at once', async () => {
    const hours = table('Opening Hours');
    const backupId = await backupOf(['Opening Hours']);
    sandbox().orgs[0]!.tables.delete(hours.id);
    w.t.services.tables.invalidate(w.orgId);
    sandbox().setBehaviour({ visibilityDelayMs: 800 });

    const { page, batchId } = await restore(backupId, { create: '1' });
    expect(page).toContain('Restore finished');
    expect(page).not.toMatch(/failed|does not exist/);
    expect(table('Opening Hours').rows.size).toBe(hours.rows.size);
    expect(await w.t.db.auditEvent.count({ where: { batchId, outcome: 'failed' } })).toBe(0);
  });
});

describe('a refused CSV upload', () => {
  it('falls back to single-row writes for that table, and the report says so', async () => {
    const hours = table('Opening Hours');
    const backupId = await backupOf(['Opening Hours']);
    const original = new Map(hours.rows);
    for (const [key, row] of original) hours.rows.set(key, { ...row, TimeZone: 'Changed/Zone' });
    touchRows(hours);
    sandbox().faults.set([
      { method: 'PUT', path: '/uploads/*', times: Infinity, action: { type: 'status', status: 403 } },
    ]);

    const callsBefore = api().length;
    const { page, batchId } = await restore(backupId);
    expect(page).toContain('Restore finished');
    expect(page).toContain(`Opening Hours: Genesys Cloud refused the CSV upload (it answered 403`);
    expect(page).toContain(`Its ${original.size} row(s) were written one at a time instead.`);
    expect(page).not.toMatch(/HTTP 403|› [^<]+: /); // no row listed as failed
    for (const [key, row] of original) expect(hours.rows.get(key)).toEqual(row);
    const calls = api().slice(callsBefore);
    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/import/csv/jobs'))).toHaveLength(1);
    expect(calls.filter((c) => c.method === 'PUT' && c.path.includes('/rows/'))).toHaveLength(original.size);
    // The import attempt is closed as failed (saying the row went on its own), each row write as applied.
    expect(await w.t.db.auditEvent.count({ where: { batchId, outcome: 'applied' } })).toBe(original.size);
    const closed = await w.t.db.auditEvent.findMany({ where: { batchId, outcome: 'failed' } });
    expect(closed).toHaveLength(original.size);
    expect(JSON.parse(closed[0]!.details!).message).toMatch(/refused the CSV upload.*written on its own instead/);
    expect(await w.t.services.reconciler.run()).toBe(0); // nothing left open
    const restored = await w.t.db.auditEvent.findFirstOrThrow({ where: { batchId, action: 'backup.restored' } });
    expect(JSON.parse(restored.details!).notes[0]).toMatch(/^Opening Hours: Genesys Cloud refused the CSV upload/);
  });
});
