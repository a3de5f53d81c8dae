// First-run setup: create the administrator, then the (optional) Genesys connection step.
import type { Actor, RequestOrigin } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseForm } from '../../lib/forms.js';
import type { Logger } from '../../lib/logger.js';
import { checkPasswordPolicy } from '../../lib/password-policy.js';
import type { PasswordHasher } from '../../lib/passwords.js';
import { newAccountSchema } from '../users/user-schemas.js';
import type { SetupRepository } from './setup-repository.js';
import type { SetupToken } from './setup-token.js';
import type { SignInAddresses } from '../auth/sign-in-address-repository.js';

export const SETUP_TOKEN_MISSING = 'Enter the setup token shown in the console where the server was started.';
export const SETUP_TOKEN_WRONG =
  'That is not the setup token. Copy it from the console where the server was started (it changes at every start).';

/** Parses the new-account form; the password policy's verdict is reported together with any other field errors. */
function parseWithPasswordPolicy(body: unknown) {
  const raw = (body ?? {}) as Record<string, unknown>;
  const policyProblem = (email: unknown, displayName: unknown) =>
    typeof raw.password === 'string'
      ? checkPasswordPolicy(raw.password, { email: String(email ?? ''), displayName: String(displayName ?? '') })
      : null;
  let input;
  try {
    input = parseForm(newAccountSchema, body);
  } catch (err) {
    const problem =
      err instanceof ValidationError && !err.fieldErrors.password ? policyProblem(raw.email, raw.displayName) : null;
    if (problem) (err as ValidationError).fieldErrors.password = problem;
    throw err;
  }
  const problem = policyProblem(input.email, input.displayName);
  if (problem) throw new ValidationError('Please choose a stronger password.', { password: problem });
  return input;
}

/** `setupToken` is null when the server listens on loopback only (no token needed), see setup-token.ts. */
export function createSetupService(deps: {
  repo: SetupRepository;
  hasher: PasswordHasher;
  clock: Clock;
  logger: Logger;
  setupToken: SetupToken | null;
  addresses: SignInAddresses;
}) {
  // Once an admin exists the wizard never comes back, so the answer can be remembered after the first "yes".
  let adminCreated = false;

  async function isAdminCreated(): Promise<boolean> {
    if (!adminCreated) adminCreated = await deps.repo.isAdminCreated();
    return adminCreated;
  }

  function checkSetupToken(body: unknown, ip: string | undefined): void {
    const token = deps.setupToken;
    if (!token) return;
    const given = ((body ?? {}) as Record<string, unknown>).setupToken;
    if (token.matches(given)) return;
    const missing = typeof given !== 'string' || given.trim() === '';
    if (!missing) deps.logger.warn('setup: wrong setup token', { event: 'setup.token_rejected', ip });
    throw new ValidationError('Please correct the highlighted fields.', {
      setupToken: missing ? SETUP_TOKEN_MISSING : SETUP_TOKEN_WRONG,
    });
  }

  return {
    isAdminCreated,

    /** Whether the wizard asks for the console's setup token (the server listens beyond loopback). */
    get setupTokenRequired(): boolean {
      return deps.setupToken !== null;
    },

    /** The token the server prints on its console at start, or null (not needed, or already spent). */
    setupTokenToAnnounce(): string | null {
      return deps.setupToken?.value ?? null;
    },

    /** Before anyone exists there is no actor: `origin` is where the request came from. */
    async createFirstAdmin(body: unknown, origin: RequestOrigin) {
      const { ip } = origin;
      if (await isAdminCreated()) throw new NotFoundError();
      checkSetupToken(body, ip);
      const input = parseWithPasswordPolicy(body);
      const passwordHash = await deps.hasher.hash(input.password);
      const user = await deps.repo.createFirstAdmin(
        { email: input.email, displayName: input.displayName, passwordHash, role: 'ADMIN' },
        new Date(deps.clock.now()),
      );
      if (!user) {
        adminCreated = true;
        throw new NotFoundError(); // another submission won the race; the wizard is gone
      }
      adminCreated = true;
      deps.setupToken?.spend();
      // Where the administrator was created from is their own address: never slowed down by others' guesses.
      if (ip) await deps.addresses.recordSuccess(user.id, ip, new Date(deps.clock.now()));
      deps.logger.info('setup: administrator created', { event: 'setup.admin_created', userId: user.id, ip });
      return user;
    },

    async isConnectionStepPending(): Promise<boolean> {
      return (await isAdminCreated()) && !(await deps.repo.isConnectionStepDone());
    },

    async finishConnectionStep(actor: Actor): Promise<void> {
      if (!(await this.isConnectionStepPending())) throw new NotFoundError();
      await deps.repo.markConnectionStepDone(new Date(deps.clock.now()));
      deps.logger.info('setup: Genesys connection left for later', {
        event: 'setup.connection_deferred',
        userId: actor.userId,
      });
    },
  };
}

export type SetupService = ReturnType<typeof createSetupService>;
