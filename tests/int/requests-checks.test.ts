// The checks of security-reliability.md §1.10 that the request service answers for. R1: a request is applied
// exactly as approved (an edit after approval is refused; an edit before it withdraws the approvals; an
// approval names the version it saw). R2: no self-approval; canApprove on every table; a column the approver
// cannot see is never shown to them, in the request or in a refusal. And bad input, each refused by name.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { plantHiddenCanary, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { requestTestWorld, type RequestWorld } from '../helpers/request-fixtures.js';

const HOUR = 3_600_000;
let w: PermissionWorld;
let r: RequestWorld;
beforeAll(async () => ({ w, r } = await requestTestWorld()));
afterAll(async () => w.t.close());
beforeEach(async () => {
  await r.resetRights();
  await r.setPolicy('approval', 1);
});

const submitted = async (message: string, schedule: { applyAt?: Date; revertAt?: Date } = {}) => {
  const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Message: message })], {
    title: message,
  });
  return r.requests.submit(r.tess, d.id, schedule);
};
const inHours = (h: number) => new Date(w.t.clock.now() + h * HOUR);

describe('R1: applied exactly as approved', () => {
  it('refuses the author’s edit once approved, and applies the approved values at the time', async () => {
    const req = await submitted('Approved text', { applyAt: inHours(2) });
    await r.requests.approve(r.vic, req.id, { version: req.version });
    expect((await r.requests.get(r.tess, req.id)).status).toBe('approved');
    const rowId = req.rows[0]!.id;
    await expect(r.requests.editRow(r.tess, req.id, rowId, { Message: 'Sneaked in' })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/approved: it can no longer be changed/),
    });
    await expect(r.requests.setSchedule(r.tess, req.id, { applyAt: inHours(1) })).rejects.toMatchObject({
      status: 409,
    });
    w.t.clock.advance(2 * HOUR);
    await w.t.services.periodic.tick();
    await r.settle();
    const applied = await r.requests.get(r.tess, req.id);
    expect(applied.status).toBe('applied');
    expect(applied.rows.map((x) => x.requested)).toEqual([{ Message: 'Approved text' }]);
    expect(r.flagRow('Main Line')!.Message).toBe('Approved text');
  });

  it('drops approvals when the author edits before enough have come, and refuses an approval of an old version', async () => {
    await r.setPolicy('approval', 2);
    await w.grant(w.users.columnEditor.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'read' });
    const req = await submitted('Two approvers');
    await r.requests.approve(r.vic, req.id, { version: 1 });
    const edited = await r.requests.editRow(r.tess, req.id, req.rows[0]!.id, { Message: 'Changed after Vic' });
    expect(edited.version).toBe(2);
    // Cole opened version 1: his approval is refused, and Vic's no longer counts.
    await expect(r.requests.approve(r.cole, req.id, { version: 1 })).rejects.toThrow(/changed since you opened it/);
    await r.requests.approve(r.cole, req.id, { version: 2 });
    expect((await r.requests.get(r.tess, req.id)).status).toBe('submitted');
    await r.requests.approve(r.vic, req.id, { version: 2 });
    await r.settle();
    expect(r.flagRow('Main Line')!.Message).toBe('Changed after Vic');
  });

  it('records an approver’s edit as theirs, in a new version, and applies it', async () => {
    await w.grant(w.users.viewer.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'write' });
    const req = await submitted('Typo hre');
    const after = await r.requests.approve(r.vic, req.id, {
      version: 1,
      edits: [{ rowId: req.rows[0]!.id, values: { Message: 'Typo here' } }],
    });
    expect(after.version).toBe(2);
    expect(after.rows[0]).toMatchObject({ requested: { Message: 'Typo here' }, editedById: w.users.viewer.id });
    await r.settle();
    expect(r.flagRow('Main Line')!.Message).toBe('Typo here');
    // An approver may not widen the change to a column it does not write.
    const other = await submitted('Narrow');
    await expect(
      r.requests.approve(r.vic, other.id, {
        version: 1,
        edits: [{ rowId: other.rows[0]!.id, values: { Priority: 9 } }],
      }),
    ).rejects.toMatchObject({ status: 403 });
  });
});

