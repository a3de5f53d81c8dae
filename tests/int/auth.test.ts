import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INVALID_CREDENTIALS } from '../../src/features/auth/auth-service.js';
import {
  ADMIN,
  completeSetup,
  createTestApp,
  createUser,
  csrfFrom,
  signIn,
  type TestApp,
} from '../helpers/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '12' } });
  await completeSetup(t);
});
afterEach(async () => t.close());

function sidOf(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return cookies.find((c) => c.startsWith('dtm.sid='))?.split(';')[0];
}

describe('sign in and sign out', () => {
  it('signs in with the right password and lands on the requested page', async () => {
    const agent = t.agent();
    const redirect = await agent.get('/');
    expect(redirect.headers.location).toBe('/login');
    const token = await csrfFrom(agent, '/login?returnTo=%2F%3Fx%3D1');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: 'ADMIN@example.com ', password: ADMIN.password, returnTo: '/?x=1' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/?x=1');
    expect((await agent.get('/')).text).toContain('Hello, Ada Admin');
  });

  it('never redirects off-site after sign-in', async () => {
    for (const returnTo of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)']) {
      const agent = t.agent();
      const token = await csrfFrom(agent, '/login');
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: ADMIN.email, password: ADMIN.password, returnTo });
      expect(res.headers.location, returnTo).toBe('/');
    }
  });

  it('gives identical answers for an unknown account and a wrong password', async () => {
    const a = await signIn(t, 'nobody@example.com', 'whatever password');
    const b = await signIn(t, ADMIN.email, 'wrong password here');
    expect(a.res.status).toBe(401);
    expect(b.res.status).toBe(401);
    const strip = (html: string) =>
      html.replace(/name="_csrf" value="[^"]+"/, '').replace(/value="[^"]*@example.com"/, '');
    expect(strip(a.res.text)).toBe(strip(b.res.text));
    expect(a.res.text).toContain(INVALID_CREDENTIALS);
  });

  it('refuses a disabled account with the same message', async () => {
    await createUser(t, {
      email: 'off@example.com',
      displayName: 'Off',
      password: 'disabled user password',
      disabled: true,
    });
    const { res } = await signIn(t, 'off@example.com', 'disabled user password');
    expect(res.status).toBe(401);
    expect(res.text).toContain(INVALID_CREDENTIALS);
  });

  it('rotates the session id at sign-in; the pre-login session id is dead afterwards', async () => {
    const agent = t.agent();
    const pre = await agent.get('/login');
    const preSid = sidOf(pre)!;
    expect(preSid).toBeTruthy();
    const token = /name="_csrf" value="([^"]+)"/.exec(pre.text)![1];
    const login = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: ADMIN.email, password: ADMIN.password });
    const postSid = sidOf(login)!;
    expect(postSid).toBeTruthy();
    expect(postSid).not.toBe(preSid);
    const withOld = await t.agent().get('/').set('Cookie', preSid);
    expect(withOld.status).toBe(303);
    expect(withOld.headers.location).toBe('/login');
  });

  it('replaces the session id when the user changes their own password; the old cookie is dead', async () => {
    await createUser(t, { email: 'me@example.com', displayName: 'Me', password: 'my first password' });
    const { agent, res } = await signIn(t, 'me@example.com', 'my first password');
    const oldSid = sidOf(res)!;
    const token = await csrfFrom(agent, '/account');
    const changed = await agent.post('/account/password').type('form').send({
      _csrf: token,
      currentPassword: 'my first password',
      password: 'my second password',
      passwordConfirm: 'my second password',
    });
    expect(changed.status).toBe(303);
    const newSid = sidOf(changed);
    expect(newSid).toBeTruthy();
    expect(newSid).not.toBe(oldSid);
    expect((await agent.get('/account')).status).toBe(200); // the new session is still signed in
    const withOld = await t.agent().get('/account').set('Cookie', oldSid);
    expect(withOld.status).toBe(303);
    expect(withOld.headers.location).toMatch(/^\/login/);
  });

  it('a password change keeps the sign-in time under the new id: the absolute limit still counts from sign-in', async () => {
    await createUser(t, { email: 'me@example.com', displayName: 'Me', password: 'my first password' });
    const signedInAt = t.clock.now();
    const { agent } = await signIn(t, 'me@example.com', 'my first password');
    t.clock.advance(20 * 60_000);
    const token = await csrfFrom(agent, '/account');
    const changed = await agent.post('/account/password').type('form').send({
      _csrf: token,
      currentPassword: 'my first password',
      password: 'my second password',
      passwordConfirm: 'my second password',
    });
    const sid = decodeURIComponent(sidOf(changed)!.slice('dtm.sid='.length)).replace(/^s:/, '').split('.')[0]!;
    const stored = JSON.parse((await t.db.session.findUniqueOrThrow({ where: { sid } })).data) as {
      createdAt: number;
      lastSeenAt: number;
      userId: number;
    };
    expect(stored).toMatchObject({ createdAt: signedInAt, lastSeenAt: signedInAt + 20 * 60_000 });
  });

  it('signs out with a CSRF-protected POST that destroys the session server-side', async () => {
    const { agent, res } = await signIn(t, ADMIN.email, ADMIN.password);
    const sid = sidOf(res)!;
    expect(await t.db.session.count({ where: { userId: { not: null } } })).toBeGreaterThan(0);
    expect((await agent.get('/logout')).status).toBe(404);
    const token = await csrfFrom(agent, '/');
    const out = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login?signedOut=1');
    const replay = await t.agent().get('/').set('Cookie', sid);
    expect(replay.headers.location).toBe('/login');
    const user = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    // Only the setup agent's session remains for this user.
    expect(await t.db.session.count({ where: { userId: user.id } })).toBe(1);
    expect((await agent.get('/login?signedOut=1')).text).toContain('You have signed out.');
  });

  it('ends a session after the idle timeout, and keeps an active one alive', async () => {
    const { agent } = await signIn(t, ADMIN.email, ADMIN.password);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(20 * 60_000); // 20 min steps: 80 min in total, never 30 idle
      expect((await agent.get('/')).status).toBe(200);
    }
    t.clock.advance(31 * 60_000);
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect((await agent.get('/login')).text).toContain('signed out after a period of inactivity');
  });

  it('ends a session at the absolute maximum even when it is active', async () => {
    const { agent } = await signIn(t, ADMIN.email, ADMIN.password);
    for (let i = 0; i < 11 * 4; i++) {
      t.clock.advance(15 * 60_000); // active every 15 minutes for 11 hours
      expect((await agent.get('/')).status).toBe(200);
    }
    t.clock.advance(61 * 60_000);
    const res = await agent.get('/');
    expect(res.headers.location).toBe('/login');
    expect((await agent.get('/login')).text).toContain('maximum length');
  });

  it('persists sessions in SQLite with the user id, so they survive restarts and can be ended per user', async () => {
    const { agent } = await signIn(t, ADMIN.email, ADMIN.password);
    const user = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    const rows = await t.services.sessionStore.listForUser(user.id);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(await t.services.sessionStore.destroyAllForUser(user.id)).toBeGreaterThanOrEqual(1);
    expect((await agent.get('/')).headers.location).toBe('/login');
  });

  it('a disabled user is signed out on their very next request', async () => {
    await createUser(t, { email: 'bo@example.com', displayName: 'Bo', password: 'bo has a long password' });
    const { agent } = await signIn(t, 'bo@example.com', 'bo has a long password');
    expect((await agent.get('/')).status).toBe(200);
    await t.db.user.update({ where: { email: 'bo@example.com' }, data: { disabled: true } });
    expect((await agent.get('/')).headers.location).toBe('/login');
  });

  it('keeps admin pages from users', async () => {
    await createUser(t, { email: 'bo@example.com', displayName: 'Bo', password: 'bo has a long password' });
    const { agent } = await signIn(t, 'bo@example.com', 'bo has a long password');
    const res = await agent.get('/setup/connect');
    expect(res.status).toBe(403);
    expect(res.text).toContain('Error id');
  });

  it('logs successful and failed sign-ins with who, where and when (UTC)', async () => {
    await signIn(t, ADMIN.email, 'wrong password here');
    await signIn(t, ADMIN.email, ADMIN.password);
    const entries = t.logs.entries();
    const failed = entries.find((e) => e.event === 'auth.sign_in_failed');
    const ok = entries.find((e) => e.event === 'auth.sign_in');
    expect(failed).toMatchObject({ email: ADMIN.email, reason: 'wrong_password' });
    expect(failed?.ip).toBeTruthy();
    expect(String(ok?.timestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(ok?.requestId).toBeTruthy();
  });
});
