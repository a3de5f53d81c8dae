// Playbooks attacked (issue 15, R1/R5): a playbook's content waiting for approval is a change request too, and
// must never be written to Genesys however it is scheduled or approved; a runner acting on the content request
// or on her own run's request through the request routes cannot change what runs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_ACTOR, actorOfUser, createUser, signIn, type Agent } from '../helpers/test-app.js';
import {
  PASSWORD,
  permissionWorld,
  postForm,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

const HOUR = 3_600_000;
let w: PermissionWorld;
let rita: { id: number; agent: Agent };

const flagRow = (key: string) => sandboxTable(w, 'Emergency Flags').rows.get(key)!;
const setPolicy = (changePolicy: 'direct' | 'approval') =>
  w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy, approvalsNeeded: 1 } });

/** A playbook made under the direct policy (published at once), then given new content waiting for approval. */
async function withPendingContent(name: string, message: string) {
  // A fresh session: the manual clock passes hours in these tests (sessions time out).
  const admin = (await signIn(w.t, ADMIN.email, ADMIN.password)).agent;
  await setPolicy('direct');
  const content = (m: string) =>
    JSON.stringify([{ table: 'Emergency Flags', key: 'Weather Closure', kind: 'update', values: { Message: m } }]);
  expect((await postForm(admin, '/playbooks', { name, content: content('Approved text') })).status).toBe(303);
  const p = await w.t.db.playbook.findFirstOrThrow({ where: { name } });
  await setPolicy('approval');
  expect((await postForm(admin, `/playbooks/${p.id}`, { name, content: content(message) })).status).toBe(303);
  const pending = (await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } })).pendingRequestId!;
  expect(pending).toBeTruthy();
  return { playbookId: p.id, requestId: pending };
}

beforeAll(async () => {
  w = await permissionWorld();
  const u = await createUser(w.t, { email: 'rita@example.com', displayName: 'Rita', password: PASSWORD });
  rita = { id: u.id, agent: (await signIn(w.t, u.email, PASSWORD)).agent };
}, 60_000);
afterAll(async () => w.t.close());
beforeEach(async () => {
  await w.grant(rita.id, w.flagsId, { canRunPlaybooks: true, defaultColumnAccess: 'read' });
  await w.grant(w.users.tableEditor.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'write' });
});

describe("a playbook's content is published, never written", () => {
  it('takes no apply or revert time, named by field', async () => {
    const { requestId } = await withPendingContent('Scheduled content', 'Not yet');
    const at = new Date(w.t.clock.now() + 2 * HOUR);
    await expect(w.t.services.requests.setSchedule(ADMIN_ACTOR, requestId, { applyAt: at })).rejects.toMatchObject({
      status: 400,
      fieldErrors: { applyAt: expect.stringMatching(/takes no schedule/) },
    });
    await expect(w.t.services.requests.setSchedule(ADMIN_ACTOR, requestId, { revertAt: at })).rejects.toMatchObject({
      status: 400,
    });
    expect((await w.t.db.changeRequest.findUniqueOrThrow({ where: { id: requestId } })).applyAt).toBeNull();
  });

  it('is not written by the scheduler even when it carries a time', async () => {
    const { requestId } = await withPendingContent('Forced time', 'Written by the scheduler?');
    // However a time got there (an older build, a direct edit), the scheduler must not write the content.
    const at = new Date(w.t.clock.now() + HOUR);
    await w.t.db.changeRequest.update({ where: { id: requestId }, data: { applyAt: at } });
    const approver = await actorOfUser(w.t, w.users.tableEditor.id);
    const { version } = await w.t.db.changeRequest.findUniqueOrThrow({ where: { id: requestId } });
    await w.t.services.requests.approve(approver, requestId, { version });
    const writes = w.writes();
    w.t.clock.advance(HOUR + 1000); // due now, not late (a late apply is held anyway)
    await w.t.services.periodic.tick();
    await w.t.services.jobs.idle();
    expect(w.writes()).toBe(writes);
    expect(flagRow('Weather Closure').Message).not.toBe('Written by the scheduler?');
    expect((await w.t.db.changeRequest.findUniqueOrThrow({ where: { id: requestId } })).status).not.toBe('applied');
  });
});

describe('R5: a runner through the request routes', () => {
  it('cannot approve, reschedule or send back the content, nor reschedule her own run', async () => {
    const fresh = (await signIn(w.t, 'rita@example.com', PASSWORD)).agent;
    const { playbookId, requestId } = await withPendingContent('Runner probes', 'Widened');
    for (const [action, body] of [
      ['approve', { version: '1' }],
      ['schedule', { applyAt: '2099-01-01T10:00' }],
      ['ask-changes', { reason: 'x' }],
      ['submit', {}],
      ['withdraw', {}],
    ] as const) {
      const res = await postForm(fresh, `/requests/${requestId}/${action}`, body);
      expect(res.status, action).not.toBe(303);
      expect(res.status, action).toBeLessThan(500);
    }
    expect((await w.t.db.changeRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('submitted');
    await setPolicy('direct');
    const run = await postForm(fresh, `/playbooks/${playbookId}/run`, { reason: 'probe', content: '[]', rows: 'x' });
    expect(run.status, run.text.slice(0, 300)).toBe(303);
    const runId = (
      await w.t.db.changeRequest.findFirstOrThrow({
        where: { playbookId, purpose: 'change' },
        orderBy: { createdAt: 'desc' },
      })
    ).id;
    await w.t.services.jobs.idle();
    const res = await postForm(fresh, `/requests/${runId}/schedule`, { applyAt: '2099-01-01T10:00' });
    expect(res.status).toBe(409);
    expect(flagRow('Weather Closure').Message).toBe('Approved text');
  });
});
