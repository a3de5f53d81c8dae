// Scheduled change requests on the manual clock: days pass in milliseconds. An approved request is applied at
// its time by the scheduler (a periodic task) and reverted at the end of its window; a row changed during the
// window is held, not overwritten; an item found too late is held for a person; an unapproved one never runs;
// rights lost between approval and the apply time hold it (R3); two racing scheduler passes start one job
// (R4). Requests are stored through the request repository as the request service leaves them once approved.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Row } from '../../src/genesys/gateway.js';
import type { NewRequestRow } from '../../src/features/requests/request-repository.js';
import { MAX_RUNNING_PER_ORG } from '../../src/features/requests/request-scheduler.js';
import { permissionWorld, sandboxTable, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { ADMIN_ACTOR } from '../helpers/test-app.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let w: PermissionWorld;
let approverId: number;
beforeAll(async () => {
  w = await permissionWorld();
  // Vic may view and approve changes to Emergency Flags (and nothing else).
  await w.grant(w.users.viewer.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'read' });
  approverId = w.users.viewer.id;
});
afterAll(async () => w.t.close());

const flags = () => sandboxTable(w, 'Emergency Flags').rows;
const repo = () => w.t.services.requestRecords;
const now = () => w.t.clock.now();

/** The scheduler's tick as the server runs it, then every job it started run to its end. */
async function tickAt(at: number): Promise<void> {
  w.t.clock.advance(at - now());
  await w.t.services.periodic.tick();
  await w.t.services.jobs.idle();
}

/** One row change of Emergency Flags as the request service stores it (original: the row as it was). */
function update(key: string, requested: Row): NewRequestRow {
  const original = { ...flags().get(key)! };
  return { tableId: w.flagsId, tableName: 'Emergency Flags', key, kind: 'update', original, requested };
}

/** A request by Tess (table editor), approved by Vic for its version, to apply and revert then (`status`: as stored). */
async function approvedRequest(
  rows: NewRequestRow[],
  applyAt: number,
  revertAt?: number,
  status: 'approved' | 'submitted' | 'applying' = 'approved',
) {
  const tess = await w.t.db.user.findUniqueOrThrow({ where: { id: w.users.tableEditor.id } });
  const req = await repo().create({
    orgId: w.orgId,
    title: 'Snow closure',
    reason: 'Site closed for snow',
    authorId: tess.id,
    authorName: `${tess.displayName} <${tess.email}>`,
    status,
    rows,
  });
  await repo().update(req.id, {
    approvalsNeeded: 1,
    applyAt: new Date(applyAt),
    revertAt: revertAt ? new Date(revertAt) : null,
  });
  await repo().addReview(req.id, { userId: approverId, userName: 'Vic', verdict: 'approve', comment: '', version: 1 });
  return req.id;
}

const stored = async (id: string) => (await repo().get(id))!;
const requestEntries = (id: string) =>
  w.t.db.auditEvent
    .findMany({ where: { action: { startsWith: 'request.' } }, orderBy: { seq: 'asc' } })
    .then((es) => es.filter((e) => e.details?.includes(id)).map((e) => e.action));

beforeEach(async () => {
  // Every test starts from the seeded rights of Tess and Vic.
  await w.grant(w.users.tableEditor.id, w.flagsId, {
    canEdit: true,
    canAdd: true,
    canDelete: true,
    defaultColumnAccess: 'write',
  });
  await w.grant(approverId, w.flagsId, { canApprove: true, defaultColumnAccess: 'read' });
  await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: false } });
});

