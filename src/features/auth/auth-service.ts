// Sign-in. Unknown account, wrong password and disabled account all get the same answer (and, thanks to a
// dummy bcrypt comparison, the same timing), so the form cannot be used to discover accounts.
// Order: the per account+IP and per-IP limits, then the per-account slowdown (skipped from addresses the
// account signed in from before), each refusing before any bcrypt work; then the password check.
import { z } from 'zod';
import { actorFor, type RequestOrigin } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { TooManyRequestsError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { PasswordHasher } from '../../lib/passwords.js';
import type { User, UserRepository } from '../users/user-repository.js';
import type { LoginThrottle } from './login-throttle.js';
import type { AccountSlowdown } from './account-slowdown.js';
import type { FailedSignInReport, SignInAddresses } from './sign-in-address-repository.js';
import type { AuditService } from '../audit/audit-service.js';

export const INVALID_CREDENTIALS = 'The email or password is incorrect.';

const signInSchema = z.object({
  email: z.string().trim().max(254).default(''),
  password: z.string().max(1024).default(''),
});

export class InvalidCredentialsError extends ValidationError {
  override readonly status = 401;
  constructor() {
    super(INVALID_CREDENTIALS);
    this.name = 'InvalidCredentialsError';
  }
}

export interface SignedIn {
  user: User;
  /** Failed attempts on the account since its previous successful sign-in, for the owner to see; or null. */
  failedSinceLastSignIn: FailedSignInReport | null;
}

/** A refused attempt at a password (`what`: "sign-in attempts", …), with how long to wait. */
export const tooManyAttempts = (what: string, wait: number) =>
  new TooManyRequestsError(
    `Too many failed ${what}. Try again in ${wait < 60 ? `${wait} second(s)` : `${Math.ceil(wait / 60)} minute(s)`}.`,
    wait,
  );
const tooMany = (wait: number) => tooManyAttempts('sign-in attempts', wait);

export function createAuthService(deps: {
  users: UserRepository;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  slowdown: AccountSlowdown;
  addresses: SignInAddresses;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
}) {
  return {
    /**
     * Returns the signed-in user, or throws InvalidCredentialsError / TooManyRequestsError. `origin` is where
     * the attempt came from (no one is known yet): limits key on its address, audit entries carry it whole.
     */
    async signIn(body: unknown, origin: RequestOrigin): Promise<SignedIn> {
      const ip = origin.ip ?? 'unknown';
      const parsed = signInSchema.safeParse(body ?? {});
      if (!parsed.success) throw new InvalidCredentialsError();
      const { email, password } = parsed.data;
      const wait = await deps.throttle.retryAfterSeconds(email, ip);
      if (wait > 0) {
        deps.logger.warn('sign-in throttled', { event: 'auth.sign_in_throttled', email, ip, retryAfterSeconds: wait });
        throw tooMany(wait);
      }
      const user = email ? await deps.users.findByEmail(email) : null;
      const now = new Date(deps.clock.now());
      // The owner's own addresses are not slowed down by guesses from elsewhere (ADR 006).
      const knownAddress = user ? await deps.addresses.isKnown(user.id, ip, now) : false;
      if (!knownAddress) {
        const slowed = deps.slowdown.admit(email);
        if (slowed > 0) {
          deps.logger.warn('sign-in slowed down', {
            event: 'auth.sign_in_slowed',
            email,
            ip,
            retryAfterSeconds: slowed,
          });
          throw tooMany(slowed);
        }
      }
      const ok = user ? await deps.hasher.verify(password, user.passwordHash) : await deps.hasher.verifyDummy(password);
      if (!user || !ok || user.disabled) {
        await deps.throttle.recordFailure(email, ip);
        if (user) await deps.addresses.recordFailure(user.id, ip, now);
        const reason = !user ? 'unknown_account' : !ok ? 'wrong_password' : 'account_disabled';
        deps.logger.warn('sign-in failed', { event: 'auth.sign_in_failed', email, ip, reason });
        await deps.audit.record(
          {
            action: 'auth.sign_in_failed',
            targetUserId: user?.id ?? null,
            details: { email: email.slice(0, 254), reason },
          },
          { userId: 0, name: 'anonymous', role: 'USER', ip, requestId: origin.requestId },
        );
        throw new InvalidCredentialsError();
      }
      await deps.throttle.recordSuccess(email, ip);
      if (!knownAddress) deps.slowdown.withdraw(email);
      const failedSinceLastSignIn = await deps.addresses.recordSuccess(user.id, ip, now);
      await deps.users.recordSignIn(user.id, now);
      deps.logger.info('signed in', { event: 'auth.sign_in', userId: user.id, ip });
      await deps.audit.record(
        { action: 'auth.sign_in', targetUserId: user.id },
        actorFor(user, { ip, requestId: origin.requestId }),
      );
      return { user, failedSinceLastSignIn };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
