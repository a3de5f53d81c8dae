// express-session wiring plus what express-session lacks: an absolute session lifetime, a server-side idle
// check (the cookie's own expiry is only advice to the browser), and session-id rotation whenever a signed-in
// session starts (startSignedInSession).
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Clock } from './clock.js';
import type { PrismaSessionStore } from './session-store.js';
import './session-types.js';

export interface SessionOptions {
  secret: string;
  store: PrismaSessionStore;
  idleMs: number;
  maxMs: number;
  secureCookies: boolean;
  clock: Clock;
}

/** Cookie name: the __Host- prefix (Secure, Path=/, no Domain) whenever cookies are Secure. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-dtm.sid' : 'dtm.sid';
}

export function sessionMiddleware(opts: SessionOptions): RequestHandler {
  return session({
    name: sessionCookieName(opts.secureCookies),
    secret: opts.secret,
    store: opts.store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: opts.secureCookies,
      path: '/',
      // The browser keeps the cookie for the absolute maximum; the server enforces the idle timeout itself.
      maxAge: opts.maxMs,
    },
  });
}

export type SessionEnd = 'idle' | 'expired' | null;

/**
 * Ends signed-in sessions that have been idle too long or lived past the absolute maximum, and records
 * activity otherwise. Returns why the session ended (for the sign-in page's message), or null.
 */
export async function enforceSessionLifetime(
  req: Request,
  opts: { idleMs: number; maxMs: number; clock: Clock },
): Promise<SessionEnd> {
  const s = req.session;
  if (!s?.userId) return null;
  const now = opts.clock.now();
  const created = s.createdAt ?? 0;
  const lastSeen = s.lastSeenAt ?? created;
  const reason: SessionEnd = now - created >= opts.maxMs ? 'expired' : now - lastSeen >= opts.idleMs ? 'idle' : null;
  if (reason) {
    await regenerateSession(req);
    return reason;
  }
  // Recording activity rewrites the session row: once a minute is precise enough for a 30-minute idle limit.
  if (now - lastSeen >= 60_000) s.lastSeenAt = now;
  return null;
}

/** New session id (and new CSRF secret), old session destroyed: used at sign-in, sign-out and expiry. */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

/**
 * Starts a signed-in session for `user`: a new session id, the old session destroyed (an id planted before
 * sign-in is worth nothing: no session fixation), then who is signed in, since when and from where. Signing
 * in, the first-run wizard's administrator and a password change all start sessions here and nowhere else.
 * `continuing` (a password change) keeps the signed-in session's sign-in time (the absolute limit still
 * counts from it), org choice and device under the new id. Callers add their flash messages, then save.
 */
export async function startSignedInSession(
  req: Request,
  user: { id: number },
  clock: Clock,
  opts: { continuing?: boolean } = {},
): Promise<void> {
  const old = req.session;
  const kept = opts.continuing
    ? {
        createdAt: old.createdAt,
        currentOrgId: old.currentOrgId,
        ip: old.ip,
        userAgent: old.userAgent,
        browserTimeZone: old.browserTimeZone,
      }
    : {};
  await regenerateSession(req);
  const now = clock.now();
  const fresh = {
    userId: user.id,
    createdAt: now,
    lastSeenAt: now,
    ip: req.ip,
    userAgent: req.get('user-agent')?.slice(0, 300),
  };
  Object.assign(req.session, fresh, Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== undefined)));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}
