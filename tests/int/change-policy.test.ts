// Change policies (issue 15): an org's default, a table's own overriding it, the strictest of several tables,
// who may set them, and the audit entry of each change; the per-table policies page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actorOfUser, ADMIN_ACTOR, csrfFrom, type Agent } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { ForbiddenError, ValidationError } from '../../src/lib/errors.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const policies = () => w.t.services.changePolicies;
const org = () => w.t.services.orgs.get(w.orgId);
const setOrgPolicy = (changePolicy: string, approvalsNeeded: number) =>
  w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy, approvalsNeeded } });

describe('the policy that governs a table', () => {
  it("follows the org's default until the table has its own", async () => {
    expect(await policies().for(await org(), w.flagsId)).toEqual({ mode: 'direct', approvalsNeeded: 0 });
    await setOrgPolicy('approval', 2);
    expect(await policies().for(await org(), w.flagsId)).toEqual({ mode: 'approval', approvalsNeeded: 2 });
    await policies().save(
      ADMIN_ACTOR,
      await org(),
      w.flagsId,
      { mode: 'direct', approvalsNeeded: 0 },
      'Emergency Flags',
    );
    expect(await policies().for(await org(), w.flagsId)).toEqual({ mode: 'direct', approvalsNeeded: 0 });
    // The other table still follows the org.
    expect(await policies().for(await org(), w.hoursId)).toEqual({ mode: 'approval', approvalsNeeded: 2 });
    await policies().save(ADMIN_ACTOR, await org(), w.flagsId, null, 'Emergency Flags');
    expect(await policies().for(await org(), w.flagsId)).toEqual({ mode: 'approval', approvalsNeeded: 2 });
  });

  it('takes the strictest of several tables: approval over direct, then the most approvers', async () => {
    const o = await org();
    await policies().save(ADMIN_ACTOR, o, w.flagsId, { mode: 'approval', approvalsNeeded: 3 }, 'Emergency Flags');
    expect(await policies().forTables(o, [w.hoursId])).toEqual({ mode: 'direct', approvalsNeeded: 0 });
    expect(await policies().forTables(o, [w.hoursId, w.flagsId])).toEqual({ mode: 'approval', approvalsNeeded: 3 });
    await setOrgPolicy('approval', 1);
    await policies().save(ADMIN_ACTOR, o, w.flagsId, { mode: 'direct', approvalsNeeded: 0 }, 'Emergency Flags');
    expect(await policies().forTables(await org(), [w.flagsId, w.hoursId])).toEqual({
      mode: 'approval',
      approvalsNeeded: 1,
    });
  });

  it('reads an unknown stored mode as approval (fail closed)', async () => {
    await setOrgPolicy('sometimes', 7);
    expect(await policies().for(await org(), w.flagsId)).toEqual({ mode: 'approval', approvalsNeeded: 3 });
  });
});

describe('saving a table policy', () => {
  it('is for administrators only, and a refusal writes nothing', async () => {
    const user = await actorOfUser(w.t, w.users.tableEditor.id);
    await expect(
      policies().save(user, await org(), w.flagsId, { mode: 'direct', approvalsNeeded: 0 }, 'Emergency Flags'),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await w.t.db.tableChangePolicy.count()).toBe(0);
    expect(await w.t.db.auditEvent.count({ where: { action: 'policy.saved' } })).toBe(0);
  });

  it('refuses an approval count outside 1-3, naming it', async () => {
    for (const n of [0, 4, 1.5]) {
      const err = await policies()
        .save(ADMIN_ACTOR, await org(), w.flagsId, { mode: 'approval', approvalsNeeded: n }, 'Emergency Flags')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors.approvalsNeeded).toContain(`“${n}”`);
    }
    expect(await w.t.db.tableChangePolicy.count()).toBe(0);
  });

  it('is audited with the policy before and after; saving the same again records nothing', async () => {
    const o = await org();
    await policies().save(ADMIN_ACTOR, o, w.flagsId, { mode: 'approval', approvalsNeeded: 2 }, 'Emergency Flags');
    await policies().save(ADMIN_ACTOR, o, w.flagsId, { mode: 'approval', approvalsNeeded: 2 }, 'Emergency Flags');
    await policies().save(ADMIN_ACTOR, o, w.flagsId, null, 'Emergency Flags');
    const entries = await w.t.db.auditEvent.findMany({ where: { action: 'policy.saved' }, orderBy: { seq: 'asc' } });
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ orgId: w.orgId, tableId: w.flagsId, actorId: ADMIN_ACTOR.userId });
    expect(JSON.parse(entries[0]!.before!)).toBeNull();
    expect(JSON.parse(entries[0]!.after!)).toEqual({ mode: 'approval', approvalsNeeded: 2 });
    expect(JSON.parse(entries[0]!.details!)).toEqual({ table: 'Emergency Flags', inherits: false });
    expect(JSON.parse(entries[1]!.after!)).toBeNull();
    expect(JSON.parse(entries[1]!.details!)).toEqual({ table: 'Emergency Flags', inherits: true });
  });
});

