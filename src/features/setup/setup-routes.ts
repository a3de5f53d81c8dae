// The first-run wizard: step 1 creates the administrator (public, only while no admin exists); step 2 offers
// the Genesys connection (admin only, until done). Afterwards both answer 404.
import type { Request, Response } from 'express';
import { ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import type { RouteTable } from '../../lib/route.js';
import { regenerateSession, saveSession } from '../../lib/session.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError } from '../../lib/errors.js';
import type { SetupService } from './setup-service.js';

export function registerSetupRoutes(routes: RouteTable, deps: { setup: SetupService; clock: Clock }): void {
  const renderAdminForm = (res: Response, status: number, values: Record<string, unknown>, error?: ValidationError) =>
    res.status(status).render('setup/admin', {
      title: 'Set up: create the administrator',
      values: { email: String(values.email ?? ''), displayName: String(values.displayName ?? '') },
      error: error?.message ?? null,
      fieldErrors: error?.fieldErrors ?? {},
    });

  routes.get('/setup', 'public', async (_req: Request, res: Response) => {
    if (await deps.setup.isAdminCreated()) throw new NotFoundError();
    renderAdminForm(res, 200, {});
  });

  routes.post('/setup', 'public', async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const user = await deps.setup.createFirstAdmin(body, req.ip);
      await regenerateSession(req);
      const now = deps.clock.now();
      Object.assign(req.session, { userId: user.id, createdAt: now, lastSeenAt: now, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 300) });
      flash(req, 'success', 'Your administrator account is ready and you are signed in.');
      await saveSession(req);
      res.redirect(303, '/setup/connect');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      renderAdminForm(res, 400, body, err);
    }
  });

  routes.get('/setup/connect', 'admin', async (_req: Request, res: Response) => {
    if (!(await deps.setup.isConnectionStepPending())) throw new NotFoundError();
    res.render('setup/connect', { title: 'Set up: connect Genesys Cloud' });
  });

  routes.post('/setup/connect', 'admin', async (req: Request, res: Response) => {
    await deps.setup.finishConnectionStep(req.user!.id);
    flash(req, 'info', 'Setup is complete. You can connect a Genesys Cloud org later from the administration pages.');
    res.redirect(303, '/');
  });
}
