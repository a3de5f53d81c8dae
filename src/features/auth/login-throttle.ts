// Sign-in throttling (ASVS 6.3.1). Two counters of failed attempts:
//  - per account + IP: stops guessing one account's password, without letting someone elsewhere lock the
//    real user out (their IP has its own counter);
//  - per IP: stops one address from spraying many accounts.
// A blocked attempt is refused before any bcrypt work. Counters live in memory (rate-limiter-flexible), so a
// restart resets them; documented in docs/ARCHITECTURE.md.
// Many addresses guessing one account together are slowed down by account-slowdown.ts.
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import type { SlowdownLimits } from './account-slowdown.js';

export interface ThrottleLimits {
  perAccountIp: { attempts: number; windowSeconds: number };
  perIp: { attempts: number; windowSeconds: number };
  /** The per-account slowdown across addresses (DEFAULT_SLOWDOWN_LIMITS when omitted). */
  perAccount?: SlowdownLimits;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perAccountIp: { attempts: 10, windowSeconds: 15 * 60 },
  perIp: { attempts: 100, windowSeconds: 60 * 60 },
};

function isRateLimiterRes(v: unknown): v is RateLimiterRes {
  return typeof v === 'object' && v !== null && 'msBeforeNext' in v;
}

export function createLoginThrottle(limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {
  const accountIp = new RateLimiterMemory({
    keyPrefix: 'login-account-ip',
    points: limits.perAccountIp.attempts,
    duration: limits.perAccountIp.windowSeconds,
    blockDuration: limits.perAccountIp.windowSeconds,
  });
  const ip = new RateLimiterMemory({
    keyPrefix: 'login-ip',
    points: limits.perIp.attempts,
    duration: limits.perIp.windowSeconds,
    blockDuration: limits.perIp.windowSeconds,
  });
  const accountKey = (email: string, addr: string) => `${email.trim().toLowerCase()}|${addr}`;

  return {
    /** Seconds to wait before another attempt is allowed, or 0 when one may be made now. */
    async retryAfterSeconds(email: string, addr: string): Promise<number> {
      const [a, i] = await Promise.all([accountIp.get(accountKey(email, addr)), ip.get(addr)]);
      const waits = [
        a && a.consumedPoints >= limits.perAccountIp.attempts ? a.msBeforeNext : 0,
        i && i.consumedPoints >= limits.perIp.attempts ? i.msBeforeNext : 0,
      ];
      return Math.ceil(Math.max(...waits) / 1000);
    },

    async recordFailure(email: string, addr: string): Promise<void> {
      await Promise.all(
        [accountIp.consume(accountKey(email, addr)), ip.consume(addr)].map((p) =>
          p.catch((rejection: unknown) => {
            if (!isRateLimiterRes(rejection)) throw rejection; // a real error, not "limit reached"
          }),
        ),
      );
    },

    async recordSuccess(email: string, addr: string): Promise<void> {
      await accountIp.delete(accountKey(email, addr));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
