// Held requests settled by people through services.requests, with the real apply job: a row changed in
// Genesys before the apply is held (never overwritten); an approver re-approves writing over it, or the
// author drops it. And the engine's playbook path: the run-playbooks right stands in for the write rights.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newChangeId } from '../../src/features/changes/row-change.js';
import type { PermissionWorld } from '../helpers/permission-fixtures.js';
import { requestTestWorld, type RequestWorld } from '../helpers/request-fixtures.js';

const HOUR = 3_600_000;
let w: PermissionWorld;
let r: RequestWorld;
beforeAll(async () => ({ w, r } = await requestTestWorld()));
afterAll(async () => w.t.close());
beforeEach(async () => r.resetRights());

/** A request of Tess approved by Vic to apply in an hour; then someone edits the row in Genesys. */
async function heldRequest(message: string) {
  const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Message: message })], {
    title: message,
  });
  await r.requests.submit(r.tess, d.id, { applyAt: new Date(w.t.clock.now() + HOUR) });
  await r.requests.approve(r.vic, d.id, { version: 1 });
  const g = await w.t.services.orgs.gatewayFor(w.orgId);
  await g.updateRow(w.flagsId, 'Main Line', { ...r.flagRow('Main Line')!, Message: 'Edited in Genesys' });
  w.t.clock.advance(HOUR);
  await w.t.services.periodic.tick();
  await r.settle();
  const held = await r.requests.get(r.tess, d.id);
  expect(held).toMatchObject({ status: 'held', heldPhase: 'apply' });
  expect(held.rows[0]).toMatchObject({
    state: 'held',
    theirs: expect.objectContaining({ Message: 'Edited in Genesys' }),
  });
  return held;
}

describe('a held request', () => {
  it('re-approved by an approver: written over what was found, as approved', async () => {
    const held = await heldRequest('Re-approved text');
    await expect(r.requests.reapproveHeld(r.tess, held.id, { version: held.version })).rejects.toMatchObject({
      status: 403,
    });
    await r.requests.reapproveHeld(r.vic, held.id, { version: held.version, comment: 'Mine wins' });
    await r.settle();
    expect((await r.requests.get(r.tess, held.id)).status).toBe('applied');
    expect(r.flagRow('Main Line')!.Message).toBe('Re-approved text');
  });

  it('dropped by the author: left as found, the request applied as far as it went', async () => {
    const held = await heldRequest('Dropped text');
    const after = await r.requests.dropHeld(r.tess, held.id);
    expect(after.status).toBe('applied');
    expect(after.rows[0]!.state).toBe('dropped');
    expect(r.flagRow('Main Line')!.Message).toBe('Edited in Genesys');
    await expect(r.requests.withdraw(r.tess, held.id)).rejects.toMatchObject({ status: 409 });
  });
});

describe('a playbook run through the engine', () => {
  const run = async (actor: typeof r.tess) =>
    w.t.services.engine.apply({
      actor,
      org: await r.org(),
      batchId: null,
      reason: 'snow',
      doing: 'This playbook',
      via: 'playbook',
      changes: [{ id: newChangeId(), kind: 'update', tableId: w.flagsId, key: 'Main Line', write: { Active: true } }],
    });

  it('needs the run-playbooks right, not the edit right, and nothing in a read-only org', async () => {
    await expect(run(r.vic)).rejects.toThrow('You may not run playbooks on this table.');
    await w.grant(w.users.viewer.id, w.flagsId, { canRunPlaybooks: true, defaultColumnAccess: 'read' });
    expect((await run(r.vic)).results[0]!.status).toMatch(/applied|unchanged/);
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: true } });
    await expect(run(r.vic)).rejects.toThrow(/read-only/);
  });
});
