// Local changes (users, rights, orgs) and their audit entries commit together (ADR 016):
// an audit entry that cannot be written leaves the change unmade, and the last-admin check runs in the same
// transaction as the change, so two admins demoting (or disabling) each other at once leave one admin.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataTable } from '../../src/genesys/gateway.js';
import { actorFor } from '../../src/lib/actor.js';
import { ConflictError } from '../../src/lib/errors.js';
import { ADMIN, ADMIN_ACTOR, completeSetup, createTestApp, createUser, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  await completeSetup(t);
});
afterEach(async () => t.close());

/**
 * Makes every audit entry with this action fail to be written, as a full disk or a damaged file would (Prisma
 * reports the trigger's abort as a constraint violation).
 */
async function auditFailsFor(action: string): Promise<void> {
  await t.db.$executeRawUnsafe('DROP TRIGGER IF EXISTS audit_fails');
  await t.db.$executeRawUnsafe(
    `CREATE TEMP TRIGGER audit_fails BEFORE INSERT ON "AuditEvent" WHEN NEW."action" = '${action}' BEGIN SELECT RAISE(ABORT, 'injected: the audit entry cannot be written'); END`,
  );
}

const auditCount = (action: string) => t.db.auditEvent.count({ where: { action } });
const adminUser = () => t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });

describe('a change whose audit entry fails is not made', () => {
  it('user edit, disable and delete leave the user as they were', async () => {
    const bea = await createUser(t, {
      email: 'bea@example.com',
      displayName: 'Bea',
      password: 'bea long password',
      role: 'ADMIN',
    });
    const before = await t.db.user.findUniqueOrThrow({ where: { id: bea.id } });
    const users = t.services.userAdmin;
    await auditFailsFor('user.updated');
    await expect(
      users.update(ADMIN_ACTOR, bea.id, { email: 'bea@example.com', displayName: 'Beatrice', role: 'USER' }),
    ).rejects.toThrow();
    await auditFailsFor('user.disabled');
    await expect(users.setDisabled(ADMIN_ACTOR, bea.id, true)).rejects.toThrow();
    await auditFailsFor('user.deleted');
    await expect(users.delete(ADMIN_ACTOR, bea.id)).rejects.toThrow();
    expect(await t.db.user.findUniqueOrThrow({ where: { id: bea.id } })).toEqual(before);
    expect(
      (await auditCount('user.updated')) + (await auditCount('user.disabled')) + (await auditCount('user.deleted')),
    ).toBe(0);
  });

  it('a new user is not created without its entry', async () => {
    await auditFailsFor('user.created');
    const body = {
      email: 'new@example.com',
      displayName: 'New',
      role: 'USER',
      password: 'a fresh long passphrase',
      passwordConfirm: 'a fresh long passphrase',
    };
    await expect(t.services.userAdmin.create(ADMIN_ACTOR, body)).rejects.toThrow();
    expect(await t.db.user.findUnique({ where: { email: 'new@example.com' } })).toBeNull();
  });

  it('rights and org settings stay as they were', async () => {
    const org = await t.services.orgs.create(ADMIN_ACTOR, {
      name: 'Acme Prod',
      region: 'us_east_1',
      clientId: 'acme-client',
      clientSecret: 'acme-secret',
      color: 'blue',
      label: '',
      requestsPerMinute: '300',
    });
    const bea = await createUser(t, { email: 'bea@example.com', displayName: 'Bea', password: 'bea long password' });
    const table: DataTable = {
      id: 'table-1',
      name: 'Flags',
      description: '',
      division: { id: 'd', name: 'Home' },
      schema: {
        type: 'object',
        required: ['key'],
        properties: { key: { type: 'string', title: 'key' } },
        additionalProperties: false,
      },
    };
    await auditFailsFor('permission.saved');
    await expect(
      t.services.permissions.save(ADMIN_ACTOR, bea.id, org, table, { canView: 'on', 'col:key': 'read' }),
    ).rejects.toThrow();
    expect(await t.db.tablePermission.count()).toBe(0);
    await auditFailsFor('org.updated');
    await expect(
      t.services.orgs.update(ADMIN_ACTOR, org.id, {
        name: 'Acme Renamed',
        region: 'us_east_1',
        color: 'blue',
        label: '',
        requestsPerMinute: '300',
      }),
    ).rejects.toThrow();
    expect((await t.db.genesysOrg.findUniqueOrThrow({ where: { id: org.id } })).name).toBe('Acme Prod');
  });
});

describe('the last active admin', () => {
  it('two admins demoting each other at once: one is refused, one admin is left', async () => {
    const ada = await adminUser();
    const bea = await createUser(t, {
      email: 'bea@example.com',
      displayName: 'Bea',
      password: 'bea long password',
      role: 'ADMIN',
    });
    const demote = (u: typeof ada) => ({ email: u.email, displayName: u.displayName, role: 'USER' });
    const results = await Promise.allSettled([
      t.services.userAdmin.update(actorFor(ada), bea.id, demote(bea)),
      t.services.userAdmin.update(actorFor(bea), ada.id, demote(ada)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      ConflictError,
    );
    expect(await t.db.user.count({ where: { role: 'ADMIN', disabled: false } })).toBe(1);
    expect(await auditCount('user.updated')).toBe(1);
  });

  it('two admins disabling each other at once: one is refused, one admin is left', async () => {
    const ada = await adminUser();
    const bea = await createUser(t, {
      email: 'bea@example.com',
      displayName: 'Bea',
      password: 'bea long password',
      role: 'ADMIN',
    });
    const results = await Promise.allSettled([
      t.services.userAdmin.setDisabled(actorFor(ada), bea.id, true),
      t.services.userAdmin.setDisabled(actorFor(bea), ada.id, true),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await t.db.user.count({ where: { role: 'ADMIN', disabled: false } })).toBe(1);
    expect(await auditCount('user.disabled')).toBe(1);
  });
});
