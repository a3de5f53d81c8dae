import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, completeSetup, createTestApp, csrfFrom, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let verifications = 0;
beforeEach(async () => {
  t = await createTestApp({
    throttleLimits: { perAccountIp: { attempts: 5, windowSeconds: 900 }, perIp: { attempts: 8, windowSeconds: 3600 } },
  });
  await completeSetup(t);
  verifications = 0;
  const verify = t.services.hasher.verify;
  t.services.hasher.verify = async (...args) => {
    verifications++;
    return verify(...args);
  };
});
afterEach(async () => t.close());

async function attempt(ip: string, email: string, password: string) {
  const agent = t.agent();
  const token = await csrfFrom(agent, '/login');
  return agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, email, password });
}

describe('sign-in throttling', () => {
  it('blocks an account+IP after repeated failures with 429 and Retry-After, without bcrypt work', async () => {
    t.app.set('trust proxy', true);
    for (let i = 0; i < 5; i++)
      expect((await attempt('203.0.113.7', ADMIN.email, `wrong password ${i}`)).status).toBe(401);
    expect(verifications).toBe(5);
    const blocked = await attempt('203.0.113.7', ADMIN.email, ADMIN.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.text).toContain('Too many failed sign-in attempts');
    expect(verifications).toBe(5); // the blocked attempt did no password check, even with the right password
  });

  it('does not lock the real user out from an address they signed in from before', async () => {
    t.app.set('trust proxy', true);
    expect((await attempt('198.51.100.20', ADMIN.email, ADMIN.password)).status).toBe(303);
    for (let i = 0; i < 6; i++) await attempt('203.0.113.7', ADMIN.email, `wrong password ${i}`);
    const fromOwnAddress = await attempt('198.51.100.20', ADMIN.email, ADMIN.password);
    expect(fromOwnAddress.status).toBe(303);
  });

  it('blocks one IP spraying many accounts', async () => {
    t.app.set('trust proxy', true);
    for (let i = 0; i < 8; i++)
      expect((await attempt('203.0.113.9', `user${i}@example.com`, 'some password here')).status).toBe(401);
    expect((await attempt('203.0.113.9', 'another@example.com', 'some password here')).status).toBe(429);
    expect((await attempt('198.51.100.21', ADMIN.email, ADMIN.password)).status).toBe(303);
  });

  it('a successful sign-in resets the account+IP counter', async () => {
    t.app.set('trust proxy', true);
    for (let i = 0; i < 4; i++) await attempt('203.0.113.8', ADMIN.email, 'wrong password here');
    expect((await attempt('203.0.113.8', ADMIN.email, ADMIN.password)).status).toBe(303);
    for (let i = 0; i < 4; i++)
      expect((await attempt('203.0.113.8', ADMIN.email, 'wrong password here')).status).toBe(401);
  });

  it('ignores X-Forwarded-For unless a proxy is trusted (a client cannot pick a fresh IP per attempt)', async () => {
    for (let i = 0; i < 5; i++) await attempt(`203.0.113.${i + 10}`, ADMIN.email, 'wrong password here');
    expect((await attempt('203.0.113.99', ADMIN.email, ADMIN.password)).status).toBe(429);
  });
});

describe('the current password asked by a password change', () => {
  it('is throttled like a sign-in: a stolen session cannot guess it without limit', async () => {
    t.app.set('trust proxy', true);
    const agent = t.agent();
    const token = await csrfFrom(agent, '/login');
    await agent
      .post('/login')
      .set('X-Forwarded-For', '198.51.100.30')
      .type('form')
      .send({ _csrf: token, email: ADMIN.email, password: ADMIN.password });
    verifications = 0;
    const change = async (currentPassword: string) =>
      agent
        .post('/account/password')
        .set('X-Forwarded-For', '198.51.100.30')
        .type('form')
        .send({
          _csrf: await csrfFrom(agent, '/account'),
          currentPassword,
          password: 'a brand new passphrase',
          passwordConfirm: 'a brand new passphrase',
        });
    for (let i = 0; i < 5; i++) expect((await change(`wrong guess ${i}`)).status).toBe(400);
    expect(verifications).toBe(5);
    const blocked = await change(ADMIN.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.text).toContain('Too many');
    expect(verifications).toBe(5); // refused before any bcrypt work, even with the right password
    const user = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    expect(await t.services.hasher.verify(ADMIN.password, user.passwordHash)).toBe(true); // unchanged
  });
});
