// The change policies page of an org (administrators): its tables, live from Genesys, each with the policy that
// governs it (its own, or the org's default) and a form to give it its own or return it to the org's.
import type { Request, Response } from 'express';
import { flash } from '../../lib/flash.js';
import { formFailure } from '../../lib/form-page.js';
import { actorOf } from '../../lib/request-actor.js';
import type { RouteTable } from '../../lib/route.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import { orgPolicy, parseTablePolicyForm, type ChangePolicies } from './change-policy.js';

export function registerChangePolicyRoutes(
  routes: RouteTable,
  deps: { changePolicies: ChangePolicies; orgs: OrgService; tables: TableService },
): void {
  const { changePolicies, orgs, tables } = deps;
  const pageUrl = (org: OrgView) => `/admin/orgs/${encodeURIComponent(org.id)}/policies`;

  /** The page; after a refused form, its message beside that table's form (and the status of the refusal). */
  async function renderPage(req: Request, res: Response, org: OrgView, failed?: { tableId: string; err: unknown }) {
    const shown = failed ? formFailure(failed.err) : null;
    const own = await changePolicies.overrides(org);
    const rows = (await tables.listTables(actorOf(req), org)).map(({ table }) => ({
      table,
      own: own.get(table.id) ?? null,
    }));
    res.status(shown?.status ?? 200).render('orgs/policies', {
      title: `Change policies of ${org.name}`,
      org,
      orgDefault: orgPolicy(org),
      rows,
      failedTableId: failed?.tableId ?? null,
      error: shown?.error ?? null,
      fieldErrors: shown?.fieldErrors ?? {},
      submitted: failed ? (req.body as Record<string, unknown>) : {},
    });
  }

  routes.get('/admin/orgs/:orgId/policies', 'admin', async (req, res) => {
    await renderPage(req, res, await orgs.get(String(req.params.orgId)));
  });

  routes.post('/admin/orgs/:orgId/policies/:tableId', 'admin', async (req, res) => {
    const org = await orgs.get(String(req.params.orgId));
    // The table is the live one the route names (404 if Genesys has none), never a name from the form.
    const { table } = await tables.open(actorOf(req), org, String(req.params.tableId));
    try {
      await changePolicies.save(actorOf(req), org, table.id, parseTablePolicyForm(req.body), table.name);
    } catch (err) {
      return renderPage(req, res, org, { tableId: table.id, err });
    }
    flash(req, 'success', `Saved the change policy of ${table.name}.`);
    res.redirect(303, pageUrl(org));
  });
}
