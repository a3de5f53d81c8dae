// Sign in / sign out. Both are POSTs behind CSRF protection; the session id is replaced at sign-in (no session
// fixation) and the session destroyed server-side at sign-out.
import type { Request, Response } from 'express';
import { renderForm } from '../../lib/form-page.js';
import { safeReturnPath } from '../../lib/current-user.js';
import { flash } from '../../lib/flash.js';
import type { Logger } from '../../lib/logger.js';
import type { RouteTable } from '../../lib/route.js';
import { saveSession, startSignedInSession } from '../../lib/session.js';
import type { Clock } from '../../lib/clock.js';
import type { AuthService } from './auth-service.js';
import { originOf } from '../../lib/request-actor.js';
import { describeFailedSignIns } from './failed-sign-ins.js';
import { isTimeZone } from '../../lib/zoned-time.js';

const SIGNED_OUT_MESSAGE = 'You have signed out.';

function renderLogin(res: Response, fields: { email?: string; returnTo?: string; notice?: string }, failure?: unknown) {
  renderForm(
    res,
    'auth/login',
    {
      title: 'Sign in',
      email: fields.email ?? '',
      returnTo: safeReturnPath(fields.returnTo),
      notice: fields.notice ?? null,
    },
    failure,
  );
}

export function registerAuthRoutes(
  routes: RouteTable,
  deps: { auth: AuthService; clock: Clock; logger: Logger },
): void {
  routes.get('/login', 'public', (req: Request, res: Response) => {
    if (req.user) return res.redirect(303, '/');
    renderLogin(res, {
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
      await startSignedInSession(req, user, deps.clock);
      // The zone the browser reported (public/js/browser-zone.js): times read in it until she sets her own.
      if (typeof body.timeZone === 'string' && isTimeZone(body.timeZone)) req.session.browserTimeZone = body.timeZone;
      flash(req, 'success', `Welcome, ${user.displayName}.`);
      if (failedSinceLastSignIn) flash(req, 'error', describeFailedSignIns(failedSinceLastSignIn));
      await saveSession(req);
      res.redirect(303, safeReturnPath(returnTo));
    } catch (err) {
      renderLogin(res, { email, returnTo }, err);
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
