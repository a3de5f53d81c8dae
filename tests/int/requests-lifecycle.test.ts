// A change request from draft to applied and reverted through services.requests and the real apply job, and
// the engine's policy check: under "approval", a direct write by a non-administrator is refused before
// anything reaches Genesys; an administrator may still write directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChangeId } from '../../src/features/changes/row-change.js';
import { sandboxTable, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { requestTestWorld, type RequestWorld } from '../helpers/request-fixtures.js';
import { ADMIN_ACTOR } from '../helpers/test-app.js';

let w: PermissionWorld;
let r: RequestWorld;
beforeAll(async () => {
  ({ w, r } = await requestTestWorld());
  await w.grant(w.users.viewer.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'read' });
});
afterAll(async () => w.t.close());

describe('a change request, start to end', () => {
  it('is drafted, submitted, approved, applied and reverted, each step audited', async () => {
    const before = { ...r.flagRow('Main Line')! };
    const draft = await r.requests.draft(
      r.tess,
      await r.org(),
      [r.update('Main Line', { Message: 'Closed for snow' })],
      {
        title: 'Snow closure',
        reason: 'forecast',
      },
    );
    expect(draft.status).toBe('draft');
    expect(draft.rows[0]).toMatchObject({
      kind: 'update',
      original: before,
      requested: { Message: 'Closed for snow' },
    });
    await expect(r.requests.get(r.vic, draft.id)).rejects.toMatchObject({ status: 404 }); // a draft is the author's

    const sent = await r.requests.submit(r.tess, draft.id);
    expect(sent).toMatchObject({ status: 'submitted', approvalsNeeded: 1, version: 1 });
    expect(await r.requests.waitingCount(r.vic)).toBe(1);
    expect(await r.requests.waitingCount(r.tess)).toBe(0); // never one's own

    const writes = w.writes();
    await r.requests.approve(r.vic, draft.id, { version: 1, comment: 'ok' });
    await r.settle();
    const applied = await r.requests.get(r.tess, draft.id);
    expect(applied.status).toBe('applied');
    expect(applied.rows[0]!.state).toBe('applied');
    expect(r.flagRow('Main Line')!.Message).toBe('Closed for snow');
    expect(w.writes()).toBe(writes + 1);
    expect(await r.requests.waitingCount(r.vic)).toBe(0);

    await r.requests.revertNow(r.tess, draft.id);
    await r.settle();
    expect((await r.requests.get(r.tess, draft.id)).status).toBe('reverted');
    expect(r.flagRow('Main Line')).toEqual(before);
    expect(await r.entries(draft.id)).toEqual([
      'request.created',
      'request.submitted',
      'request.approved',
      'request.applied',
      'request.reverted',
    ]);
  });

  it('is approved at once and applied when its tables need no approval', async () => {
    await r.setPolicy('direct');
    const d = await r.requests.draft(r.tess, await r.org(), [r.update('Billing Queue', { Priority: 7 })], {
      title: 'Prio',
    });
    const sent = await r.requests.submit(r.tess, d.id);
    expect(sent.approvalsNeeded).toBe(0);
    await r.settle();
    expect((await r.requests.get(r.tess, d.id)).status).toBe('applied');
    await r.setPolicy('approval', 1);
  });

  it('comments, rejections with a reason, sending back and withdrawing', async () => {
    const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Priority: 3 })], { title: 'P3' });
    await r.requests.submit(r.tess, d.id);
    await r.requests.comment(r.vic, d.id, { comment: 'Why 3?' });
    await expect(r.requests.reject(r.vic, d.id, { reason: ' ' })).rejects.toThrow(/reason is required/i);
    const back = await r.requests.askChanges(r.vic, d.id, { comment: 'Use 2' });
    expect(back.status).toBe('changes_requested');
    await r.requests.editRow(r.tess, d.id, back.rows[0]!.id, { Priority: 2 });
    await r.requests.submit(r.tess, d.id);
    const rejected = await r.requests.reject(r.vic, d.id, { reason: 'Not this week' });
    expect(rejected.status).toBe('rejected');
    await expect(r.requests.withdraw(r.tess, d.id)).rejects.toMatchObject({ status: 409 });
    const other = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Priority: 4 })], {
      title: 'P4',
    });
    expect((await r.requests.withdraw(r.tess, other.id)).status).toBe('withdrawn');
    expect(await r.entries(d.id)).toEqual([
      'request.created',
      'request.submitted',
      'request.commented',
      'request.changes_asked',
      'request.edited',
      'request.submitted',
      'request.rejected',
    ]);
  });
});

describe('a bulk change saved as a request', () => {
  it('reads its table once for the rows’ current values, not once per row', async () => {
    await w.grant(w.users.tableEditor.id, w.hoursId, { canEdit: true, defaultColumnAccess: 'write' });
    const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'];
    const calls = w.apiCalls();
    const d = await r.requests.draft(
      r.tess,
      await r.org(),
      days.map((day) => r.update(`Sales/${day}`, { Open: '07:00' }, w.hoursId)),
      { title: 'Early opening' },
    );
    expect(w.apiCalls() - calls).toBeLessThan(days.length);
    const hours = sandboxTable(w, 'Opening Hours').rows;
    expect(d.rows.map((x) => x.original)).toEqual(days.map((day) => hours.get(`Sales/${day}`)));
  });
});

describe('the engine under the approval policy', () => {
  const direct = async (actor: typeof ADMIN_ACTOR) =>
    w.t.services.engine.apply({
      actor,
      org: await r.org(),
      batchId: null,
      reason: null,
      doing: 'This edit',
      changes: [{ id: newChangeId(), kind: 'update', tableId: w.flagsId, key: 'Main Line', write: { Priority: 9 } }],
    });

  it('refuses a direct write by a user before anything is sent, and names the way through', async () => {
    const writes = w.writes();
    await expect(direct(r.tess)).rejects.toThrow(
      'Changes to Emergency Flags need approval: save them as a change request.',
    );
    expect(w.writes()).toBe(writes);
  });

  it('lets an administrator write directly', async () => {
    const report = await direct(ADMIN_ACTOR);
    expect(report.results[0]!.status).toBe('applied');
  });
});
