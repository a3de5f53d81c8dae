// User administration and each user's own account: create, edit, disable/enable, delete, reset passwords,
// sessions. The last active admin can never be disabled, demoted or deleted. Every change is audited in the
// same transaction as the change itself (with the last-admin check: two admins demoting each other at once
// are serialised, and the second is refused), so a change without its entry is never committed.
import { isTimeZone } from '../../lib/zoned-time.js';
import { createHash } from 'node:crypto';
import type { Transact, Transaction } from '../../db/transaction.js';
import type { Actor } from '../../lib/actor.js';
import { browserName } from '../../lib/browser-name.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseForm } from '../../lib/forms.js';
import type { Logger } from '../../lib/logger.js';
import { checkPasswordPolicy } from '../../lib/password-policy.js';
import type { PasswordHasher } from '../../lib/passwords.js';
import type { PrismaSessionStore } from '../../lib/session-store.js';
import type { AuditService } from '../audit/audit-service.js';
import type { User, UserRepository } from './user-repository.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { tooManyAttempts } from '../auth/auth-service.js';
import {
  changeOwnPasswordSchema,
  createUserSchema,
  editUserSchema,
  resetPasswordSchema,
} from './user-schemas-admin.js';
import { mayManageUsers } from '../permissions/policy.js';

export interface UserSummary {
  id: number;
  email: string;
  displayName: string;
  role: 'ADMIN' | 'USER';
  disabled: boolean;
  mustChangePassword: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
}

/** What the audit log keeps of a user: never the password hash. */
const snapshot = (u: User) => ({ email: u.email, displayName: u.displayName, role: u.role, disabled: u.disabled });

const summary = (u: User): UserSummary => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role,
  disabled: u.disabled,
  mustChangePassword: u.mustChangePassword,
  lastLoginAt: u.lastLoginAt,
  createdAt: u.createdAt,
});

/** A public handle for a session: never put a session id itself in a page or a URL. */
export function sessionHandle(sid: string): string {
  return createHash('sha256').update(sid).digest('hex').slice(0, 16);
}

function policyError(password: string, user: { email: string; displayName: string }): void {
  const problem = checkPasswordPolicy(password, user);
  if (problem) throw new ValidationError('Please choose a stronger password.', { password: problem });
}

