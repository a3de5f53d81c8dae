import { describe, expect, it } from 'vitest';
import { createAccountSlowdown, DEFAULT_SLOWDOWN_LIMITS } from '../../src/features/auth/account-slowdown.js';
import { ManualClock } from '../../src/lib/clock.js';

const limits = {
  ...DEFAULT_SLOWDOWN_LIMITS,
  freeFailures: 2,
  firstDelaySeconds: 2,
  maxDelaySeconds: 10,
  forgetAfterSeconds: 60,
  maxTrackedAccounts: 3,
};

describe('account slowdown', () => {
  it('admits parallel attempts one at a time once the free ones are used (no burst through one opening)', () => {
    const s = createAccountSlowdown(new ManualClock(0), limits);
    // Nothing is awaited between these calls: like requests whose bcrypt checks have not finished yet.
    const answers = Array.from({ length: 6 }, () => s.admit('Ada@Example.com '));
    expect(answers).toEqual([0, 0, 2, 2, 2, 2]);
  });

  it('doubles the delay up to the ceiling and forgets an account after a quiet period', () => {
    const clock = new ManualClock(0);
    const s = createAccountSlowdown(clock, limits);
    s.admit('a@x');
    s.admit('a@x');
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const wait = s.admit('a@x');
      waits.push(wait);
      clock.advance(wait * 1000);
      expect(s.admit('a@x')).toBe(0);
    }
    expect(waits).toEqual([2, 4, 8, 10]);
    clock.advance(60_000);
    expect(s.admit('a@x')).toBe(0);
    expect(s.admit('a@x')).toBe(0); // free again
  });

  it('a withdrawn attempt (right password) gives its place back', () => {
    const s = createAccountSlowdown(new ManualClock(0), limits);
    s.admit('a@x');
    s.admit('a@x');
    s.withdraw('a@x');
    expect(s.admit('a@x')).toBe(0);
    expect(s.admit('a@x')).toBe(2);
  });

  it('tracks a bounded number of accounts, dropping the least recently failed', () => {
    const clock = new ManualClock(0);
    const s = createAccountSlowdown(clock, limits);
    for (const e of ['a@x', 'b@x', 'c@x']) {
      s.admit(e);
      s.admit(e);
      clock.advance(1);
    }
    s.admit('d@x'); // a@x is dropped to make room
    expect(s.admit('a@x')).toBe(0);
    expect(s.admit('c@x')).toBeGreaterThan(0);
  });
});
