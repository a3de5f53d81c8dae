import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, completeSetup, createTestApp, csrfFrom, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

describe('setup wizard', () => {
  it('sends every page to the wizard while no admin exists', async () => {
    for (const url of ['/', '/login', '/anything/else']) {
      const res = await t.agent().get(url);
      expect(res.status, url).toBe(303);
      expect(res.headers.location).toBe('/setup');
    }
    const page = await t.agent().get('/setup');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Create the administrator');
  });

  it('creates the admin, signs them in, offers the Genesys step, then finishes', async () => {
    const agent = t.agent();
    const token = await csrfFrom(agent, '/setup');
    const res = await agent
      .post('/setup')
      .type('form')
      .send({ _csrf: token, ...ADMIN, passwordConfirm: ADMIN.password });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/setup/connect');
    const users = await t.db.user.findMany();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      email: ADMIN.email,
      displayName: ADMIN.displayName,
      role: 'ADMIN',
      disabled: false,
    });
    expect(users[0]!.passwordHash).not.toContain(ADMIN.password);
    // Signed in by the wizard: the users list shows when, not "Never".
    expect(users[0]!.lastLoginAt?.getTime()).toBe(t.clock.now());

    const connect = await agent.get('/setup/connect');
    expect(connect.status).toBe(200);
    expect(connect.text).toContain('Configure later');
    const finish = await agent
      .post('/setup/connect')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/setup/connect') });
    expect(finish.status).toBe(303);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Hello, Ada Admin');
    expect(home.text).toContain('Setup is complete');
    expect((await agent.get('/setup/connect')).status).toBe(404);
  });

  it('signs the new administrator in under a new session id; the id from before is dead', async () => {
    const agent = t.agent();
    const page = await agent.get('/setup');
    const before = (page.headers['set-cookie'] as unknown as string[])
      .find((c) => c.startsWith('dtm.sid='))!
      .split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent
      .post('/setup')
      .type('form')
      .send({ _csrf: token, ...ADMIN, passwordConfirm: ADMIN.password });
    expect(res.status).toBe(303);
    const after = (res.headers['set-cookie'] as unknown as string[])
      .find((c) => c.startsWith('dtm.sid='))!
      .split(';')[0]!;
    expect(after).not.toBe(before);
    expect((await agent.get('/setup/connect')).status).toBe(200);
    const withOld = await t.agent().get('/setup/connect').set('Cookie', before);
    expect(withOld.status).toBe(303);
    expect(withOld.headers.location).toMatch(/^\/login/);
  });

  it('is gone for good (404) once an admin exists, for GET and POST', async () => {
    await completeSetup(t);
    const anon = t.agent();
    expect((await anon.get('/setup')).status).toBe(404);
    const token = await csrfFrom(anon, '/login');
    const res = await anon.post('/setup').type('form').send({
      _csrf: token,
      email: 'evil@example.com',
      displayName: 'Evil',
      password: 'another long password',
      passwordConfirm: 'another long password',
    });
    expect(res.status).toBe(404);
    expect(await t.db.user.count()).toBe(1);
  });

  it('creates exactly one admin under concurrent submissions', async () => {
    const agents = [t.agent(), t.agent(), t.agent(), t.agent()];
    const tokens = await Promise.all(agents.map((a) => csrfFrom(a, '/setup')));
    const results = await Promise.all(
      agents.map((a, i) =>
        a
          .post('/setup')
          .type('form')
          .send({
            _csrf: tokens[i],
            email: `admin${i}@example.com`,
            displayName: `Admin ${i}`,
            password: ADMIN.password,
            passwordConfirm: ADMIN.password,
          }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([303, 404, 404, 404]);
    expect(await t.db.user.count()).toBe(1);
    expect(await t.db.user.count({ where: { role: 'ADMIN' } })).toBe(1);
  });

  it('explains each invalid field and keeps what the user typed (but never the password)', async () => {
    const agent = t.agent();
    const token = await csrfFrom(agent, '/setup');
    const res = await agent.post('/setup').type('form').send({
      _csrf: token,
      email: 'not-an-email',
      displayName: 'Dana <b>',
      password: 'short',
      passwordConfirm: 'other',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter a valid email address');
    expect(res.text).toContain('The two passwords do not match');
    expect(res.text).toContain('Use at least 12 characters'); // all problems at once, not one per submit
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('value="Dana &lt;b&gt;"');
    expect(res.text).not.toContain('value="short"');
    expect(await t.db.user.count()).toBe(0);
  });

  it('applies the password policy', async () => {
    const agent = t.agent();
    const token = await csrfFrom(agent, '/setup');
    const res = await agent.post('/setup').type('form').send({
      _csrf: token,
      email: 'a@example.com',
      displayName: 'A',
      password: 'password1234',
      passwordConfirm: 'password1234',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('most commonly used');
    expect(await t.db.user.count()).toBe(0);
  });

  it('refuses repeated form fields (parameter pollution) with a clear message', async () => {
    const agent = t.agent();
    const token = await csrfFrom(agent, '/setup');
    const res = await agent
      .post('/setup')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(token)}&email=a@example.com&email=b@example.com&displayName=A&password=${encodeURIComponent(ADMIN.password)}&passwordConfirm=${encodeURIComponent(ADMIN.password)}`,
      );
    expect(res.status).toBe(400);
    expect(await t.db.user.count()).toBe(0);
  });

  it('only lets an admin see the connection step', async () => {
    await completeSetup(t);
    expect((await t.agent().get('/setup/connect')).headers.location).toMatch(/^\/login/);
  });
});
