// User administration and the account page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  completeSetup,
  createTestApp,
  createUser,
  csrfFrom,
  signIn,
  type Agent,
  type TestApp,
} from '../helpers/test-app.js';

let t: TestApp;
let admin: Agent;
beforeEach(async () => {
  t = await createTestApp();
  admin = await completeSetup(t);
});
afterEach(async () => t.close());

const adminId = async () => (await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } })).id;
async function post(agent: Agent, url: string, body: Record<string, string> = {}, from = '/') {
  return agent
    .post(url)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, from), ...body });
}

describe('managing users', () => {
  it('creates a user who must choose their own password at first sign-in', async () => {
    const res = await post(
      admin,
      '/admin/users',
      {
        email: 'Bea@Example.com',
        displayName: 'Bea',
        role: 'USER',
        password: 'temporary passphrase',
        passwordConfirm: 'temporary passphrase',
      },
      '/admin/users/new',
    );
    expect(res.status).toBe(303);
    const bea = await t.db.user.findUniqueOrThrow({ where: { email: 'bea@example.com' } });
    expect(bea).toMatchObject({ role: 'USER', mustChangePassword: true, disabled: false });
    const { agent } = await signIn(t, 'bea@example.com', 'temporary passphrase');
    expect((await agent.get('/tables')).headers.location).toBe('/account');
    expect((await post(agent, '/orgs/current', { orgId: 'x' }, '/account')).status).toBe(403);
    const changed = await post(
      agent,
      '/account/password',
      {
        currentPassword: 'temporary passphrase',
        password: 'my very own passphrase',
        passwordConfirm: 'my very own passphrase',
      },
      '/account',
    );
    expect(changed.status).toBe(303);
    expect((await agent.get('/tables')).status).toBe(200);
    const audit = await t.db.auditEvent.findMany({
      where: { targetUserId: bea.id, action: { startsWith: 'user.' } },
      orderBy: { seq: 'asc' },
    });
    expect(audit.map((e) => e.action)).toEqual(['user.created', 'user.password_changed']);
    expect(audit[0]!.after).not.toContain('passwordHash');
  });

  it('validates the form and refuses duplicate emails', async () => {
    await createUser(t, { email: 'taken@example.com', displayName: 'T', password: 'whatever long pass' });
    const res = await post(
      admin,
      '/admin/users',
      { email: 'taken@example.com', displayName: '', role: 'BOSS', password: 'short', passwordConfirm: 'x' },
      '/admin/users/new',
    );
    expect(res.status).toBe(400);
    for (const msg of ['Display name is required.', 'Choose Admin or User.']) expect(res.text).toContain(msg);
    const dup = await post(
      admin,
      '/admin/users',
      {
        email: 'taken@example.com',
        displayName: 'X',
        role: 'USER',
        password: 'temporary passphrase',
        passwordConfirm: 'temporary passphrase',
      },
      '/admin/users/new',
    );
    expect(dup.text).toContain('Another user already has this email address.');
  });

  it("disabling ends the user's sessions at once; enabling lets them back in", async () => {
    const u = await createUser(t, { email: 'd@example.com', displayName: 'Dee', password: 'dee long password' });
    const { agent } = await signIn(t, 'd@example.com', 'dee long password');
    expect((await post(admin, `/admin/users/${u.id}/disable`, {}, `/admin/users/${u.id}`)).status).toBe(303);
    expect((await agent.get('/')).headers.location).toBe('/login');
    expect((await signIn(t, 'd@example.com', 'dee long password')).res.status).toBe(401);
    await post(admin, `/admin/users/${u.id}/enable`, {}, `/admin/users/${u.id}`);
    expect((await signIn(t, 'd@example.com', 'dee long password')).res.status).toBe(303);
  });

  it('role changes apply on the next request', async () => {
    const u = await createUser(t, {
      email: 'r@example.com',
      displayName: 'Roy',
      password: 'roy long password',
      role: 'ADMIN',
    });
    const { agent } = await signIn(t, 'r@example.com', 'roy long password');
    expect((await agent.get('/admin/users')).status).toBe(200);
    await post(
      admin,
      `/admin/users/${u.id}`,
      { email: 'r@example.com', displayName: 'Roy', role: 'USER' },
      `/admin/users/${u.id}`,
    );
    expect((await agent.get('/admin/users')).status).toBe(403);
  });

  it('the last active admin cannot be disabled, demoted or deleted', async () => {
    const id = await adminId();
    const from = `/admin/users/${id}`;
    expect((await post(admin, `/admin/users/${id}/disable`, {}, from)).status).toBe(409);
    expect(
      (await post(admin, `/admin/users/${id}`, { email: ADMIN.email, displayName: 'A', role: 'USER' }, from)).status,
    ).toBe(409);
    const other = await createUser(t, {
      email: 'o@example.com',
      displayName: 'O',
      password: 'other admin pass',
      role: 'ADMIN',
    });
    const { agent } = await signIn(t, 'o@example.com', 'other admin pass');
    await post(agent, `/admin/users/${other.id}/disable`, {}, `/admin/users/${other.id}`); // refused? no: another admin exists
    expect((await t.db.user.findUniqueOrThrow({ where: { id: other.id } })).disabled).toBe(true);
    expect((await post(admin, `/admin/users/${id}/delete`, {}, from)).status).toBe(403); // not yourself
    expect((await t.db.user.findUniqueOrThrow({ where: { id } })).role).toBe('ADMIN');
  });

  it('shows a refused edit on the form again, with the reason and what was typed', async () => {
    const id = await adminId();
    const res = await post(
      admin,
      `/admin/users/${id}`,
      { email: ADMIN.email, displayName: 'Ada Renamed', role: 'USER' },
      `/admin/users/${id}`,
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('is the last active administrator');
    expect(res.text).toContain('value="Ada Renamed"');
  });

  it('deletes a user; their audit entries stay', async () => {
    const u = await createUser(t, { email: 'gone@example.com', displayName: 'Gone', password: 'gone long password' });
    expect((await post(admin, `/admin/users/${u.id}/delete`, {}, `/admin/users/${u.id}`)).status).toBe(303);
    expect(await t.db.user.findUnique({ where: { id: u.id } })).toBeNull();
    expect(await t.db.auditEvent.count({ where: { action: 'user.deleted', targetUserId: u.id } })).toBe(1);
  });

  it('resets a password: old one dead, sessions ended, change forced', async () => {
    const u = await createUser(t, { email: 'p@example.com', displayName: 'Pat', password: 'pat old password' });
    const { agent } = await signIn(t, 'p@example.com', 'pat old password');
    await post(
      admin,
      `/admin/users/${u.id}/reset-password`,
      { password: 'pat temporary words', passwordConfirm: 'pat temporary words' },
      `/admin/users/${u.id}`,
    );
    expect((await agent.get('/')).headers.location).toBe('/login');
    expect((await signIn(t, 'p@example.com', 'pat old password')).res.status).toBe(401);
    const fresh = await signIn(t, 'p@example.com', 'pat temporary words');
    expect((await fresh.agent.get('/')).headers.location).toBe('/account');
  });

  it('an admin can end all sessions of a user', async () => {
    const u = await createUser(t, { email: 's@example.com', displayName: 'Sam', password: 'sam long password' });
    const a = await signIn(t, 's@example.com', 'sam long password');
    const b = await signIn(t, 's@example.com', 'sam long password');
    await post(admin, `/admin/users/${u.id}/end-sessions`, {}, `/admin/users/${u.id}`);
    expect((await a.agent.get('/')).headers.location).toBe('/login');
    expect((await b.agent.get('/')).headers.location).toBe('/login');
  });
});

describe('your own account', () => {
  it('changing the password needs the current one, and can sign out the other sessions', async () => {
    await createUser(t, { email: 'me@example.com', displayName: 'Me', password: 'my first password' });
    const one = await signIn(t, 'me@example.com', 'my first password');
    const two = await signIn(t, 'me@example.com', 'my first password');
    const wrong = await post(
      one.agent,
      '/account/password',
      {
        currentPassword: 'not it',
        password: 'my second password',
        passwordConfirm: 'my second password',
        signOutOthers: 'on',
      },
      '/account',
    );
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('The current password is not correct.');
    const ok = await post(
      one.agent,
      '/account/password',
      {
        currentPassword: 'my first password',
        password: 'my second password',
        passwordConfirm: 'my second password',
        signOutOthers: 'on',
      },
      '/account',
    );
    expect(ok.status).toBe(303);
    expect((await one.agent.get('/account')).status).toBe(200);
    expect((await two.agent.get('/')).headers.location).toBe('/login');
  });

  it('lists your sessions without exposing session ids, and ends one', async () => {
    await createUser(t, { email: 'me@example.com', displayName: 'Me', password: 'my first password' });
    const one = await signIn(t, 'me@example.com', 'my first password');
    const two = await signIn(t, 'me@example.com', 'my first password');
    const page = await one.agent.get('/account');
    const sids = (await t.db.session.findMany({ where: { user: { email: 'me@example.com' } } })).map((s) => s.sid);
    for (const sid of sids) expect(page.text).not.toContain(sid);
    expect(page.text).toContain('(this session)');
    const handle = /action="\/account\/sessions\/([0-9a-f]{16})\/end"/.exec(page.text)![1]!;
    expect((await post(one.agent, `/account/sessions/${handle}/end`, {}, '/account')).status).toBe(303);
    expect((await two.agent.get('/')).headers.location).toBe('/login');
    expect((await one.agent.get('/')).status).toBe(200);
  });
});
