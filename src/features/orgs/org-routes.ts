// Admin pages for Genesys orgs, the sandbox org, and every user's org switcher.
import type { Request, Response } from 'express';
import { regionOptions } from '../../genesys/regions.js';
import { timeZoneNames } from '../../lib/zoned-time.js';
import { actorOf } from '../../lib/request-actor.js';
import { safeReturnPath } from '../../lib/current-user.js';
import { NotFoundError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { renderForm } from '../../lib/form-page.js';
import type { RouteTable } from '../../lib/route.js';
import { ORG_COLORS } from './org-schemas.js';
import type { PermissionService } from '../permissions/permission-service.js';
import { openOrgsOf } from './org-context.js';
import type { OrgService, OrgView } from './org-service.js';
import type { ReadinessService } from './readiness-service.js';

type FormValues = Record<string, string | boolean>;

function formValues(body: unknown, org?: OrgView): FormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (k: string, fallback: string) => (typeof b[k] === 'string' ? (b[k] as string) : fallback);
  return {
    name: str('name', org?.name ?? ''),
    region: str('region', org?.region ?? 'us_east_1'),
    clientId: str('clientId', ''),
    label: str('label', org?.label ?? ''),
    color: str('color', org?.color ?? 'blue'),
    readOnly: body ? b.readOnly !== undefined : (org?.readOnly ?? false),
    requireReason: body ? b.requireReason !== undefined : (org?.requireReason ?? false),
    backupSchedule: str('backupSchedule', org?.backupSchedule ?? 'off'),
    backupKeep: str('backupKeep', String(org?.backupKeep ?? 7)),
    requestsPerMinute: str('requestsPerMinute', String(org?.requestsPerMinute ?? 300)),
    timeZone: str('timeZone', org?.timeZone ?? 'UTC'),
    changePolicy: str('changePolicy', org?.changePolicy ?? 'direct'),
    approvalsNeeded: str('approvalsNeeded', String(org?.approvalsNeeded ?? 1)),
    lateAfterMinutes: str('lateAfterMinutes', String(org?.lateAfterMinutes ?? 15)),
  };
}

export function renderOrgForm(
  res: Response,
  locals: { org?: OrgView; values: FormValues; action: string; title: string; submitLabel: string },
  failure?: unknown,
) {
  renderForm(
    res,
    'orgs/form',
    {
      title: locals.title,
      org: locals.org ?? null,
      values: locals.values,
      action: locals.action,
      submitLabel: locals.submitLabel,
      regions: regionOptions(),
      colors: ORG_COLORS,
      timeZones: timeZoneNames(),
    },
    failure,
  );
}

