// Admin pages for rights: per user and org, the org's tables (live from Genesys) with their rights; per
// table, the rights and a column grid built from the live schema; copy rights; who can do what on a table.
import type { Request, Response } from 'express';
import type { DataTable } from '../../genesys/gateway.js';
import { actorOf } from '../../lib/request-actor.js';
import { flash } from '../../lib/flash.js';
import { renderForm } from '../../lib/form-page.js';
import { idField, idParam } from '../../lib/params.js';
import type { RouteTable } from '../../lib/route.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { gapsIn, type ReadinessService } from '../orgs/readiness-service.js';
import type { TableService } from '../tables/table-service.js';
import type { UserService, UserSummary } from '../users/user-service.js';
import { COLUMN_ACCESS, NO_RIGHTS, orderedColumns } from './access.js';
import { COLUMN_FIELD_PREFIX, type PermissionService } from './permission-service.js';
import { needsTableGrants } from './policy.js';
import { formatHints } from '../formats/format-check.js';
import type { FormatService } from '../formats/format-service.js';

export function registerPermissionRoutes(
  routes: RouteTable,
  deps: {
    permissions: PermissionService;
    users: UserService;
    orgs: OrgService;
    tables: TableService;
    readiness: ReadinessService;
    formats: Pick<FormatService, 'forTable'>;
  },
): void {
  const { permissions, users, orgs, tables } = deps;
  const userId = (req: Request) => idParam(req, 'id', 'user');
  /** One user's rights on one table, as stored (a refused form shows them again beside its messages). */
  const renderRightsForm = async (
    res: Response,
    user: UserSummary,
    org: OrgView,
    table: DataTable,
    failure?: unknown,
  ) => {
    const rights = (await permissions.rightsOn(user.id, org.id, table.id)) ?? NO_RIGHTS;
    const roleGaps = await deps.readiness.gaps(org.id, table.division, rights, 'admin');
    renderForm(
      res,
      'permissions/table',
      {
        title: `${table.name}: rights of ${user.displayName}`,
        user,
        org,
        table,
        columns: orderedColumns(table.schema),
        rights,
        roleGaps,
        accessLevels: COLUMN_ACCESS,
        prefix: COLUMN_FIELD_PREFIX,
      },
      failure,
    );
  };

  routes.get('/admin/users/:id/permissions', 'admin', async (req, res) => {
    const user = await users.get(userId(req));
    const allOrgs = await orgs.list();
    const wanted = typeof req.query.orgId === 'string' ? req.query.orgId : req.currentOrg?.id;
    const org = allOrgs.find((o) => o.id === wanted) ?? allOrgs[0] ?? null;
    const orgTables = org ? await tables.listTables(actorOf(req), org) : [];
    const rights = org ? await permissions.rightsOf(user.id, org.id) : new Map();
    const everyone = (await users.list()).filter((u) => u.id !== user.id && needsTableGrants(u));
    // Grants the org's Genesys role cannot honour, from its last readiness check.
    const readiness = org ? await deps.readiness.latest(org.id) : null;
    const rows = orgTables.map(({ table }) => {
      const granted = rights.get(table.id) ?? null;
      return { table, rights: granted, gaps: granted ? gapsIn(readiness, table.division, granted, 'admin') : [] };
    });
    res.render('permissions/user', {
      title: `Rights of ${user.displayName}`,
      user,
      hasEveryRight: !needsTableGrants(user),
      org,
      orgs: allOrgs,
      tables: rows,
      everyone,
    });
  });

  routes.get('/admin/users/:id/permissions/:orgId/:tableId', 'admin', async (req, res) => {
    const user = await users.get(userId(req));
    const org = await orgs.get(String(req.params.orgId));
    const { table } = await tables.open(actorOf(req), org, String(req.params.tableId));
    await renderRightsForm(res, user, org, table);
  });

  routes.post('/admin/users/:id/permissions/:orgId/:tableId', 'admin', async (req, res) => {
    const user = await users.get(userId(req));
    const org = await orgs.get(String(req.params.orgId));
    const { table } = await tables.open(actorOf(req), org, String(req.params.tableId));
    try {
      await permissions.save(actorOf(req), user.id, org, table, req.body);
      flash(
        req,
        'success',
        `Saved the rights of ${user.displayName} on ${table.name}. They apply from their next click.`,
      );
      res.redirect(303, `/admin/users/${user.id}/permissions?orgId=${encodeURIComponent(org.id)}`);
    } catch (err) {
      await renderRightsForm(res, user, org, table, err);
    }
  });

  routes.post('/admin/users/:id/permissions/copy', 'admin', async (req, res) => {
    const user = await users.get(userId(req));
    const source = await users.get(idField(req.body, 'fromUserId', 'the user to copy rights from'));
    const count = await permissions.copy(actorOf(req), source.id, user.id);
    flash(req, 'success', `Copied ${count} table right(s) from ${source.displayName} to ${user.displayName}.`);
    res.redirect(303, `/admin/users/${user.id}/permissions`);
  });

  routes.get('/admin/orgs/:orgId/tables/:tableId/access', 'admin', async (req, res) => {
    const org = await orgs.get(String(req.params.orgId));
    const { table } = await tables.open(actorOf(req), org, String(req.params.tableId));
    const grants = await permissions.whoCanAccess(org.id, table.id);
    res.render('permissions/who', {
      title: `Who can use ${table.name}`,
      org,
      table,
      columns: orderedColumns(table.schema),
      grants,
      formats: formatHints(await deps.formats.forTable(org.id, table.id)),
    });
  });
}
