// Sign-in must not tell accounts apart by how long it takes (issue 12, item 20): an unknown account, a wrong
// password and a disabled account each cost exactly one bcrypt comparison at the same cost. Counted, not timed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BCRYPT_COST } from '../../src/lib/passwords.js';
import { countingBcrypt } from '../helpers/counting-bcrypt.js';
import { ADMIN, completeSetup, createTestApp, createUser, signIn, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let bcrypt: ReturnType<typeof countingBcrypt>;
beforeEach(async () => {
  bcrypt = countingBcrypt();
  t = await createTestApp({ bcrypt: bcrypt.engine });
  await completeSetup(t);
  await createUser(t, { email: 'gone@example.com', displayName: 'Gone', password: 'gone long password', disabled: true });
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
