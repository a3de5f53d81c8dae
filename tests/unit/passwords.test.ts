import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy } from '../../src/lib/password-policy.js';
import { BCRYPT_COST, TEST_BCRYPT_COST, createPasswordHasher } from '../../src/lib/passwords.js';

const hasher = createPasswordHasher(randomBytes(32));
// The pre-hash tests below are about the HMAC in front of bcrypt, not its cost: at cost 12 they took seconds
// of CPU each and timed out on a busy machine.
const quick = createPasswordHasher(randomBytes(32), { cost: TEST_BCRYPT_COST, testBuild: true });

describe('password hashing', () => {
  it('uses bcrypt with cost >= 12 and a unique salt per hash', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password here'), hasher.hash('same password here')]);
    for (const h of [a, b]) {
      const m = /^\$2[aby]\$(\d\d)\$/.exec(h);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(12);
    }
    expect(BCRYPT_COST).toBeGreaterThanOrEqual(12);
    expect(a).not.toBe(b);
  });

  it('refuses to be built with a cost below 12', () => {
    expect(() => createPasswordHasher(randomBytes(32), { cost: 10 })).toThrow(/at least 12/);
    expect(() => createPasswordHasher(randomBytes(32), { cost: TEST_BCRYPT_COST })).toThrow(/at least 12/);
    expect(() => createPasswordHasher(randomBytes(32), { cost: 11.5 })).toThrow(/whole number/);
  });

  it("goes below 12 only in a test build, and never below bcrypt's minimum of 4", async () => {
    const hash = await quick.hash('a long enough password');
    expect(hash).toMatch(/^\$2[aby]\$04\$/);
    expect(await quick.verify('a long enough password', hash)).toBe(true);
    expect(await quick.verify('a long enough passworD', hash)).toBe(false);
    expect(() => createPasswordHasher(randomBytes(32), { cost: 3, testBuild: true })).toThrow(/at least 4/);
    // A test build that names no cost still hashes at 12.
    expect(
      await createPasswordHasher(randomBytes(32), {
        testBuild: true,
        engine: { hash: async (_d, cost) => `cost ${cost}`, compare: async () => false },
      }).hash('x'),
    ).toBe(`cost ${BCRYPT_COST}`);
  });

  it('does not silently truncate past 72 bytes', async () => {
    const hash = await quick.hash(`${'a'.repeat(72)}X`);
    expect(await quick.verify(`${'a'.repeat(72)}X`, hash)).toBe(true);
    expect(await quick.verify(`${'a'.repeat(72)}Y`, hash)).toBe(false);
    expect(await quick.verify('a'.repeat(72), hash)).toBe(false);
  });

  it('accepts 64-emoji passwords (256 bytes) and tells them apart by their last character', async () => {
    const emoji = '😀'.repeat(63);
    const hash = await quick.hash(`${emoji}🎉`);
    expect(await quick.verify(`${emoji}🎉`, hash)).toBe(true);
    expect(await quick.verify(`${emoji}🎈`, hash)).toBe(false);
  });

  it('depends on the pepper: the same password under another pepper does not verify', async () => {
    const other = createPasswordHasher(randomBytes(32));
    const hash = await quick.hash('a long enough password');
    expect(await other.verify('a long enough password', hash)).toBe(false);
  });

  it('rejects malformed stored hashes without throwing', async () => {
    expect(await quick.verify('anything', 'plaintext')).toBe(false);
  });
});

describe('password policy', () => {
  it.each([
    ['short', /at least 12 characters/],
    ['password1234', /most commonly used/],
    ['qwerty123456!', /most commonly used/],
    ['1q2w3e4r5t6y', /most commonly used/],
    ['aaaaaaaaaaaaaaaa', /repeated or sequential/],
    ['abcdefghijklmnop', /repeated or sequential/],
    ['x'.repeat(257) + 'yz', /at most 256/],
    ['12345678901234', /too easy to guess: it is made of a commonly used password and a sequence of digits/],
    ['19871231abcdef', /too easy to guess: it is made of a date and a sequence of letters/],
    ['qwertyuiopasdfgh', /too easy to guess/],
    ['hunter2hunter2', /too easy to guess: it is made of a repeated pattern/],
  ])('refuses %j', (pw, reason) => {
    expect(checkPasswordPolicy(pw)).toMatch(reason);
  });

  it('counts the email and name as guessable parts', () => {
    expect(checkPasswordPolicy('lovelace ada', { email: 'ada@example.com', displayName: 'Ada Lovelace' })).toMatch(
      /your email address or name/,
    );
  });

  it('refuses passwords derived from the email or name', () => {
    expect(checkPasswordPolicy('jane.doe@example.com', { email: 'jane.doe@example.com' })).toMatch(/email/);
    expect(checkPasswordPolicy('janedoe20242024', { email: 'janedoe@example.com' })).toMatch(/email/);
    expect(checkPasswordPolicy('Mary Poppinsson', { displayName: 'Mary Poppinsson' })).toMatch(/name/);
  });

  it('accepts long passphrases without composition rules', () => {
    expect(checkPasswordPolicy('correct horse battery staple')).toBeNull();
    expect(checkPasswordPolicy('all lowercase words here')).toBeNull();
    expect(checkPasswordPolicy('ünïcödé pässwörd ✓✓')).toBeNull();
    expect(checkPasswordPolicy('😀😁😂🤣😃😄😅😆'.repeat(8))).toBeNull(); // 64 emoji, 256 bytes
  });

  it('counts characters, not UTF-16 code units', () => {
    expect(checkPasswordPolicy('😀😁😂🤣😃😄😅😆😉😊😋')).toMatch(/at least 12/); // 11 emoji = 22 code units
  });
});
