// Sign in / sign out. Both are POSTs behind CSRF protection; the session id is replaced at sign-in (no session
// fixation) and the session destroyed server-side at sign-out.
import type { Request, Response } from 'express';
import { ValidationError } from '../../lib/errors.js';
import { safeReturnPath } from '../../lib/current-user.js';
import { flash } from '../../lib/flash.js';
import type { Logger } from '../../lib/logger.js';
import type { RouteTable } from '../../lib/route.js';
import { regenerateSession, saveSession } from '../../lib/session.js';
import type { Clock } from '../../lib/clock.js';
import type { AuthService } from './auth-service.js';
import { originOf } from '../../lib/request-actor.js';
import { describeFailedSignIns } from './failed-sign-ins.js';

const SIGNED_OUT_MESSAGE = 'You have signed out.';

function renderLogin(res: Response, status: number, fields: { email?: string; returnTo?: string; error?: string; notice?: string }) {
  res.status(status).render('auth/login', {
    title: 'Sign in',
    email: fields.email ?? '',
    returnTo: safeReturnPath(fields.returnTo),
    error: fields.error ?? null,
    notice: fields.notice ?? null,
  });
}

export function registerAuthRoutes(routes: RouteTable, deps: { auth: AuthService; clock: Clock; logger: Logger }): void {
  routes.get('/login', 'public', (req: Request, res: Response) => {
    if (req.user) return res.redirect(303, '/');
    renderLogin(res, 200, {
      returnTo: typeof req.query.returnTo === 'string' ? req.query.returnTo : undefined,
      notice: req.query.signedOut === '1' ? SIGNED_OUT_MESSAGE : undefined,
    });
  });

  routes.post('/login', 'public', async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
    const returnTo = typeof body.returnTo === 'string' ? body.returnTo : '/';
    try {
      const { user, failedSinceLastSignIn } = await deps.auth.signIn(body, originOf(req));
      await regenerateSession(req);
      const now = deps.clock.now();
      Object.assign(req.session, { userId: user.id, createdAt: now, lastSeenAt: now, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 300) });
      flash(req, 'success', `Welcome, ${user.displayName}.`);
      if (failedSinceLastSignIn) flash(req, 'error', describeFailedSignIns(failedSinceLastSignIn));
      await saveSession(req);
      res.redirect(303, safeReturnPath(returnTo));
    } catch (err) {
      if (!(err instanceof ValidationError) && (err as { status?: number }).status !== 429) throw err;
      const status = (err as { status: number }).status;
      if (status === 429) res.set('Retry-After', String((err as { retryAfterSeconds: number }).retryAfterSeconds));
      renderLogin(res, status, { email, returnTo, error: (err as Error).message });
    }
  });

  routes.post('/logout', 'signed-in', async (req: Request, res: Response) => {
    const userId = req.user?.id;
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    deps.logger.info('signed out', { event: 'auth.sign_out', outcome: 'success', userId, ip: req.ip });
    res.clearCookie(req.app.get('session cookie name') as string, { path: '/' });
    res.set('Clear-Site-Data', '"cache"');
    res.redirect(303, '/login?signedOut=1');
  });
}