export function createUserService(deps: {
  users: UserRepository;
  transact: Transact;
  hasher: PasswordHasher;
  sessions: PrismaSessionStore;
  audit: AuditService;
  logger: Logger;
  /** The sign-in limits, which also bound guesses of the current password (changeOwnPassword). */
  throttle: Pick<LoginThrottle, 'retryAfterSeconds' | 'recordFailure'>;
}) {
  const { users, audit, transact } = deps;

  async function find(id: number, tx?: Transaction): Promise<User> {
    const user = await users.findById(id, tx);
    if (!user) throw new NotFoundError('That user does not exist.');
    return user;
  }

  async function assertNotLastAdmin(user: User, what: string, tx: Transaction): Promise<void> {
    if (!mayManageUsers(user) || user.disabled) return;
    const others = await users.countOtherActiveAdmins(user.id, tx);
    if (others === 0)
      throw new ConflictError(
        `${user.displayName} is the last active administrator and cannot be ${what}. Make another user an administrator first.`,
      );
  }

  async function emailFree(email: string, exceptId?: number, tx?: Transaction): Promise<void> {
    const clash = await users.findByEmail(email, tx);
    if (clash && clash.id !== exceptId)
      throw new ValidationError('Please correct the highlighted fields.', {
        email: 'Another user already has this email address.',
      });
  }

  return {
    async list(): Promise<UserSummary[]> {
      return (await users.list()).map(summary);
    },

    async get(id: number): Promise<UserSummary> {
      return summary(await find(id));
    },

    async create(actor: Actor, body: unknown): Promise<UserSummary> {
      const input = parseForm(createUserSchema, body);
      await emailFree(input.email);
      policyError(input.password, input);
      // Hashed before the transaction: bcrypt takes a while, and every other database user would wait for it.
      const passwordHash = await deps.hasher.hash(input.password);
      const user = await transact(async (tx) => {
        await emailFree(input.email, undefined, tx); // again: another request may have taken it during the hash
        const created = await users.create(
          {
            email: input.email,
            displayName: input.displayName,
            role: input.role,
            passwordHash,
            mustChangePassword: true,
          },
          tx,
        );
        await audit.record({ action: 'user.created', targetUserId: created.id, after: snapshot(created) }, actor, tx);
        return created;
      });
      return summary(user);
    },

    async update(actor: Actor, id: number, body: unknown): Promise<UserSummary> {
      const updated = await transact(async (tx) => {
        const user = await find(id, tx);
        const input = parseForm(editUserSchema, body);
        await emailFree(input.email, id, tx);
        if (!mayManageUsers(input)) await assertNotLastAdmin(user, 'demoted', tx);
        const after = await users.update(id, input, tx);
        await audit.record(
          { action: 'user.updated', targetUserId: id, before: snapshot(user), after: snapshot(after) },
          actor,
          tx,
        );
        return after;
      });
      return summary(updated);
    },

    async setDisabled(actor: Actor, id: number, disabled: boolean): Promise<void> {
      await transact(async (tx) => {
        const user = await find(id, tx);
        if (disabled) await assertNotLastAdmin(user, 'disabled', tx);
        const updated = await users.update(id, { disabled }, tx);
        if (disabled) await deps.sessions.destroyAllForUser(id, undefined, tx);
        await audit.record(
          {
            action: disabled ? 'user.disabled' : 'user.enabled',
            targetUserId: id,
            before: snapshot(user),
            after: snapshot(updated),
          },
          actor,
          tx,
        );
      });
    },

    async delete(actor: Actor, id: number): Promise<void> {
      await transact(async (tx) => {
        const user = await find(id, tx);
        if (id === actor.userId)
          throw new ForbiddenError('You cannot delete your own account. Ask another administrator.');
        await assertNotLastAdmin(user, 'deleted', tx);
        await users.delete(id, tx); // sessions and permissions go with it (cascade)
        await audit.record({ action: 'user.deleted', targetUserId: id, before: snapshot(user) }, actor, tx);
      });
    },

    /** Admin sets a temporary password; the user must change it at next sign-in. All their sessions end. */
    async resetPassword(actor: Actor, id: number, body: unknown): Promise<void> {
      const user = await find(id);
      const input = parseForm(resetPasswordSchema, body);
      policyError(input.password, user);
      const passwordHash = await deps.hasher.hash(input.password);
      await transact(async (tx) => {
        await users.update(id, { passwordHash, mustChangePassword: true }, tx);
        await deps.sessions.destroyAllForUser(id, undefined, tx);
        await audit.record({ action: 'user.password_reset', targetUserId: id }, actor, tx);
      });
    },

    /** The user's own change: the current password is required; optionally signs out everywhere else. */
    async changeOwnPassword(actor: Actor, body: unknown, currentSid: string): Promise<void> {
      const userId = actor.userId;
      const user = await find(userId);
      const input = parseForm(changeOwnPasswordSchema, body);
      // The current password is guessed here as at sign-in (by whoever holds a stolen session), so the same
      // per account+IP and per-IP limits apply, refusing before any bcrypt work; wrong guesses count for both.
      const ip = actor.ip ?? 'unknown';
      const wait = await deps.throttle.retryAfterSeconds(user.email, ip);
      if (wait > 0) throw tooManyAttempts('password checks', wait);
      if (!(await deps.hasher.verify(input.currentPassword, user.passwordHash))) {
        await deps.throttle.recordFailure(user.email, ip);
        throw new ValidationError('Please correct the highlighted fields.', {
          currentPassword: 'The current password is not correct.',
        });
      }
      if (input.password === input.currentPassword)
        throw new ValidationError('Please correct the highlighted fields.', {
          password: 'Choose a password different from the current one.',
        });
      policyError(input.password, user);
      const passwordHash = await deps.hasher.hash(input.password);
      await transact(async (tx) => {
        await users.update(userId, { passwordHash, mustChangePassword: false }, tx);
        if (input.signOutOthers || user.mustChangePassword)
          await deps.sessions.destroyAllForUser(userId, currentSid, tx);
        await audit.record({ action: 'user.password_changed', targetUserId: userId }, actor, tx);
      });
    },

    /**
     * Sets the zone the actor reads times in (an IANA name), or clears it (empty: her browser's, else UTC).
     * A preference about her own pages, not a security matter: not audited.
     */
    async setOwnTimeZone(actor: Actor, body: unknown): Promise<string | null> {
      const raw = (body as Record<string, unknown> | undefined)?.timeZone;
      const zone = typeof raw === 'string' ? raw.trim() : '';
      if (zone && !isTimeZone(zone))
        throw new ValidationError('Please correct the highlighted fields.', {
          timeZone: `“${zone.slice(0, 60)}” is not a time zone. Choose one from the list, e.g. Europe/Berlin.`,
        });
      await users.update(actor.userId, { timeZone: zone || null });
      return zone || null;
    },

    async sessions(userId: number, currentSid?: string) {
      return (await deps.sessions.listForUser(userId)).map((s) => ({
        handle: sessionHandle(s.sid),
        current: s.sid === currentSid,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        ip: s.ip,
        userAgent: s.userAgent,
        browser: browserName(s.userAgent),
      }));
    },

    /** Ends one of the actor's own sessions. */
    async endSession(actor: Actor, handle: string): Promise<void> {
      const userId = actor.userId;
      const target = (await deps.sessions.listForUser(userId)).find((s) => sessionHandle(s.sid) === handle);
      if (!target) throw new NotFoundError('That session has already ended.');
      await new Promise<void>((resolve, reject) =>
        deps.sessions.destroy(target.sid, (err) => (err ? reject(err) : resolve())),
      );
      await audit.record({ action: 'session.ended', targetUserId: userId }, actor);
    },

    async endAllSessions(actor: Actor, userId: number, exceptSid?: string): Promise<number> {
      return transact(async (tx) => {
        await find(userId, tx);
        const count = await deps.sessions.destroyAllForUser(userId, exceptSid, tx);
        await audit.record({ action: 'session.ended_all', targetUserId: userId, details: { count } }, actor, tx);
        return count;
      });
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
