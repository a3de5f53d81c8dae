// permissions/policy.ts: every "may this actor …?" answer, for an administrator, a user and the owner of a
// record, whether the actor is a signed-in user (id) or an Actor (userId).
import { describe, expect, it } from 'vitest';
import { columnRecord, type StoredRights } from '../../src/features/permissions/access.js';
import * as policy from '../../src/features/permissions/policy.js';
import type { Actor } from '../../src/lib/actor.js';
import type { CurrentUser } from '../../src/lib/current-user.js';

const admin: CurrentUser = {
  id: 1,
  email: 'ada@example.com',
  displayName: 'Ada',
  role: 'ADMIN',
  mustChangePassword: false,
};
const user: CurrentUser = {
  id: 2,
  email: 'tess@example.com',
  displayName: 'Tess',
  role: 'USER',
  mustChangePassword: false,
};
const userActor: Actor = {
  userId: 2,
  name: 'Tess <tess@example.com>',
  role: 'USER',
  ip: '203.0.113.5',
  requestId: 'r',
};
const adminActor: Actor = { userId: 1, name: 'Ada <ada@example.com>', role: 'ADMIN' };

const schema = {
  properties: {
    key: { type: 'string', title: 'key' },
    Notes: { type: 'string', title: 'Notes' },
    Secret: { type: 'string', title: 'Secret' },
  },
  required: ['key'],
} as unknown as Parameters<typeof policy.tableAccess>[1]['schema'];
const grant: StoredRights = {
  canView: true,
  canEdit: true,
  canAdd: false,
  canDelete: false,
  canApprove: false,
  canRunPlaybooks: false,
  defaultColumnAccess: 'hidden',
  columns: columnRecord([
    ['key', 'read'],
    ['Notes', 'write'],
  ] as const),
};

describe('questions only an administrator is answered yes', () => {
  const adminOnly = [
    policy.mayAdminister,
    policy.mayManageUsers,
    policy.mayCreateTables,
    policy.maySeeWholeAuditLog,
    policy.mayForceUndo,
    policy.mayRestoreForeign,
    policy.seesEveryonesRecords,
    policy.mayManagePlaybooks,
  ];
  it.each(adminOnly.map((f) => [f.name, f] as const))('%s', (_name, ask) => {
    expect(ask(admin)).toBe(true);
    expect(ask(adminActor)).toBe(true);
    expect(ask(user)).toBe(false);
    expect(ask(userActor)).toBe(false);
  });

  it('users, not administrators, are granted table rights and restore only what they see', () => {
    expect([policy.needsTableGrants(user), policy.needsTableGrants(admin)]).toEqual([true, false]);
    expect([policy.restoresVisibleColumnsOnly(userActor), policy.restoresVisibleColumnsOnly(adminActor)]).toEqual([
      true,
      false,
    ]);
    expect([policy.readinessViewOf(user), policy.readinessViewOf(admin)]).toEqual(['user', 'admin']);
  });
});

describe('records someone owns (jobs, backups): R8', () => {
  it('a user sees her own, not another’s nor the app’s own; an administrator sees all', () => {
    for (const who of [user, userActor]) {
      expect(policy.maySeeJob(who, { ownerId: 2 })).toBe(true);
      expect(policy.maySeeJob(who, { ownerId: 3 })).toBe(false);
      expect(policy.maySeeJob(who, { ownerId: null })).toBe(false);
      expect(policy.maySeeBackup(who, { ownerId: 3 })).toBe(false);
      expect(policy.listedOwner(who)).toBe(2);
    }
    expect(policy.maySeeJob(admin, { ownerId: 3 })).toBe(true);
    expect(policy.maySeeBackup(adminActor, { ownerId: null })).toBe(true);
    expect(policy.listedOwner(admin)).toBeUndefined();
  });

  it('a user deletes only backup files she uploaded; an administrator any backup', () => {
    expect(policy.mayDeleteBackup(user, { ownerId: 2, kind: 'uploaded' })).toBe(true);
    expect(policy.mayDeleteBackup(user, { ownerId: 2, kind: 'manual' })).toBe(false);
    expect(policy.mayDeleteBackup(user, { ownerId: 3, kind: 'uploaded' })).toBe(false);
    expect(policy.mayDeleteBackup(admin, { ownerId: null, kind: 'scheduled' })).toBe(true);
  });
});