export function registerOrgRoutes(
  routes: RouteTable,
  deps: {
    orgs: OrgService;
    permissions: PermissionService;
    backupScheduler: { run(): Promise<unknown> };
    readiness: ReadinessService;
  },
): void {
  const { orgs } = deps;
  const id = (req: Request) => String(req.params.id);

  routes.get('/admin/orgs', 'admin', async (_req, res) => {
    res.render('orgs/list', { title: 'Genesys orgs', orgs: await orgs.list({ includeArchived: true }) });
  });

  routes.get('/admin/orgs/new', 'admin', (_req, res) => {
    renderOrgForm(res, {
      values: formValues(undefined),
      action: '/admin/orgs',
      title: 'Add a Genesys org',
      submitLabel: 'Save and test connection',
    });
  });

  routes.post('/admin/orgs', 'admin', async (req, res) => {
    let org: OrgView;
    try {
      org = await orgs.create(actorOf(req), req.body);
    } catch (err) {
      // Only a refused form comes back to the form: once the org is saved, a later failure is not the form's.
      return renderOrgForm(
        res,
        {
          values: formValues(req.body),
          action: '/admin/orgs',
          title: 'Add a Genesys org',
          submitLabel: 'Save and test connection',
        },
        err,
      );
    }
    const test = await orgs.test(org.id);
    flash(
      req,
      test.ok ? 'success' : 'error',
      test.ok
        ? `Saved “${org.name}”. ${test.message}`
        : `Saved “${org.name}”, but the connection test failed: ${test.message}`,
    );
    // A new org shows its readiness (reads only) at once: what its role lets the app do, and what to change.
    if (!test.ok) return res.redirect(303, `/admin/orgs/${org.id}/edit`);
    await deps.readiness.run(actorOf(req), org.id, { writeChecks: false });
    res.redirect(303, `/admin/orgs/${org.id}/readiness`);
  });

  routes.post('/admin/orgs/sandbox', 'admin', async (req, res) => {
    const org = await orgs.createSandbox(actorOf(req));
    req.session.currentOrgId = org.id;
    flash(req, 'success', `The sandbox org “${org.name}” is ready, with demo tables you can edit freely.`);
    res.redirect(303, '/admin/orgs');
  });

  routes.get('/admin/orgs/:id/edit', 'admin', async (req, res) => {
    const org = await orgs.get(id(req));
    if (org.managedBy === 'env')
      throw new NotFoundError('This org is defined by environment variables and has no settings page.');
    renderOrgForm(res, {
      org,
      values: formValues(undefined, org),
      action: `/admin/orgs/${org.id}`,
      title: `Edit ${org.name}`,
      submitLabel: 'Save',
    });
  });

  routes.post('/admin/orgs/:id', 'admin', async (req, res) => {
    const org = await orgs.get(id(req));
    try {
      await orgs.update(actorOf(req), org.id, req.body);
      // A schedule just turned on makes its first backup now, not at the next hourly check.
      void deps.backupScheduler.run().catch(() => undefined); // failures are logged and audited by the scheduler
      flash(req, 'success', `Saved “${String((req.body as Record<string, unknown>).name ?? org.name)}”.`);
      res.redirect(303, `/admin/orgs/${org.id}/edit`);
    } catch (err) {
      renderOrgForm(
        res,
        {
          org,
          values: formValues(req.body, org),
          action: `/admin/orgs/${org.id}`,
          title: `Edit ${org.name}`,
          submitLabel: 'Save',
        },
        err,
      );
    }
  });

  routes.post('/admin/orgs/:id/test', 'admin', async (req, res) => {
    const result = await orgs.test(id(req));
    flash(
      req,
      result.ok ? 'success' : 'error',
      result.ok ? result.message : `Connection test failed: ${result.message}`,
    );
    res.redirect(303, safeReturnPath((req.body as Record<string, unknown>).returnTo ?? '/admin/orgs'));
  });

  routes.post('/admin/orgs/:id/archive', 'admin', async (req, res) => {
    await orgs.setArchived(actorOf(req), id(req), true);
    flash(req, 'success', 'The org is archived: hidden from the org switcher, its history kept.');
    res.redirect(303, '/admin/orgs');
  });

  routes.post('/admin/orgs/:id/unarchive', 'admin', async (req, res) => {
    await orgs.setArchived(actorOf(req), id(req), false);
    flash(req, 'success', 'The org is active again.');
    res.redirect(303, '/admin/orgs');
  });

  routes.post('/admin/orgs/:id/delete', 'admin', async (req, res) => {
    const org = await orgs.get(id(req));
    await orgs.delete(actorOf(req), org.id);
    flash(req, 'success', `Deleted “${org.name}”.`);
    res.redirect(303, '/admin/orgs');
  });

  routes.post('/admin/orgs/:id/reset-sandbox', 'admin', async (req, res) => {
    await orgs.resetSandbox(actorOf(req), id(req));
    flash(req, 'success', 'The sandbox org has its demo data back.');
    res.redirect(303, '/admin/orgs');
  });

  routes.post('/orgs/current', 'signed-in', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const wanted = typeof body.orgId === 'string' ? body.orgId : '';
    // Only an org the user may work in: the same list as the switcher's (a crafted id of another is refused).
    const org = (await openOrgsOf(req, orgs, deps.permissions)).find((o) => o.id === wanted);
    if (!org) throw new NotFoundError('That org is not available.');
    req.session.currentOrgId = org.id;
    flash(req, 'info', `You are now working in “${org.name}”.`);
    res.redirect(303, safeReturnPath(body.returnTo));
  });
}
