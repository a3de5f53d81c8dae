// Sign-in must not tell accounts apart by how long it takes (issue 12, item 20): an unknown account, a wrong
// password and a disabled account each cost exactly one bcrypt comparison at the same cost. Counted, not timed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BCRYPT_COST, TEST_BCRYPT_COST } from '../../src/lib/passwords.js';
import { createServices } from '../../src/services.js';
import { countingBcrypt } from '../helpers/counting-bcrypt.js';
import { ADMIN, completeSetup, createTestApp, createUser, signIn, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let bcrypt: ReturnType<typeof countingBcrypt>;
beforeEach(async () => {
  bcrypt = countingBcrypt();
  t = await createTestApp({ bcrypt: bcrypt.engine, bcryptCost: BCRYPT_COST }); // the cost is what this file checks
  await completeSetup(t);
  await createUser(t, {
    email: 'gone@example.com',
    displayName: 'Gone',
    password: 'gone long password',
    disabled: true,
  });
  bcrypt.take();
});
afterEach(async () => t.close());

describe('sign-in work does not reveal whether an account exists', () => {
  it('an unknown account costs the same bcrypt work as a wrong password or a disabled account', async () => {
    const cases = {
      unknown: ['nobody@example.com', 'some password here'],
      wrongPassword: [ADMIN.email, 'some password here'],
      disabled: ['gone@example.com', 'gone long password'],
    } as const;
    const work: Record<string, number[]> = {};
    for (const [name, [email, password]] of Object.entries(cases)) {
      const { res } = await signIn(t, email, password);
      expect(res.status, name).toBe(401);
      work[name] = bcrypt.take();
    }
    expect(work).toEqual({ unknown: [BCRYPT_COST], wrongPassword: [BCRYPT_COST], disabled: [BCRYPT_COST] });
  });

  it('an empty email still costs one comparison', async () => {
    expect((await signIn(t, '', 'some password here')).res.status).toBe(401);
    expect(bcrypt.take()).toEqual([BCRYPT_COST]);
  });
});

describe('the bcrypt cost', () => {
  const services = (env: 'production' | 'development' | 'test', bcryptCost?: number) =>
    createServices({
      config: { ...t.config, env },
      db: t.db,
      logger: t.services.logger,
      secrets: t.services.secrets,
      clock: t.clock,
      bcryptCost,
    });

  it('is 12 outside tests, and choosing it is refused unless NODE_ENV=test', async () => {
    for (const env of ['production', 'development'] as const) {
      expect(() => services(env, TEST_BCRYPT_COST), env).toThrow(/for tests only/);
      expect(() => services(env, 13), env).toThrow(/for tests only/);
      expect(await services(env).hasher.hash('a long enough password'), env).toMatch(/^\$2[aby]\$12\$/);
    }
  });

  it('may be lowered to 4 in a test build, and the test apps use that', async () => {
    expect(() => services('test', 3)).toThrow(/at least 4/);
    expect(await services('test', TEST_BCRYPT_COST).hasher.hash('a long enough password')).toMatch(/^\$2[aby]\$04\$/);
    const fast = await createTestApp();
    try {
      const hash = await fast.services.hasher.hash('a long enough password');
      expect(hash).toMatch(/^\$2[aby]\$04\$/);
      expect(await fast.services.hasher.verify('a long enough password', hash)).toBe(true);
    } finally {
      await fast.close();
    }
  });
});