describe('rights on a table (through access.ts)', () => {
  const org = { orgReadOnly: false, orgName: 'Acme' };
  it('an administrator has every right on every column whatever is stored', () => {
    expect(policy.rightsOf(admin, grant)).toBeNull();
    const access = policy.tableAccess(admin, { ...org, stored: null, schema });
    expect(access).toMatchObject({ canView: true, canEdit: true, canAdd: true, canDelete: true });
    expect({ ...access.columns }).toEqual({ key: 'write', Notes: 'write', Secret: 'write' });
  });

  it('a user has her grant, capped column by column; without a grant, nothing (deny by default)', () => {
    const access = policy.tableAccess(user, { ...org, stored: grant, schema });
    expect(access).toMatchObject({ canView: true, canEdit: true, canAdd: false, canDelete: false });
    expect({ ...access.columns }).toEqual({ key: 'read', Notes: 'write', Secret: 'hidden' });
    expect(policy.tableAccess(userActor, { ...org, stored: null, schema }).canView).toBe(false);
    expect(policy.rightsOf(user, undefined)?.canView).toBe(false);
  });

  it('a read-only org allows no writes, administrators included', () => {
    for (const who of [admin, user]) {
      const access = policy.tableAccess(who, { orgReadOnly: true, orgName: 'Acme', stored: grant, schema });
      expect([access.canEdit, access.canAdd, access.canDelete, access.columns.Notes]).toEqual([
        false,
        false,
        false,
        'read',
      ]);
    }
  });
});

describe('the answers the templates get', () => {
  it('name what the page may offer, and nothing to anyone signed out', () => {
    expect(policy.viewAnswers(admin)).toEqual({
      administer: true,
      createTables: true,
      seeWholeAuditLog: true,
      restoreVisibleColumnsOnly: false,
      managePlaybooks: true,
      manageColumnFormats: true,
    });
    expect(policy.viewAnswers(user)).toEqual({
      administer: false,
      createTables: false,
      seeWholeAuditLog: false,
      restoreVisibleColumnsOnly: true,
      managePlaybooks: false,
      manageColumnFormats: false,
    });
    expect(policy.viewAnswers(undefined).administer).toBe(false);
  });
});

describe('playbooks', () => {
  const runner: StoredRights = { ...grant, canEdit: false, canRunPlaybooks: true };
  const open = { readOnly: false };

  it('a user sees and runs a playbook only with "run playbooks" (and view) on every one of its tables', () => {
    expect(policy.maySeePlaybook(userActor, [runner, runner])).toBe(true);
    expect(policy.mayRunPlaybook(userActor, open, [runner, runner])).toBe(true);
    for (const other of [grant, { ...runner, canView: false }, policy.rightsOf(userActor, null)]) {
      expect(policy.maySeePlaybook(userActor, [runner, other])).toBe(false);
      expect(policy.mayRunPlaybook(userActor, open, [runner, other])).toBe(false);
    }
  });

  it("a playbook with no tables yet is only an administrator's; nobody runs one in a read-only org", () => {
    expect(policy.maySeePlaybook(userActor, [])).toBe(false);
    expect(policy.maySeePlaybook(adminActor, [])).toBe(true);
    expect(policy.mayRunPlaybook(adminActor, open, [null])).toBe(true);
    expect(policy.mayRunPlaybook(adminActor, { readOnly: true }, [null])).toBe(false);
    expect(policy.mayRunPlaybook(userActor, { readOnly: true }, [runner])).toBe(false);
  });
});
