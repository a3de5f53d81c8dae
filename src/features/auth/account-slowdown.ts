// Per-account sign-in slowdown across all addresses (issue 12, item 14; docs/adr/006-per-account-sign-in-slowdown.md).
// The per account+IP and per-IP limits in login-throttle.ts do not stop many addresses guessing one account's
// password together. Here every account (by the email typed, so unknown accounts behave exactly like real
// ones) gets a few free failures; after that each further attempt must wait a delay that doubles with every
// failure, up to a ceiling. An attempt made too early is refused before any bcrypt work and does not count;
// an admitted one counts as a failure from the moment it is admitted (see `admit`).
// The owner is not locked out: addresses the account has signed in from before skip this check (the caller
// decides, see auth-service.ts), and the per account+IP limit still applies to them; their failures do not
// count here, so a colleague behind the same NAT cannot slow the owner down elsewhere either.
// State is in memory, keyed by the normalised email, and driven by the injected clock.
import type { Clock } from '../../lib/clock.js';

export interface SlowdownLimits {
  /** Failures within the window before any delay applies. */
  freeFailures: number;
  /** The first delay; each further failure doubles it. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** An account with no failure for this long starts again from zero. */
  forgetAfterSeconds: number;
  /** Accounts tracked at most (a flood of made-up emails cannot grow memory without bound). */
  maxTrackedAccounts: number;
}

export const DEFAULT_SLOWDOWN_LIMITS: SlowdownLimits = {
  freeFailures: 5,
  firstDelaySeconds: 2,
  maxDelaySeconds: 15 * 60,
  forgetAfterSeconds: 60 * 60,
  maxTrackedAccounts: 50_000,
};

interface AccountFailures {
  count: number;
  lastAt: number;
}

export function createAccountSlowdown(clock: Clock, limits: SlowdownLimits = DEFAULT_SLOWDOWN_LIMITS) {
  const accounts = new Map<string, AccountFailures>();
  const keyOf = (email: string) => email.trim().toLowerCase();
  const forgotten = (f: AccountFailures, now: number) => now - f.lastAt >= limits.forgetAfterSeconds * 1000;

  function current(key: string, now: number): AccountFailures | undefined {
    const f = accounts.get(key);
    if (f && forgotten(f, now)) {
      accounts.delete(key);
      return undefined;
    }
    return f;
  }

  /** Delay owed after `count` failures (0 while they are free). */
  function delayMs(count: number): number {
    const beyond = count - limits.freeFailures;
    if (beyond < 0) return 0;
    return Math.min(limits.firstDelaySeconds * 2 ** Math.min(beyond, 30), limits.maxDelaySeconds) * 1000;
  }

  function makeRoom(now: number): void {
    if (accounts.size < limits.maxTrackedAccounts) return;
    for (const [key, f] of accounts) if (forgotten(f, now)) accounts.delete(key);
    // Still full: drop the least recently failed (entries are re-inserted on every failure, so oldest first).
    for (const key of accounts.keys()) {
      if (accounts.size < limits.maxTrackedAccounts) break;
      accounts.delete(key);
    }
  }

  return {
    /**
     * Asks to check a password for this account now. Returns the seconds still to wait (refused: nothing is
     * recorded), or 0: admitted, and counted as a failure at once, so that parallel requests cannot all
     * slip through the same opening; `withdraw` takes it back when the password was right.
     */
    admit(email: string): number {
      const now = clock.now();
      const key = keyOf(email);
      const f = current(key, now);
      if (f) {
        const wait = f.lastAt + delayMs(f.count) - now;
        if (wait > 0) return Math.ceil(wait / 1000);
      }
      accounts.delete(key);
      makeRoom(now);
      accounts.set(key, { count: (f?.count ?? 0) + 1, lastAt: now });
      return 0;
    },

    /** The admitted attempt succeeded: it was not a failure. */
    withdraw(email: string): void {
      const f = accounts.get(keyOf(email));
      if (!f) return;
      if (f.count <= 1) accounts.delete(keyOf(email));
      else f.count -= 1;
    },
  };
}

export type AccountSlowdown = ReturnType<typeof createAccountSlowdown>;
