// Change policies (issue 15): an org's default, a table's own overriding it, the strictest of several tables,
// who may set them, and the audit entry of each change; the per-table policies page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actorOfUser, ADMIN_ACTOR } from '../helpers/test-app.js';
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
