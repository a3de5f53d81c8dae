// L1 of the security checklist: every security event is in the application log (JSON lines, what an admin
// ships to a log system) with who (userId, or the account aimed at), what (event), when (ISO 8601 UTC),
// where (ip, requestId) and the outcome: sign-in success and failure, sign-out, an authorization failure, a
// CSRF failure, a validation failure, a grant change, a credential change, an export, a restore and a
// rollback (undo).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signIn } from '../helpers/test-app.js';
import { PASSWORD, permissionWorld, restoreJobPage, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { eventually } from '../helpers/eventually.js';

let w: PermissionWorld;
beforeAll(async () => {
  w = await permissionWorld();
}, 60_000);
afterAll(async () => w.t.close());

type Line = Record<string, unknown>;
const lines = (): Line[] => w.t.logs.entries();

/** The log lines of `event` written since `from` (an index into the captured lines). */
function eventLines(event: string, from: number): Line[] {
  return lines()
    .slice(from)
    .filter((l) => l.event === event);
}

function expectComplete(event: string, from: number, who: { userId?: number; targetUserId?: number }) {
  const found = eventLines(event, from);
  expect(found.length, `${event} logged`).toBeGreaterThan(0);
  // (The sign-in service also writes its own line, with the email and reason, beside the audited one.)
  const line = found.find((l) => l.outcome !== undefined) ?? found[0]!;
  if (who.userId !== undefined) expect(line.userId, `${event}: who`).toBe(who.userId);
  if (who.targetUserId !== undefined) expect(line.targetUserId, `${event}: whom`).toBe(who.targetUserId);
  expect(line.timestamp, `${event}: when`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(line.ip, `${event}: where (ip)`).toMatch(/127\.0\.0\.1/);
  expect(line.requestId, `${event}: where (request)`).toMatch(/^[0-9a-f-]{36}$/);
  expect(['success', 'failure', 'refused', 'intent', 'applied'], `${event}: outcome ${String(line.outcome)}`).toContain(
    line.outcome,
  );
  return line;
}

describe('security events in the application log (L1)', () => {
  it('logs sign-in success and failure, and sign-out', async () => {
    const viewer = w.users.viewer.id;
    let from = lines().length;
    await signIn(w.t, 'vic@example.com', 'not the password at all');
    expect(expectComplete('auth.sign_in_failed', from, { targetUserId: viewer }).outcome).toBe('failure');
    from = lines().length;
    const { agent } = await signIn(w.t, 'vic@example.com', PASSWORD);
    expect(expectComplete('auth.sign_in', from, { userId: viewer }).outcome).toBe('success');
    from = lines().length;
    await agent
      .post('/logout')
      .set('X-CSRF-Token', await csrfFrom(agent, '/account'))
      .type('form')
      .send({});
    expect(expectComplete('auth.sign_out', from, { userId: viewer }).outcome).toBe('success');
  });

  it('logs refusals: authorization, CSRF and validation failures', async () => {
    const { id, agent } = w.users.tableEditor;
    let from = lines().length;
    expect((await agent.get('/admin/users')).status).toBe(403);
    expect(expectComplete('security.access_denied', from, { userId: id }).outcome).toBe('refused');
    from = lines().length;
    expect((await agent.post('/account/password').type('form').send({ _csrf: 'forged' })).status).toBe(403);
    expect(expectComplete('security.csrf_failed', from, { userId: id }).outcome).toBe('refused');
    const token = await csrfFrom(agent, '/account');
    from = lines().length;
    expect(
      (await agent.post('/account/password').set('X-CSRF-Token', token).type('form').send({ currentPassword: 'x' }))
        .status,
    ).toBe(400); // re-shows the form
    expect(expectComplete('security.validation_failed', from, { userId: id }).outcome).toBe('refused');
    from = lines().length;
    expect((await agent.get('/audit?before=abc')).status).toBe(400); // an error page
    expectComplete('security.validation_failed', from, { userId: id });
  });

  it('logs a grant change, a credential change and an export', async () => {
    const admin = w.admin;
    const adminId = (await w.t.db.user.findFirstOrThrow({ where: { role: 'ADMIN' } })).id;
    const token = await csrfFrom(admin, '/account');
    let from = lines().length;
    const saved = await admin
      .post(`/admin/users/${w.users.none.id}/permissions/${w.orgId}/${w.flagsId}`)
      .set('X-CSRF-Token', token)
      .type('form')
      .send({ canView: 'on', defaultColumnAccess: 'read' });
    expect(saved.status).toBe(303);
    expect(expectComplete('permission.saved', from, { userId: adminId, targetUserId: w.users.none.id }).outcome).toBe(
      'success',
    );
    from = lines().length;
    const reset = await admin
      .post(`/admin/users/${w.users.none.id}/reset-password`)
      .set('X-CSRF-Token', token)
      .type('form')
      .send({ password: 'temporary walnut harbour 71', passwordConfirm: 'temporary walnut harbour 71' });
    expect(reset.status).toBe(303);
    expectComplete('user.password_reset', from, { userId: adminId, targetUserId: w.users.none.id });
    from = lines().length;
    expect((await admin.get(`/tables/${w.flagsId}/export.csv`)).status).toBe(200);
    expectComplete('table.exported', from, { userId: adminId });
  });

  it('logs a rollback (undo) and a restore', async () => {
    const admin = w.admin;
    const adminId = (await w.t.db.user.findFirstOrThrow({ where: { role: 'ADMIN' } })).id;
    const token = await csrfFrom(admin, '/account');
    await admin
      .post(`/tables/${w.flagsId}/rows/${encodeURIComponent('Main Line')}`)
      .set('X-CSRF-Token', token)
      .type('form')
      .send({ 'f:Message': 'to be undone' });
    const change = await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'row.updated', outcome: 'intent' },
      orderBy: { seq: 'desc' },
    });
    let from = lines().length;
    expect(
      (await admin.post(`/audit/${change.seq}/undo`).set('X-CSRF-Token', token).type('form').send({})).status,
    ).toBe(303);
    const undo = eventLines('row.updated', from).find((l) => l.reverts === change.seq);
    expect(undo, 'the undo names the change it reverts').toBeDefined();
    expectComplete('row.updated', from, { userId: adminId });

    await admin.post('/backups').set('X-CSRF-Token', token).type('form').send({ table: w.flagsId });
    const backup = await eventually('the backup', () => w.t.db.backup.findFirst());
    from = lines().length;
    const started = await admin.post(`/backups/${backup!.id}/restore`).set('X-CSRF-Token', token).type('form').send({});
    expect(started.status).toBe(303);
    await restoreJobPage(admin, String(started.headers.location));
    expectComplete('backup.restored', from, { userId: adminId });
  });
});
