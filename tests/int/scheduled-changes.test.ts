// The calendar and the banners of planned changes (issue 15): what each person sees of scheduled requests on
// the calendar, the table page and the row page: only requests they may see, times in the org's zone, and
// never a value of a column hidden from them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { permissionWorld, rowUrlIn, type PermissionWorld } from '../helpers/permission-fixtures.js';
import type { NewRequest } from '../../src/features/requests/request-repository.js';
import type { RequestStatus } from '../../src/features/requests/request-types.js';

const CANARY = 'HIDDEN-CANARY-5e1f';
let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
  await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { timeZone: 'Europe/London' } });
});
afterEach(async () => w.t.close());

const flagRow = (key: string) => ({
  tableId: w.flagsId,
  tableName: 'Emergency Flags',
  key,
  kind: 'update' as const,
  original: { key, Active: false, ActivatedBy: CANARY },
  requested: { Active: true, ActivatedBy: `${CANARY}-new` },
});
const hoursRow = {
  get tableId() {
    return w.hoursId;
  },
  tableName: 'Opening Hours',
  key: 'Sales/Monday',
  kind: 'update' as const,
  original: { Open: '09:00' },
  requested: { Open: '10:00' },
};

/** A request as the request service would have stored it, with its schedule. */
async function planned(
  title: string,
  rows: NewRequest['rows'],
  schedule: { applyAt?: string; revertAt?: string },
  status: RequestStatus = 'approved',
) {
  const repo = w.t.services.requestRecords;
  const r = await repo.create({ orgId: w.orgId, title, reason: 'test', authorId: 1, authorName: 'Ada', status, rows });
  await repo.update(r.id, {
    applyAt: schedule.applyAt ? new Date(schedule.applyAt) : null,
    revertAt: schedule.revertAt ? new Date(schedule.revertAt) : null,
  });
  return r.id;
}

// The test clock reads 2026-01-15 09:00 UTC (a Thursday).
async function planWeek() {
  return {
    snow: await planned('Snow closure', [flagRow('Main Line'), flagRow('Weather Closure')], {
      applyAt: '2026-01-16T18:00:00Z',
      revertAt: '2026-01-19T07:00:00Z',
    }),
    hours: await planned('Billing hours', [flagRow('Billing Queue'), hoursRow], { applyAt: '2026-01-15T12:00:00Z' }),
    unscheduled: await planned('Whenever', [flagRow('Main Line')], {}, 'submitted'),
    draft: await planned('Draft', [flagRow('Main Line')], { applyAt: '2026-01-15T13:00:00Z' }, 'draft'),
    closed: await planned('Old', [flagRow('Main Line')], { applyAt: '2026-01-15T14:00:00Z' }, 'rejected'),
  };
}

