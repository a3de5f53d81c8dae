// C2 of the security checklist: no state change through GET. Every registered GET route (the router walk) is
// opened over real pages (real users, org, table, row, audit entry, batch, backup and jobs) as an admin and as
// a user; after each request the row count of every database table, the audit log and the emulator's write
// requests are what they were before. Reading an export or a backup is itself audited (a security event,
// L1): those routes may add exactly their own entry and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../../src/lib/route.js';
import { csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';

const READ_AUDITS: Record<string, string> = {
  '/tables/:tableId/export.csv': 'table.exported',
  '/tables/:tableId/export.json': 'table.exported',
  '/audit/export.csv': 'audit.exported',
  '/audit/export.json': 'audit.exported',
  '/backups/:id/download': 'backup.downloaded',
};

let w: PermissionWorld;
const real: Record<string, string> = {};
beforeAll(async () => {
  w = await permissionWorld();
  const admin = w.admin;
  const token = await csrfFrom(admin, '/account');
  const bulk = await admin
    .post(`/tables/${w.flagsId}/bulk/apply`)
    .set('X-CSRF-Token', token)
    .type('form')
    .send({ action: 'set', column: 'Message', value: 'c2', sel: 'Main Line' });
  const backup = await admin.post('/backups').set('X-CSRF-Token', token).type('form').send({ table: w.flagsId });
  // Both run in the background: wait until both jobs say they are finished (the bulk job only once every
  // outcome is recorded), so nothing the sweep sees is written by them.
  await pageOnceReady(admin, String(bulk.headers.location), 'the bulk change', (page) => page.includes('>Done<'));
  await pageOnceReady(admin, String(backup.headers.location), 'the backup', (page) => page.includes('Backup ready'));
  const entry = await w.t.db.auditEvent.findFirst({ where: { action: 'row.updated' }, orderBy: { seq: 'desc' } });
  const kept = await w.t.db.backup.findFirst();
  Object.assign(real, {
    userId: String(w.users.viewer.id),
    orgId: w.orgId,
    tableId: w.flagsId,
    ref: encodeURIComponent('Main Line'),
    seq: String(entry!.seq),
    batchId: entry!.batchId ?? 'none',
    bulkJob: String(bulk.headers.location).split('/').pop()!,
    backupJob: String(backup.headers.location).split('/').pop()!,
    backupId: kept!.id,
  });
}, 60_000);
afterAll(async () => w.t.close());

function realUrl(route: RouteInfo): string {
  return route.path.replace(/:(\w+)/g, (_m, name: string) => {
    if (name === 'id')
      return route.path.startsWith('/admin/users')
        ? real.userId!
        : route.path.startsWith('/admin/orgs')
          ? real.orgId!
          : real.backupId!;
    if (name === 'jobId')
      return route.path.startsWith('/tables')
        ? real.bulkJob!
        : route.path.startsWith('/backups/jobs') || route.path.startsWith('/jobs')
          ? real.backupJob!
          : 'no-such-restore';
    return real[name] ?? name;
  });
}

/** Row counts of every table in the database. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await w.t.db.$queryRawUnsafe<{ name: string }[]>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'",
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables)
    counts[name] = Number((await w.t.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM "${name}"`))[0]!.n);
  return counts;
}

describe('GET changes nothing (C2)', () => {
  it('leaves the database, the audit log and Genesys as they were, on every GET route over real pages', async () => {
    const agents = { admin: w.admin, user: w.users.tableEditor.agent };
    const problems: string[] = [];
    const statuses: number[] = [];
    for (const route of w.t.routes.filter((r) => r.method === 'get')) {
      for (const [who, agent] of Object.entries(agents)) {
        const url = realUrl(route);
        const before = {
          rows: await rowCounts(),
          lastSeq: (await w.t.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))?.seq ?? 0,
          writes: w.writes(),
        };
        const res = await agent.get(url);
        statuses.push(res.status);
        const added = await w.t.db.auditEvent.findMany({ where: { seq: { gt: before.lastSeq } } });
        const allowed = READ_AUDITS[route.path];
        const expected = {
          ...before.rows,
          AuditEvent: before.rows.AuditEvent! + (allowed && res.status === 200 ? 1 : 0),
        };
        const label = `${who} GET ${url} (${res.status})`;
        if (JSON.stringify(await rowCounts()) !== JSON.stringify(expected))
          problems.push(`${label}: rows ${JSON.stringify(before.rows)} -> ${JSON.stringify(await rowCounts())}`);
        if (added.some((e) => e.action !== allowed))
          problems.push(`${label}: audited ${added.map((e) => e.action).join(', ')}`);
        if (w.writes() !== before.writes) problems.push(`${label}: ${w.writes() - before.writes} Genesys write(s)`);
      }
    }
    expect(problems).toEqual([]);
    expect(statuses.filter((s) => s === 200).length, 'the sweep reached real pages').toBeGreaterThan(40);
  }, 120_000);
});
