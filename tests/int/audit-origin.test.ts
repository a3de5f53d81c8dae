// Every audited change says where it came from, as table changes always did: the address and the request id
// (the X-Request-Id the response carried). The route builds one Actor with both and every service takes it,
// so org, user, rights, setup and sign-in entries carry them too (ISSUE 14: one actor).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { ADMIN, csrfFrom, createTestApp, signIn, type Agent, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: Agent;
let sandboxCreated: Response;
beforeAll(async () => {
  t = await createTestApp();
  admin = t.agent();
  const setupToken = t.services.setup.setupTokenToAnnounce() ?? undefined;
  // (Each token is read before its post: the agent attaches the session cookie when a request is made.)
  const setupForm = await csrfFrom(admin, '/setup');
  await admin
    .post('/setup')
    .type('form')
    .send({ _csrf: setupForm, ...ADMIN, passwordConfirm: ADMIN.password, setupToken })
    .expect(303);
  // The wizard's second step: the sandbox org, created by the new administrator's request.
  const connectForm = await csrfFrom(admin, '/setup/connect');
  sandboxCreated = await admin.post('/setup/connect/sandbox').type('form').send({ _csrf: connectForm }).expect(303);
}, 60_000);
afterAll(async () => t.close());

/** The newest audit entry of `action`. */
const newest = (action: string) => t.db.auditEvent.findFirstOrThrow({ where: { action }, orderBy: { seq: 'desc' } });

/** What an entry recorded for the request that made `res` (supertest connects over loopback, IPv4 or IPv4-mapped). */
function expectFrom(entry: { ip: string | null; requestId: string | null }, res: Response, what: string): void {
  expect(entry.ip, `${what}: the address`).toMatch(/127\.0\.0\.1$/);
  expect(entry.requestId, `${what}: the request`).toBe(res.headers['x-request-id']);
  expect(entry.requestId, `${what}: the request`).toMatch(/^[0-9a-f-]{36}$/);
}

describe('where an audited change came from', () => {
  it('is recorded for an org created in the setup wizard', async () => {
    expectFrom(await newest('org.created'), sandboxCreated, 'org.created');
  });

  it('is recorded for a user, their rights and their sign-ins', async () => {
    const token = await csrfFrom(admin, '/admin/users/new');
    const password = 'a long enough walnut harbour 71';
    const created = await admin
      .post('/admin/users')
      .type('form')
      .send({
        _csrf: token,
        email: 'rita@example.com',
        displayName: 'Rita',
        role: 'USER',
        password,
        passwordConfirm: password,
      })
      .expect(303);
    const userCreated = await newest('user.created');
    expectFrom(userCreated, created, 'user.created');

    const org = await t.db.genesysOrg.findFirstOrThrow();
    const flags = (await (await t.services.orgs.gatewayFor(org.id)).listTables()).find(
      (x) => x.name === 'Emergency Flags',
    )!;
    const saved = await admin
      .post(`/admin/users/${userCreated.targetUserId}/permissions/${org.id}/${flags.id}`)
      .type('form')
      .send({ _csrf: token, canView: 'on', defaultColumnAccess: 'read' })
      .expect(303);
    expectFrom(await newest('permission.saved'), saved, 'permission.saved');

    const failed = await signIn(t, 'rita@example.com', 'not her password at all');
    expect(failed.res.status).toBe(401);
    expectFrom(await newest('auth.sign_in_failed'), failed.res, 'auth.sign_in_failed');
    const signedIn = await signIn(t, 'rita@example.com', password);
    expect(signedIn.res.status).toBe(303);
    expectFrom(await newest('auth.sign_in'), signedIn.res, 'auth.sign_in');
  });

  it("is recorded, with the right person, for exports, a password change and ending one's sessions", async () => {
    const password = 'a long enough walnut harbour 71';
    const { agent: rita } = await signIn(t, 'rita@example.com', password);
    const ritaId = (await t.db.user.findUniqueOrThrow({ where: { email: 'rita@example.com' } })).id;
    const org = await t.db.genesysOrg.findFirstOrThrow();
    const flags = (await (await t.services.orgs.gatewayFor(org.id)).listTables()).find(
      (x) => x.name === 'Emergency Flags',
    )!;
    const checks: [string, () => Promise<Response>][] = [
      [
        'user.password_changed',
        async () =>
          rita
            .post('/account/password')
            .type('form')
            .send({
              _csrf: await csrfFrom(rita, '/account'),
              currentPassword: password,
              password: 'another long enough passphrase 9',
              passwordConfirm: 'another long enough passphrase 9',
            })
            .expect(303),
      ],
      ['table.exported', () => rita.get(`/tables/${flags.id}/export.csv`).expect(200)],
      ['audit.exported', () => rita.get('/audit/export.json').expect(200)],
      [
        'session.ended_all',
        async () =>
          rita
            .post('/account/sessions/end-others')
            .type('form')
            .send({ _csrf: await csrfFrom(rita, '/account') })
            .expect(303),
      ],
    ];
    for (const [action, act] of checks) {
      const res = await act();
      const entry = await newest(action);
      expectFrom(entry, res, action);
      expect(entry.actorId, `${action}: who`).toBe(ritaId);
      expect(entry.actorName, `${action}: who`).toBe('Rita <rita@example.com>');
    }
  });
});
