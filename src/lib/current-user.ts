// Loads the signed-in user from the database on every request (never from the session), so disabling a user
// or changing their role takes effect on their very next request. Also provides the access guards RouteTable
// applies to every route.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role } from '../db/generated/client.js';
import type { Clock } from './clock.js';
import { SignInRequiredError } from './error-handler.js';
import { ForbiddenError } from './errors.js';
import { flash } from './flash.js';
import { readerZone, timeElement } from './reader-time.js';
import { requestContext } from './request-context.js';
import type { AccessGuards } from './route.js';
import { enforceSessionLifetime, regenerateSession } from './session.js';
import { mayAdminister, viewAnswers } from '../features/permissions/policy.js';

export interface CurrentUser {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  mustChangePassword: boolean;
  /** Her time-zone setting (IANA), null: the browser's, else UTC (src/lib/reader-time.ts). */
  timeZone?: string | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: CurrentUser;
    }
  }
}

interface UserLookup {
  findById(id: number): Promise<(CurrentUser & { disabled: boolean }) | null>;
}

const ENDED_MESSAGES = {
  idle: 'You were signed out after a period of inactivity. Please sign in again.',
  expired: 'Your session reached its maximum length. Please sign in again.',
};

export function loadCurrentUser(deps: {
  users: UserLookup;
  idleMs: number;
  maxMs: number;
  clock: Clock;
}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const ended = await enforceSessionLifetime(req, deps);
    if (ended) flash(req, 'info', ENDED_MESSAGES[ended]);
    const userId = req.session?.userId;
    if (userId !== undefined) {
      const user = await deps.users.findById(userId);
      if (!user || user.disabled) {
        await regenerateSession(req);
      } else {
        req.user = {
          id: user.id,
          email: user.email,
          displayName: user.displayName,
          role: user.role,
          mustChangePassword: user.mustChangePassword,
          timeZone: user.timeZone,
        };
        const ctx = requestContext.getStore();
        if (ctx) ctx.userId = user.id;
      }
    }
    res.locals.currentUser = req.user ?? null;
    res.locals.may = viewAnswers(req.user);
    const zone = readerZone(req.user?.timeZone, req.session?.browserTimeZone);
    res.locals.timeZone = zone;
    res.locals.when = (at: Date) => timeElement(at, zone);
    next();
  };
}

function requireSignedIn(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (req.method === 'GET') {
    const returnTo = req.originalUrl !== '/' ? `?returnTo=${encodeURIComponent(req.originalUrl)}` : '';
    return res.redirect(303, `/login${returnTo}`);
  }
  next(new SignInRequiredError());
}

export const accessGuards: AccessGuards = {
  public: (_req, _res, next) => next(),
  'signed-in': requireSignedIn,
  admin: (req, res, next) =>
    requireSignedIn(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (res.headersSent) return undefined;
      if (!req.user || !mayAdminister(req.user))
        return next(new ForbiddenError('This page is for administrators only.'));
      next();
    }),
};

/** Only same-site relative paths may be redirect targets after sign-in (no open redirects). */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\'))
    return '/';
  if (/[\r\n]/.test(value) || value.length > 2000) return '/';
  return value;
}