describe('R2: who may approve', () => {
  it('refuses the author’s own approval', async () => {
    const req = await submitted('Mine');
    await expect(r.requests.approve(r.tess, req.id, { version: 1 })).rejects.toMatchObject({
      status: 403,
      message: 'You may not approve your own change request.',
    });
  });

  it('refuses an approver without the approve right, or without it on one table of several', async () => {
    await w.grant(w.users.viewer.id, w.flagsId, { canApprove: false, defaultColumnAccess: 'read' });
    const one = await submitted('No right');
    await expect(r.requests.approve(r.vic, one.id, { version: 1 })).rejects.toMatchObject({
      status: 403,
      message: 'You may not approve changes to Emergency Flags.',
    });
    await w.grant(w.users.viewer.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'read' });
    await w.grant(w.users.tableEditor.id, w.hoursId, { canEdit: true, defaultColumnAccess: 'write' });
    await w.grant(w.users.viewer.id, w.hoursId, { canApprove: false, defaultColumnAccess: 'read' });
    const d = await r.requests.draft(
      r.tess,
      await r.org(),
      [r.update('Main Line', { Message: 'Both' }), r.update('Sales/Mon', { Open: '09:00' }, w.hoursId)],
      { title: 'Two tables' },
    );
    const both = await r.requests.submit(r.tess, d.id);
    await expect(r.requests.approve(r.vic, both.id, { version: 1 })).rejects.toMatchObject({
      status: 403,
      message: 'You may not approve changes to Opening Hours.',
    });
    expect((await r.requests.waiting(r.vic)).map((x) => x.id)).not.toContain(both.id);
  });

  it('never shows a hidden column, in the request or in the refusal, and refuses its approval', async () => {
    const canary = 'CANARY-hidden-7731';
    await plantHiddenCanary(w, canary);
    await w.grant(w.users.columnEditor.id, w.flagsId, {
      canApprove: true,
      columns: { key: 'read', Active: 'read', Message: 'read', Priority: 'read', ActivatedBy: 'hidden' },
    });
    const d = await r.requests.draft(
      r.tess,
      await r.org(),
      [r.update('Main Line', { Message: 'M', ActivatedBy: 'Tess' })],
      {
        title: 'Touches a hidden column',
      },
    );
    await r.requests.submit(r.tess, d.id);
    const seen = await r.requests.get(r.cole, d.id);
    expect(JSON.stringify(seen)).not.toContain(canary);
    expect(JSON.stringify(seen)).not.toContain('ActivatedBy');
    expect(seen.rows[0]!.requested).toEqual({ Message: 'M' });
    const listed = await r.requests.list(r.cole, { orgId: w.orgId });
    expect(JSON.stringify(listed)).not.toContain(canary);
    const refusal: unknown = await r.requests.approve(r.cole, d.id, { version: 1 }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ status: 403 });
    expect((refusal as Error).message).not.toMatch(/ActivatedBy|CANARY/);
    expect((await r.requests.waiting(r.cole)).map((x) => x.id)).not.toContain(d.id);
    // The author sees her request whole.
    expect((await r.requests.get(r.tess, d.id)).rows[0]!.original!.ActivatedBy).toBe(canary);
  });

  it('hides a request from someone who may not view one of its tables', async () => {
    const req = await submitted('Nora may not see');
    await expect(r.requests.get(r.nora, req.id)).rejects.toMatchObject({ status: 404 });
    expect((await r.requests.list(r.nora)).map((x) => x.id)).not.toContain(req.id);
  });
});

describe('bad input, each refused by name', () => {
  it('a revert time before the apply time', async () => {
    const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Priority: 5 })], { title: 'x' });
    await expect(r.requests.submit(r.tess, d.id, { applyAt: inHours(5), revertAt: inHours(4) })).rejects.toMatchObject({
      status: 400,
      fieldErrors: { revertAt: 'The revert time must be after the apply time.' },
    });
  });

  it('an apply time in the past', async () => {
    const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Priority: 5 })], { title: 'x' });
    await expect(r.requests.submit(r.tess, d.id, { applyAt: inHours(-1) })).rejects.toMatchObject({
      status: 400,
      fieldErrors: { applyAt: 'The apply time is in the past: choose a later time.' },
    });
  });

  it('a request or a schedule in a read-only org', async () => {
    const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Priority: 5 })], { title: 'x' });
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: true } });
    await expect(r.requests.submit(r.tess, d.id, { applyAt: inHours(1) })).rejects.toThrow(
      /is read-only: no change can be requested or scheduled in it/,
    );
    await expect(
      r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Priority: 6 })], { title: 'y' }),
    ).rejects.toThrow(/is read-only: no change can be requested or scheduled in it/);
  });

  it('a change the author may not make, a missing title, a change that changes nothing', async () => {
    const org = await r.org();
    await w.grant(w.users.columnEditor.id, w.flagsId, {
      canEdit: true,
      columns: { key: 'read', Active: 'read', Message: 'write', Priority: 'read', ActivatedBy: 'hidden' },
    });
    await expect(
      r.requests.draft(r.cole, org, [r.update('Main Line', { Priority: 1 })], { title: 'x' }),
    ).rejects.toThrow(/would change “Priority”, which you may not change/);
    await expect(r.requests.draft(r.tess, org, [r.update('Main Line', { Priority: 5 })], {})).rejects.toThrow(
      /title is required/i,
    );
    const same = r.flagRow('Main Line')!.Priority!;
    await expect(
      r.requests.draft(r.tess, org, [r.update('Main Line', { Priority: same })], { title: 'x' }),
    ).rejects.toThrow(/change nothing/);
  });
});
