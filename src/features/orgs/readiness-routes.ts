// The readiness page of an org (admins): what its OAuth client can do in Genesys, division by division, and
// what to change there. Shown after an org is added and on demand; write checks only on an explicit click.
import type { Request } from 'express';
import { CAPABILITIES, CAPABILITY_ORDER } from '../../genesys/readiness-probe.js';
import { actorOf } from '../../lib/request-actor.js';
import { flash } from '../../lib/flash.js';
import type { RouteTable } from '../../lib/route.js';
import type { OrgService } from './org-service.js';
import { fixFor, type ReadinessService } from './readiness-service.js';

export function registerReadinessRoutes(
  routes: RouteTable,
  deps: { orgs: OrgService; readiness: ReadinessService },
): void {
  const id = (req: Request) => String(req.params.id);

  routes.get('/admin/orgs/:id/readiness', 'admin', async (req, res) => {
    const org = await deps.orgs.get(id(req));
    res.render('orgs/readiness', {
      title: `Readiness of ${org.name}`,
      org,
      report: await deps.readiness.latest(org.id),
      capabilities: CAPABILITIES,
      order: CAPABILITY_ORDER,
      fixFor,
    });
  });

  routes.post('/admin/orgs/:id/readiness', 'admin', async (req, res) => {
    const org = await deps.orgs.get(id(req));
    const writeChecks = (req.body as Record<string, unknown>).writeChecks === '1';
    const report = await deps.readiness.run(actorOf(req), org.id, { writeChecks });
    // A permission the app never uses (deleting tables) is shown when missing, but is nothing to fix.
    const problems = report.divisions
      .flatMap((d) => d.checks)
      .filter((c) => !CAPABILITIES[c.capability].unused && (c.status === 'missing' || c.status === 'failed')).length;
    const ok = report.token.status === 'ok' && report.listing.status === 'ok' && problems === 0;
    flash(
      req,
      ok ? 'success' : 'error',
      ok
        ? 'Readiness checked: nothing missing.'
        : 'Readiness checked: some lines need a change in Genesys Cloud (see below).',
    );
    res.redirect(303, `/admin/orgs/${org.id}/readiness`);
  });
}