describe('the table page banner', () => {
  it('counts the rows with scheduled changes the viewer may see, and links to the requests', async () => {
    await planWeek();
    const asAdmin = await w.admin.get(`/tables/${w.flagsId}`);
    expect(asAdmin.text).toMatch(/3 rows of this table have scheduled changes \(2 change requests\)/);
    // The viewer may not view Opening Hours: the request touching it is not theirs to see, nor its row.
    const asViewer = await w.users.viewer.agent.get(`/tables/${w.flagsId}`);
    expect(asViewer.text).toMatch(/2 rows of this table have scheduled changes \(1 change request\)/);
    expect(asViewer.text).toContain('href="/requests"');
    expect(asViewer.text).not.toContain('Billing hours');
  });

  it('is absent when nothing the viewer may see is scheduled', async () => {
    await planned('Billing hours', [flagRow('Billing Queue'), hoursRow], { applyAt: '2026-01-15T12:00:00Z' });
    const page = await w.users.viewer.agent.get(`/tables/${w.flagsId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('scheduled-banner');
  });
});

describe('the row page', () => {
  it("lists the row's scheduled changes with apply and revert times in the org's zone", async () => {
    const { snow } = await planWeek();
    const page = await w.users.viewer.agent.get(rowUrlIn(w.flagsId, 'Main Line'));
    expect(page.status).toBe(200);
    expect(page.text).toContain('times in Europe/London');
    expect(page.text).toContain(`href="/requests/${snow}"`);
    expect(page.text).toContain('applies Fri 16 Jan 2026, 18:00 (GMT, UTC+00:00)');
    expect(page.text).toContain('reverts Mon 19 Jan 2026, 07:00 (GMT, UTC+00:00)');
    for (const gone of ['Whenever', 'Draft', 'Old']) expect(page.text).not.toContain(gone);
    // Values of the hidden column (in the request's rows) appear nowhere.
    expect(page.text).not.toContain(CANARY);
  });

  it('leaves out a request the viewer may not see; an administrator sees it', async () => {
    const { hours } = await planWeek();
    const url = rowUrlIn(w.flagsId, 'Billing Queue');
    const asViewer = await w.users.viewer.agent.get(url);
    expect(asViewer.status).toBe(200);
    expect(asViewer.text).not.toContain('row-schedule');
    expect(asViewer.text).not.toContain(hours);
    const asAdmin = await w.admin.get(url);
    expect(asAdmin.text).toContain(`href="/requests/${hours}"`);
    expect(asAdmin.text).toContain('applies Thu 15 Jan 2026, 12:00');
  });

  it('finds the row by its handle when the viewer may not see keys', async () => {
    const { snow } = await planWeek();
    await w.grant(w.users.none.id, w.flagsId, { columns: { key: 'hidden', Active: 'read' } });
    const table = await w.users.none.agent.get(`/tables/${w.flagsId}`);
    expect(table.text).toMatch(/2 rows of this table have scheduled changes/);
    const handles = [...table.text.matchAll(/href="\/tables\/[^/"]+\/rows\/(h\.[^"]+)"/g)].map((m) => m[1]!);
    expect(handles.length).toBeGreaterThan(0);
    const pages = await Promise.all(handles.map((h) => w.users.none.agent.get(`/tables/${w.flagsId}/rows/${h}`)));
    expect(pages.filter((p) => p.text.includes(`href="/requests/${snow}"`))).toHaveLength(2);
    for (const p of pages) expect(p.text).not.toContain('Main Line');
  });
});

describe('the calendar', () => {
  it("shows the week's applies and reverts the viewer may see, on their local days", async () => {
    const { snow, hours } = await planWeek();
    const asAdmin = await w.admin.get('/calendar');
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.text).toContain('12 Jan – 18 Jan 2026');
    const friday = asAdmin.text.split('data-day="2026-01-16"')[1]!.split('data-day="2026-01-17"')[0]!;
    expect(friday).toContain(`data-request="${snow}"`);
    expect(friday).toContain('18:00');
    expect(asAdmin.text).toContain(`data-request="${hours}"`);
    // The revert on Monday is next week's.
    const next = await w.admin.get('/calendar?view=week&day=2026-01-19');
    expect(next.text.split('data-day="2026-01-19"')[1]!.split('data-day="2026-01-20"')[0]).toContain('Reverts');
    const asViewer = await w.users.viewer.agent.get('/calendar');
    expect(asViewer.text).toContain(`data-request="${snow}"`);
    expect(asViewer.text).not.toContain(hours);
    expect(asViewer.text).not.toContain('Billing hours');
    const asNobody = await w.users.none.agent.get('/calendar');
    expect(asNobody.text).not.toContain('data-request=');
  });

  it("lists one day, in the org's zone, and moves a day at a time", async () => {
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { timeZone: 'Pacific/Auckland' } });
    const { snow } = await planWeek();
    // 18:00 UTC on the 16th is 07:00 on the 17th in Auckland.
    const day = await w.admin.get('/calendar?view=day&day=2026-01-17');
    expect(day.text).toContain('Saturday 17 January 2026');
    expect(day.text).toContain(`data-request="${snow}"`);
    expect(day.text).toContain('07:00');
    expect(day.text).toContain('href="/calendar?view=day&amp;day=2026-01-16"');
    expect(day.text).toContain('href="/calendar?view=day&amp;day=2026-01-18"');
    const bad = await w.admin.get('/calendar?view=day&day=2026-02-30');
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('data-day="2026-01-15"'); // today in Auckland (22:00 on the 15th)
  });
});
