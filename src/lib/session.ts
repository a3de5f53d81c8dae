// express-session wiring plus what express-session lacks: an absolute session lifetime, a server-side idle
// check (the cookie's own expiry is only advice to the browser), and session-id rotation at sign-in.
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
export async function enforceSessionLifetime(req: Request, opts: { idleMs: number; maxMs: number; clock: Clock }): Promise<SessionEnd> {
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

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}
