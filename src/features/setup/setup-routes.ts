// The first-run wizard: step 1 creates the administrator (public, only while no admin exists); step 2 offers
// the Genesys connection (admin only, until done). Afterwards both answer 404.
import type { Request, Response } from 'express';
import { ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { renderForm } from '../../lib/form-page.js';
import type { RouteTable } from '../../lib/route.js';
import { saveSession, startSignedInSession } from '../../lib/session.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError } from '../../lib/errors.js';
import type { SetupService } from './setup-service.js';
import { regionOptions } from '../../genesys/regions.js';
import { ORG_COLORS } from '../orgs/org-schemas.js';
import type { OrgService } from '../orgs/org-service.js';
import type { ReadinessService } from '../orgs/readiness-service.js';
import { actorOf, originOf } from '../../lib/request-actor.js';

export function registerSetupRoutes(
  routes: RouteTable,
  deps: { setup: SetupService; orgs: OrgService; readiness: ReadinessService; clock: Clock },
): void {
  const renderAdminForm = (res: Response, values: Record<string, unknown>, failure?: unknown) =>
    renderForm(
      res,
      'setup/admin',
      {
        title: 'Set up: create the administrator',
        values: { email: String(values.email ?? ''), displayName: String(values.displayName ?? '') },
        setupTokenRequired: deps.setup.setupTokenRequired, // never echo the token back: it is typed again
      },
      failure,
    );

  routes.get('/setup', 'public', async (_req: Request, res: Response) => {
    if (await deps.setup.isAdminCreated()) throw new NotFoundError();
    renderAdminForm(res, {});
  });

  routes.post('/setup', 'public', async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const user = await deps.setup.createFirstAdmin(body, originOf(req));
      await startSignedInSession(req, user, deps.clock);
      flash(req, 'success', 'Your administrator account is ready and you are signed in.');
      await saveSession(req);
      res.redirect(303, '/setup/connect');
    } catch (err) {
      // Only a refused form is shown again: a 404 here means the wizard is gone (another submission won).
      if (!(err instanceof ValidationError)) throw err;
      renderAdminForm(res, body, err);
    }
  });

  const renderConnect = (
    res: Response,
    locals: { values?: Record<string, unknown>; testFailure?: string; savedOrgId?: string } = {},
    failure?: unknown,
  ) =>
    renderForm(
      res,
      'setup/connect',
      {
        title: 'Set up: connect Genesys Cloud',
        values: {
          name: 'Production',
          region: 'us_east_1',
          clientId: '',
          label: 'PROD',
          color: 'red',
          readOnly: false,
          requestsPerMinute: '300',
          ...(locals.values ?? {}),
          readOnlyChecked: locals.values?.readOnly !== undefined,
        },
        regions: regionOptions(),
        colors: ORG_COLORS,
        testFailure: locals.testFailure ?? null,
        savedOrgId: locals.savedOrgId ?? null,
      },
      failure,
    );

  const requirePending = async () => {
    if (!(await deps.setup.isConnectionStepPending())) throw new NotFoundError();
  };

  routes.get('/setup/connect', 'admin', async (_req: Request, res: Response) => {
    await requirePending();
    renderConnect(res);
  });

  routes.post('/setup/connect/sandbox', 'admin', async (req: Request, res: Response) => {
    await requirePending();
    const org = await deps.orgs.createSandbox(actorOf(req));
    req.session.currentOrgId = org.id;
    await deps.setup.finishConnectionStep(actorOf(req));
    flash(req, 'success', 'Setup is complete. The sandbox org is ready with demo tables: try editing one.');
    res.redirect(303, '/');
  });

  routes.post('/setup/connect/org', 'admin', async (req: Request, res: Response) => {
    await requirePending();
    const body = (req.body ?? {}) as Record<string, unknown>;
    let orgId: string;
    try {
      orgId = (await deps.orgs.create(actorOf(req), body)).id;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderConnect(res, { values: body }, err);
    }
    const test = await deps.orgs.test(orgId);
    req.session.currentOrgId = orgId;
    if (!test.ok) return renderConnect(res, { values: body, testFailure: test.message, savedOrgId: orgId });
    await deps.setup.finishConnectionStep(actorOf(req));
    flash(req, 'success', `Setup is complete. ${test.message}`);
    // As after adding an org later: the admin sees at once what the client's role lets the app do (reads only).
    await deps.readiness.run(actorOf(req), orgId, { writeChecks: false });
    res.redirect(303, `/admin/orgs/${orgId}/readiness`);
  });

  routes.post('/setup/connect', 'admin', async (req: Request, res: Response) => {
    await deps.setup.finishConnectionStep(actorOf(req));
    flash(
      req,
      'info',
      'Setup is complete. Connect a Genesys Cloud org (or the sandbox org) from Genesys orgs whenever you are ready.',
    );
    res.redirect(303, '/');
  });
}