describe('a scheduled change with a window', () => {
  it('is applied at its time and reverted at its end: rows changed, then back; one batch each', async () => {
    const before = { main: { ...flags().get('Main Line')! }, billing: { ...flags().get('Billing Queue')! } };
    const start = now() + 2 * DAY;
    const id = await approvedRequest(
      [
        update('Main Line', { Active: true, Message: 'Closed for snow' }),
        update('Billing Queue', { Message: 'Billing closed for snow' }),
        {
          tableId: w.flagsId,
          tableName: 'Emergency Flags',
          key: 'Snow Line',
          kind: 'create',
          original: null,
          requested: { key: 'Snow Line', Active: true, Message: 'Snow', Priority: 3, ActivatedBy: '' },
        },
      ],
      start,
      start + DAY,
    );
    const writes = w.writes();
    await tickAt(start - 1000);
    expect((await stored(id)).status).toBe('approved'); // not yet due: nothing written
    expect(w.writes()).toBe(writes);

    await tickAt(start + 500);
    const applied = await stored(id);
    expect(applied.status).toBe('applied');
    expect(applied.rows.map((r) => r.state)).toEqual(['applied', 'applied', 'applied']);
    expect(flags().get('Main Line')).toMatchObject({ Active: true, Message: 'Closed for snow' });
    expect(flags().get('Billing Queue')!.Message).toBe('Billing closed for snow');
    expect(flags().get('Snow Line')).toMatchObject({ Message: 'Snow' });
    // The writes are one batch, each linked to the request.
    const entries = await w.t.db.auditEvent.findMany({ where: { batchId: applied.batchId!, outcome: 'intent' } });
    expect(entries).toHaveLength(3);
    for (const e of entries) expect(JSON.parse(e.details!)).toMatchObject({ request: id });

    await tickAt(start + DAY + 200);
    const reverted = await stored(id);
    expect(reverted.status).toBe('reverted');
    expect(reverted.rows.map((r) => r.state)).toEqual(['reverted', 'reverted', 'reverted']);
    expect(flags().get('Main Line')).toEqual(before.main);
    expect(flags().get('Billing Queue')).toEqual(before.billing);
    expect(flags().has('Snow Line')).toBe(false);
    expect(await w.t.db.auditEvent.count({ where: { batchId: reverted.revertBatchId!, outcome: 'intent' } })).toBe(3);
    expect(await requestEntries(id)).toEqual(['request.applied', 'request.reverted']);
  });

  it('a row changed during the window is held with theirs / requested / original, not overwritten', async () => {
    const original = { ...flags().get('Main Line')! };
    const start = now() + DAY;
    const id = await approvedRequest([update('Main Line', { Message: 'Outage message' })], start, start + 2 * HOUR);
    await tickAt(start);
    expect((await stored(id)).status).toBe('applied');
    // Someone changes the row in Genesys while the change is in effect.
    const g = await w.t.services.orgs.gatewayFor(w.orgId);
    await g.updateRow(w.flagsId, 'Main Line', { ...flags().get('Main Line')!, Message: 'Edited in Genesys' });
    const writes = w.writes();

    await tickAt(start + 2 * HOUR);
    const held = await stored(id);
    expect(held.status).toBe('held');
    expect(held.heldPhase).toBe('revert');
    expect(held.heldReason).toContain('1 row(s) changed while the change was in effect');
    expect(held.rows[0]).toMatchObject({
      state: 'revert_held',
      theirs: expect.objectContaining({ Message: 'Edited in Genesys' }),
      requested: { Message: 'Outage message' },
      original: expect.objectContaining({ Message: original.Message }),
    });
    expect(flags().get('Main Line')!.Message).toBe('Edited in Genesys'); // never overwritten
    expect(w.writes()).toBe(writes);
    expect(await requestEntries(id)).toEqual(['request.applied', 'request.held']);
  });

  it('found more than lateAfterMinutes late: held for a person; confirmed, it is applied', async () => {
    const start = now() + HOUR;
    const id = await approvedRequest([update('Billing Queue', { Priority: 9 })], start);
    const writes = w.writes();
    await tickAt(start + 16 * 60_000); // the org holds items more than 15 minutes late
    const held = await stored(id);
    expect(held.status).toBe('held');
    expect(held.heldPhase).toBe('apply');
    expect(held.heldReason).toMatch(/^Late: the apply was due at .+ and found at .+; confirm to apply it now\.$/);
    expect(w.writes()).toBe(writes);

    // What the service's confirm does: claim held -> applying, then start the job.
    expect(await repo().transition(id, ['held'], 'applying', { heldPhase: null, heldReason: null })).toBe(true);
    await w.t.services.requestApplier.start(id, 'apply');
    await w.t.services.jobs.idle();
    expect((await stored(id)).status).toBe('applied');
    expect(flags().get('Billing Queue')!.Priority).toBe(9);
  });

  it('a late item of a table that needs no approval is confirmed by its author, an administrator too', async () => {
    const org = await w.t.services.orgs.get(w.orgId);
    const start = now() + HOUR;
    const change = {
      id: 'late-by-admin',
      kind: 'update' as const,
      tableId: w.flagsId,
      key: 'Billing Queue',
      write: { Priority: 4 },
    };
    const draft = await w.t.services.requests.draft(ADMIN_ACTOR, org, [change], { title: 'Late one', reason: '' });
    await w.t.services.requests.submit(ADMIN_ACTOR, draft.id, { applyAt: new Date(start) });
    await tickAt(start + 16 * 60_000);
    expect((await stored(draft.id)).status).toBe('held');
    await w.t.services.requests.confirmHeld(ADMIN_ACTOR, draft.id);
    await w.t.services.jobs.idle();
    expect((await stored(draft.id)).status).toBe('applied');
    expect(flags().get('Billing Queue')!.Priority).toBe(4);
  });

  it('an unapproved request never runs, however long past its time', async () => {
    const start = now() + HOUR;
    const id = await approvedRequest([update('Main Line', { Priority: 7 })], start, undefined, 'submitted');
    const writes = w.writes();
    await tickAt(start + 5 * 60_000);
    await tickAt(start + 3 * DAY);
    expect((await stored(id)).status).toBe('submitted');
    expect(w.writes()).toBe(writes);
    expect(await w.t.db.job.count({ where: { kind: 'request-apply', plan: { contains: id } } })).toBe(0);
  });
});

