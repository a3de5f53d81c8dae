// express-session store in the app's SQLite database: sessions survive restarts, and every session of a user
// can be listed or ended at once (user disabled, password reset, "sign out everywhere").
import session from 'express-session';
import type { Transaction } from '../db/transaction.js';
import type { Clock } from './clock.js';
import type { SessionRepository } from './session-repository.js';

/** Extending a session row at most this often (the row outlives the session by the grace period anyway). */
const TOUCH_INTERVAL_MS = 60_000;

/** How long an ended session's row is kept so the sign-in page can explain why it ended. */
export const SESSION_ROW_GRACE_MS = 60 * 60_000;

type Callback<T = void> = (err?: unknown, value?: T) => void;

export interface SessionSummary {
  sid: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export class PrismaSessionStore extends session.Store {
  constructor(
    private readonly repo: SessionRepository,
    private readonly policy: { idleMs: number; maxMs: number },
    private readonly clock: Clock,
  ) {
    super();
  }

  /**
   * When the row may be deleted: the session's own end plus a grace period. The grace lets the app still
   * recognise an ended session and tell the user why they were signed out (idle vs maximum length); the
   * session-lifetime middleware, not this expiry, is what actually ends sessions.
   */
  private expiry(sess: session.SessionData): Date {
    const now = this.clock.now();
    const created = sess.createdAt ?? now;
    return new Date(Math.min(now + this.policy.idleMs, created + this.policy.maxMs) + SESSION_ROW_GRACE_MS);
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.repo
      .find(sid)
      .then(async (row) => {
        if (!row) return cb(null, null);
        if (row.expiresAt.getTime() <= this.clock.now()) {
          await this.repo.delete(sid);
          return cb(null, null);
        }
        cb(null, JSON.parse(row.data) as session.SessionData);
      })
      .catch((err: unknown) => cb(err));
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    const data = JSON.stringify(sess);
    const fields = {
      userId: sess.userId ?? null,
      data,
      expiresAt: this.expiry(sess),
      lastSeenAt: new Date(this.clock.now()),
      ip: sess.ip ?? null,
      userAgent: sess.userAgent ?? null,
    };
    this.repo
      .save(sid, fields, new Date(sess.createdAt ?? this.clock.now()))
      .then(() => cb?.())
      .catch((err: unknown) => cb?.(err));
  }

  /** When each session's row was last extended, so a busy user does not cost a database write per click. */
  private readonly lastTouched = new Map<string, number>();

  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    const now = this.clock.now();
    if (now - (this.lastTouched.get(sid) ?? 0) < TOUCH_INTERVAL_MS) return void cb?.();
    this.lastTouched.set(sid, now);
    if (this.lastTouched.size > 10_000) this.lastTouched.clear();
    this.repo
      .extend(sid, this.expiry(sess), new Date(this.clock.now()))
      .then(() => cb?.())
      .catch((err: unknown) => cb?.(err));
  }

  override destroy(sid: string, cb?: Callback): void {
    this.repo
      .delete(sid)
      .then(() => cb?.())
      .catch((err: unknown) => cb?.(err));
  }

  /** Ends every session of a user but `exceptSid`, in the caller's transaction when given (with the change that ends them). */
  async destroyAllForUser(userId: number, exceptSid?: string, tx?: Transaction): Promise<number> {
    return this.repo.deleteForUser(userId, exceptSid, tx);
  }

  async listForUser(userId: number): Promise<SessionSummary[]> {
    return this.repo.listForUser(userId, new Date(this.clock.now() + SESSION_ROW_GRACE_MS)); // live, not just kept for the message
  }

  /** Deletes expired rows; run periodically so the table does not grow with abandoned anonymous sessions. */
  async prune(): Promise<number> {
    return this.repo.deleteExpired(new Date(this.clock.now()));
  }
}
