// Every place a password is set applies the strength estimate beside the length rule (issue 12, item 17).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  completeSetup,
  createTestApp,
  createUser,
  csrfFrom,
  signIn,
  type Agent,
  type TestApp,
} from '../helpers/test-app.js';

const GUESSABLE = '12345678901234'; // 14 characters: passes the length rule, falls in a few thousand guesses
const WHY = /too easy to guess: it is made of a commonly used password and a sequence of digits/;

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

async function post(agent: Agent, url: string, body: Record<string, string>, from: string) {
  const token = await csrfFrom(agent, from); // first: the GET starts the session the token belongs to
  return agent
    .post(url)
    .type('form')
    .send({ _csrf: token, ...body });
}

describe('password strength', () => {
  it('the setup wizard refuses a long but guessable password and says why', async () => {
    const res = await post(
      t.agent(),
      '/setup',
      { email: 'a@example.com', displayName: 'Ada', password: GUESSABLE, passwordConfirm: GUESSABLE },
      '/setup',
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(WHY);
    expect(res.text).not.toContain(GUESSABLE);
    expect(await t.db.user.count()).toBe(0);
  });

  it('an admin cannot create a user or reset a password with it', async () => {
    const admin = await completeSetup(t);
    const created = await post(
      admin,
      '/admin/users',
      { email: 'bea@example.com', displayName: 'Bea', role: 'USER', password: GUESSABLE, passwordConfirm: GUESSABLE },
      '/admin/users/new',
    );
    expect(created.status).toBe(400);
    expect(created.text).toMatch(WHY);
    expect(await t.db.user.findUnique({ where: { email: 'bea@example.com' } })).toBeNull();

    const pat = await createUser(t, { email: 'pat@example.com', displayName: 'Pat', password: 'pat old password' });
    const reset = await post(
      admin,
      `/admin/users/${pat.id}/reset-password`,
      { password: GUESSABLE, passwordConfirm: GUESSABLE },
      `/admin/users/${pat.id}`,
    );
    expect(reset.status).toBe(303);
    expect((await admin.get(`/admin/users/${pat.id}`)).text).toMatch(
      /The password was not reset: This password is too easy to guess/,
    );
    expect((await t.db.user.findUniqueOrThrow({ where: { id: pat.id } })).passwordHash).toBe(pat.passwordHash);
  });

  it('a user cannot change their own password to it', async () => {
    await completeSetup(t);
    const me = await createUser(t, { email: 'me@example.com', displayName: 'Me', password: 'my first password' });
    const { agent } = await signIn(t, 'me@example.com', 'my first password');
    const res = await post(
      agent,
      '/account/password',
      { currentPassword: 'my first password', password: GUESSABLE, passwordConfirm: GUESSABLE },
      '/account',
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(WHY);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: me.id } })).passwordHash).toBe(me.passwordHash);
  });

  it('accepts a passphrase of uncommon words', async () => {
    const res = await post(
      t.agent(),
      '/setup',
      {
        email: 'a@example.com',
        displayName: 'Ada',
        password: 'analytical engine notes',
        passwordConfirm: 'analytical engine notes',
      },
      '/setup',
    );
    expect(res.status).toBe(303);
  });
});