describe('the change policies page', () => {
  const pageUrl = () => `/admin/orgs/${w.orgId}/policies`;
  const saveUrl = (tableId: string) => `/admin/orgs/${w.orgId}/policies/${tableId}`;
  const post = async (agent: Agent, url: string, fields: Record<string, string>) =>
    agent
      .post(url)
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account'), ...fields });

  it("lists the org's tables with the policy governing each, and saves a table's own", async () => {
    await setOrgPolicy('approval', 2);
    const page = await w.admin.get(pageUrl());
    expect(page.status).toBe(200);
    for (const name of ['Emergency Flags', 'Opening Hours', 'Queue Routing']) expect(page.text).toContain(name);
    expect(page.text).toContain('Needs approval by 2 people');
    const res = await post(w.admin, saveUrl(w.flagsId), { policy: 'approval', approvalsNeeded: '3' });
    expect(res.status).toBe(303);
    expect(await policies().for(await org(), w.flagsId)).toEqual({ mode: 'approval', approvalsNeeded: 3 });
    const stored = await w.t.db.tableChangePolicy.findFirstOrThrow();
    expect(stored).toMatchObject({ tableId: w.flagsId, tableName: 'Emergency Flags' });
    const again = await w.admin.get(pageUrl());
    expect(again.text).toContain('Needs approval by 3 people');
    // Back to the org's default.
    await post(w.admin, saveUrl(w.flagsId), { policy: 'inherit' }).then((r) => expect(r.status).toBe(303));
    expect(await w.t.db.tableChangePolicy.count()).toBe(0);
  });

  it('refuses a bad policy or approval count with a message naming it, beside that table', async () => {
    const bad = await post(w.admin, saveUrl(w.flagsId), { policy: 'approval', approvalsNeeded: '9' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Approvals needed must be a whole number from 1 to 3 (got “9”)');
    const unknown = await post(w.admin, saveUrl(w.flagsId), { policy: 'whenever' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('“whenever” is not a choice here');
    expect(await w.t.db.tableChangePolicy.count()).toBe(0);
  });

  it('a table Genesys does not have is a 404, not a stored policy', async () => {
    const res = await post(w.admin, saveUrl('no-such-table'), { policy: 'direct' });
    expect(res.status).toBe(404);
    expect(await w.t.db.tableChangePolicy.count()).toBe(0);
  });

  it('is for administrators only: a user gets 403 and nothing is written', async () => {
    const user = w.users.tableEditor.agent;
    expect((await user.get(pageUrl())).status).toBe(403);
    const res = await post(user, saveUrl(w.flagsId), { policy: 'direct' });
    expect(res.status).toBe(403);
    expect(await w.t.db.tableChangePolicy.count()).toBe(0);
    expect(await w.t.db.auditEvent.count({ where: { action: 'policy.saved' } })).toBe(0);
  });

  it('refuses a save without a valid CSRF token', async () => {
    for (const token of [undefined, 'forged-token']) {
      const res = await w.admin
        .post(saveUrl(w.flagsId))
        .type('form')
        .send({ ...(token ? { _csrf: token } : {}), policy: 'approval', approvalsNeeded: '2' });
      expect(res.status).toBe(403);
    }
    expect(await w.t.db.tableChangePolicy.count()).toBe(0);
  });
});