describe('R3: rights are checked again at the apply time', () => {
  it('the author lost the edit right after approval: held, nothing written, says who lost what', async () => {
    const start = now() + DAY;
    const id = await approvedRequest([update('Main Line', { Message: 'Revoked author' })], start);
    await w.grant(w.users.tableEditor.id, w.flagsId, { canEdit: false, defaultColumnAccess: 'read' });
    const writes = w.writes();
    await tickAt(start);
    const held = await stored(id);
    expect(held.status).toBe('held');
    expect(held.heldReason).toMatch(/^Tess <tess@example.com>, who requested it, may no longer make this change: /);
    expect(held.rows[0]!.state).toBe('pending');
    expect(w.writes()).toBe(writes);
    expect(await requestEntries(id)).toEqual(['request.held']);
  });

  it('an approver lost the approve right after approving: held, nothing written, names the approver', async () => {
    const start = now() + DAY;
    const id = await approvedRequest([update('Main Line', { Message: 'Revoked approver' })], start);
    await w.grant(approverId, w.flagsId, { canApprove: false, defaultColumnAccess: 'read' });
    const writes = w.writes();
    await tickAt(start);
    const held = await stored(id);
    expect(held.status).toBe('held');
    expect(held.heldReason).toBe(
      'Vic <vic@example.com>, who approved it, may no longer approve changes to “Emergency Flags”.',
    );
    expect(w.writes()).toBe(writes);
  });

  it('the org was made read-only: held, nothing written', async () => {
    const start = now() + DAY;
    const id = await approvedRequest([update('Main Line', { Message: 'Read-only org' })], start);
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: true } });
    const writes = w.writes();
    await tickAt(start);
    expect((await stored(id)).heldReason).toMatch(/is read-only now, so nothing was written\.$/);
    expect(w.writes()).toBe(writes);
  });
});

describe('R4: two scheduler passes racing for one item', () => {
  it('start one job; each row is written once and audited once', async () => {
    const start = now() + DAY;
    const id = await approvedRequest(
      [update('Main Line', { Message: 'Race' }), update('Billing Queue', { Message: 'Race' })],
      start,
    );
    w.t.clock.advance(start - now());
    const writes = w.writes();
    const scheduler = w.t.services.requestScheduler;
    const [a, b] = await Promise.all([scheduler.run(), scheduler.run()]);
    await w.t.services.jobs.idle();
    expect(a + b).toBe(1);
    expect(await w.t.db.job.count({ where: { kind: 'request-apply', plan: { contains: id } } })).toBe(1);
    expect(w.writes() - writes).toBe(2);
    const req = await stored(id);
    expect(req.status).toBe('applied');
    expect(await w.t.db.auditEvent.count({ where: { batchId: req.batchId!, outcome: 'intent' } })).toBe(2);
    expect(await requestEntries(id)).toEqual(['request.applied']);
  });
});

describe('an org with many requests due at once', () => {
  it(`runs at most ${MAX_RUNNING_PER_ORG} at a time; the rest start at later passes, in due order`, async () => {
    const start = now() + DAY;
    const ids: string[] = [];
    for (let i = 0; i < MAX_RUNNING_PER_ORG + 2; i++) {
      const key = `Cap ${i}`;
      const row = { key, Active: false, Message: 'cap', Priority: i, ActivatedBy: '' };
      const create = { tableId: w.flagsId, tableName: 'Emergency Flags', key, kind: 'create' as const, original: null };
      ids.push(await approvedRequest([{ ...create, requested: row }], start + i));
    }
    w.t.clock.advance(start + 1000 - now());
    const scheduler = w.t.services.requestScheduler;
    expect(await scheduler.run()).toBe(MAX_RUNNING_PER_ORG);
    const waiting = await w.t.db.changeRequest.findMany({ where: { id: { in: ids }, status: 'approved' } });
    expect(waiting.map((r) => r.id).sort()).toEqual(ids.slice(MAX_RUNNING_PER_ORG).sort()); // the latest due wait
    await w.t.services.jobs.idle();
    expect(await scheduler.run()).toBe(2);
    await w.t.services.jobs.idle();
    expect(await w.t.db.changeRequest.count({ where: { id: { in: ids }, status: 'applied' } })).toBe(ids.length);
  });
});

describe('a request left applying with no job to finish it', () => {
  it('is held at the second recovery pass (not the first: a claim has no job for a moment)', async () => {
    // As a job the runner could not run leaves it (its owner disabled across a restart): claimed, no live job.
    const id = await approvedRequest(
      [update('Main Line', { Message: 'Stranded' })],
      now() + DAY,
      undefined,
      'applying',
    );
    const { requestApplier } = w.t.services;
    expect(await requestApplier.recoverStranded()).toBe(0);
    expect((await stored(id)).status).toBe('applying');
    expect(await requestApplier.recoverStranded()).toBe(1);
    const held = await stored(id);
    expect(held).toMatchObject({ status: 'held', heldPhase: 'apply' });
    expect(held.heldReason).toMatch(/^The apply stopped before it finished/);
  });
});
