// The one place CSRF protection lives. csurf (the project's chosen library, deprecated upstream but stable)
// in synchronizer-token mode: the secret sits in the server-side session, never in a cookie, so a token only
// works for the session it was issued to and dies when the session is regenerated at sign-in.
// In front of it, a Fetch-Metadata / Origin check refuses cross-site state changes even with a valid token.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import csurf from 'csurf';
import { ForbiddenError } from './errors.js';

export const CSRF_FIELD = '_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class CsrfError extends ForbiddenError {
  constructor(
    message = 'This form has expired or did not come from this site. Go back, reload the page and try again.',
  ) {
    super(message);
    this.name = 'CsrfError';
  }
}

/** Refuses state-changing requests a browser marks as cross-site, or whose Origin is not this server. */
export function sameOriginCheck(req: Request, _res: Response, next: NextFunction): void {
  if (!UNSAFE.has(req.method)) return next();
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none')
    return next(new CsrfError('Cross-site requests are not accepted.'));
  const origin = req.get('origin');
  if (origin !== undefined) {
    const expected = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin !== expected) return next(new CsrfError('Requests from another origin are not accepted.'));
  }
  next();
}

const tokenCheck = csurf({
  cookie: false,
  sessionKey: 'session',
  // Never read the token from the query string: URLs end up in logs and Referer headers.
  value: (req: Request) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined;
    return fromBody ?? req.get('x-csrf-token') ?? '';
  },
});

/** Middleware chain: origin check, token check (unsafe methods), and `res.locals.csrfToken` for forms. */
export function csrfProtection(): RequestHandler[] {
  const verify: RequestHandler = (req, res, next) =>
    tokenCheck(req, res, (err?: unknown) => {
      if (err && (err as { code?: string }).code === 'EBADCSRFTOKEN') return next(new CsrfError());
      if (err) return next(err);
      // Lazily minted: only pages that render a form pay for it.
      Object.defineProperty(res.locals, 'csrfToken', {
        get: () => req.csrfToken(),
        enumerable: true,
        configurable: true,
      });
      next();
    });
  return [sameOriginCheck, verify];
}
