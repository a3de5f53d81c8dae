// Change requests attacked as an attacker would (issue 15, security-reliability.md §1.10 R1–R4, R8): racing
// approvals, a policy made stricter after a request was scheduled, crafted POSTs without CSRF, with forged
// fields or odd ids, and the jobs of a request seen or stopped by someone else.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, postForm, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { signIn } from '../helpers/test-app.js';
import { requestTestWorld, type RequestWorld } from '../helpers/request-fixtures.js';

const HOUR = 3_600_000;
let w: PermissionWorld;
let r: RequestWorld;
beforeAll(async () => ({ w, r } = await requestTestWorld()));
afterAll(async () => w.t.close());
beforeEach(async () => {
  await r.resetRights();
  await r.setPolicy('approval', 1);
  await w.grant(w.users.columnEditor.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'read' });
});

const submitted = async (message: string, schedule: { applyAt?: Date; revertAt?: Date } = {}) => {
  const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Message: message })], {
    title: message,
  });
  return r.requests.submit(r.tess, d.id, schedule);
};
const inHours = (h: number) => new Date(w.t.clock.now() + h * HOUR);
/** A fresh session (the manual clock passes hours here: the fixture's sessions time out). */
const signedIn = async (name: 'vic' | 'tess') => (await signIn(w.t, `${name}@example.com`, PASSWORD)).agent;
const passHours = async (h: number) => {
  w.t.clock.advance(h * HOUR);
  await w.t.services.periodic.tick();
  await r.settle();
};

describe('R4: racing approvals', () => {
  it('two approvals at once change the status once, apply once and audit each step once', async () => {
    const req = await submitted('Raced');
    const writes = w.writes();
    const results = await Promise.allSettled([
      r.requests.approve(r.vic, req.id, { version: 1 }),
      r.requests.approve(r.cole, req.id, { version: 1 }),
    ]);
    await r.settle();
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect((await r.requests.get(r.tess, req.id)).status).toBe('applied');
    const entries = await r.entries(req.id);
    expect(entries.filter((a) => a === 'request.approved')).toHaveLength(1);
    expect(entries.filter((a) => a === 'request.applied')).toHaveLength(1);
    expect(w.writes() - writes).toBe(1);
  });
});

describe('R3: a policy made stricter after the request was scheduled', () => {
  it('holds a request approved with no approval once its table needs one, writing nothing', async () => {
    await r.setPolicy('direct');
    const req = await submitted('Scheduled while direct', { applyAt: inHours(2) });
    expect(req.status).toBe('approved');
    expect(req.approvalsNeeded).toBe(0);
    await r.setPolicy('approval', 1);
    const writes = w.writes();
    await passHours(2);
    const after = await r.requests.get(r.tess, req.id);
    expect(after.status).toBe('held');
    expect(after.heldReason).toMatch(/needs? 1 approval/);
    expect(w.writes()).toBe(writes);
    // Confirming it does not get round the policy either.
    await r.requests.confirmHeld(r.tess, req.id);
    await r.settle();
    expect((await r.requests.get(r.tess, req.id)).status).toBe('held');
    expect(w.writes()).toBe(writes);
  });
});

describe('crafted posts', () => {
  it('refuses every request action without a CSRF token, changing nothing', async () => {
    const req = await submitted('CSRF target');
    const agent = await signedIn('vic');
    for (const action of ['approve', 'reject', 'ask-changes', 'comment', 'withdraw', 'submit', 'schedule']) {
      const res = await agent
        .post(`/requests/${req.id}/${action}`)
        .type('form')
        .send({ version: '1', reason: 'x', comment: 'x' });
      expect(res.status, action).toBe(403);
    }
    expect((await r.requests.get(r.tess, req.id)).status).toBe('submitted');
  });

  it('ignores forged fields on an approval: status, author, approvals needed, schedule', async () => {
    await r.setPolicy('approval', 2);
    const req = await submitted('Forged fields', { applyAt: inHours(3) });
    const res = await postForm(await signedIn('vic'), `/requests/${req.id}/approve`, {
      version: '1',
      status: 'approved',
      authorId: String(w.users.viewer.id),
      approvalsNeeded: '0',
      applyAt: '2000-01-01T00:00',
    });
    expect(res.status).toBe(303);
    const after = await r.requests.get(r.tess, req.id);
    expect(after).toMatchObject({ status: 'submitted', approvalsNeeded: 2, authorId: w.users.tableEditor.id });
    expect(after.applyAt?.getTime()).toBe(req.applyAt?.getTime());
  });

  it('answers odd ids and bodies with 4xx, never 5xx', async () => {
    const vic = await signedIn('vic');
    for (const id of ['x'.repeat(5000), '%E0%A4%A', '..%2F..%2Fetc', '__proto__', 'constructor'])
      expect((await vic.get(`/requests/${id}`)).status, id).toBeLessThan(500);
    const req = await submitted('Odd bodies');
    for (const body of [{ row: '1e999' }, { row: 'abc' }, { row: '' }] as Record<string, string>[])
      expect((await postForm(vic, `/requests/${req.id}/drop`, body)).status).toBeLessThan(500);
    for (const version of ['', '-1', '1.5', '9'.repeat(40), 'NaN'])
      expect((await postForm(vic, `/requests/${req.id}/approve`, { version })).status).toBeLessThan(500);
    const edits = { version: '1', 'edit:999999:Message': 'x', 'edit:1:__proto__': 'x', 'edit:1:constructor': 'x' };
    expect((await postForm(vic, `/requests/${req.id}/approve`, edits)).status).toBeLessThan(500);
    expect((await r.requests.get(r.tess, req.id)).status).toBe('submitted');
  });
});

describe('R8: the jobs of a request belong to its author', () => {
  it('others may not see, cancel or resume its apply job by id (404)', async () => {
    const req = await submitted('Job owner');
    await r.requests.approve(r.vic, req.id, { version: 1 });
    await r.settle();
    const jobId = (await w.t.db.changeRequest.findUniqueOrThrow({ where: { id: req.id } })).jobId!;
    expect(jobId).toBeTruthy();
    const vic = await signedIn('vic');
    expect((await vic.get(`/jobs/${jobId}`)).status).toBe(404);
    expect((await postForm(vic, `/jobs/${jobId}/cancel`)).status).toBe(404);
    expect((await postForm(vic, `/jobs/${jobId}/resume`)).status).toBe(404);
    expect((await (await signedIn('tess')).get(`/jobs/${jobId}`)).status).toBe(200);
  });
});
