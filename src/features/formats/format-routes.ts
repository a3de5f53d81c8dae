// The column formats page of a table (administrators): each column of the live table with its Genesys type, its
// format and a form to set or remove it. After a save the page lists the rows that break the column's new
// format (read from Genesys now; listed, never changed), so the administrator sees what people must fix.
import type { Request, Response } from 'express';
import { flash } from '../../lib/flash.js';
import { formFailure } from '../../lib/form-page.js';
import { actorOf } from '../../lib/request-actor.js';
import type { RouteTable } from '../../lib/route.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { orderedColumns } from '../permissions/access.js';
import type { TableService } from '../tables/table-service.js';
import { describeFormat } from './format-check.js';
import type { FormatService } from './format-service.js';
import { formatMisfit, KIND_NAMES, parseFormatForm } from './format-spec.js';
import { FORMAT_KINDS, type FormatKind } from './format-types.js';

export const formatsPath = (orgId: string, tableId: string) =>
  `/admin/orgs/${encodeURIComponent(orgId)}/tables/${encodeURIComponent(tableId)}/formats`;

/** The kinds a column of this Genesys type may take (what the service would accept), in the form's order. */
function kindsFor(type: string): FormatKind[] {
  if (type === 'string') return [...FORMAT_KINDS];
  if (type === 'integer' || type === 'number') return ['range', 'list'];
  return [];
}

export function registerFormatRoutes(
  routes: RouteTable,
  deps: { formats: FormatService; orgs: OrgService; tables: TableService },
): void {
  const { formats, orgs, tables } = deps;

  async function renderPage(
    req: Request,
    res: Response,
    org: OrgView,
    tableId: string,
    failed?: { column: string; err: unknown },
  ) {
    const actor = actorOf(req);
    const shown = failed ? formFailure(failed.err) : null;
    const { table } = await tables.open(actor, org, tableId);
    const current = await formats.forTable(org.id, table.id);
    const columns = orderedColumns(table.schema).map((name) => {
      const prop = table.schema.properties[name]!;
      const spec = current.get(name) ?? null;
      const label = prop.title || name;
      return {
        name,
        label,
        type: prop.type,
        spec,
        hint: spec ? describeFormat(spec) : null,
        // A format saved before the column's type changed in Genesys is kept but no longer applied.
        misfit: spec ? formatMisfit(spec, prop.type, label) : null,
        kinds: kindsFor(prop.type),
      };
    });
    const checkedColumn = typeof req.query.checked === 'string' ? req.query.checked : null;
    const checked =
      checkedColumn && !failed && columns.some((c) => c.name === checkedColumn && c.spec)
        ? await formats.violations(actor, org, table.id, checkedColumn)
        : null;
    res.status(shown?.status ?? 200).render('formats/table', {
      title: `Column formats of ${table.name}`,
      org,
      table,
      columns,
      kindNames: KIND_NAMES,
      checked,
      checkedLabel: checked ? columns.find((c) => c.name === checked.column)!.label : null,
      failedColumn: failed?.column ?? null,
      error: shown?.error ?? null,
      fieldErrors: shown?.fieldErrors ?? {},
      submitted: failed ? (req.body as Record<string, unknown>) : {},
    });
  }

  routes.get('/admin/orgs/:orgId/tables/:tableId/formats', 'admin', async (req, res) => {
    await renderPage(req, res, await orgs.get(String(req.params.orgId)), String(req.params.tableId));
  });

  routes.post('/admin/orgs/:orgId/tables/:tableId/formats', 'admin', async (req, res) => {
    const org = await orgs.get(String(req.params.orgId));
    // The table is the live one the route names (404 if Genesys has none); the column is checked against it.
    const { table } = await tables.open(actorOf(req), org, String(req.params.tableId));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const column = typeof body.column === 'string' ? body.column : '';
    let saved;
    try {
      saved = await formats.save(actorOf(req), org, table.id, column, parseFormatForm(body));
    } catch (err) {
      return renderPage(req, res, org, table.id, { column, err });
    }
    const label = table.schema.properties[column]?.title || column;
    flash(req, 'success', saved ? `Saved the format of ${label}.` : `Removed the format of ${label}.`);
    const url = formatsPath(org.id, table.id);
    res.redirect(303, saved ? `${url}?checked=${encodeURIComponent(column)}#checked` : url);
  });
}
