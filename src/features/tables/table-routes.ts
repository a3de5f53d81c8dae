// Business users' pages: the tables they may view in their current org, a table's rows, and add / edit /
// delete through the permission-checked table service. The org comes from the session, the table and row
// from the route; a form naming another table or org is refused.
import type { Request, Response } from 'express';
import type { Row } from '../../genesys/gateway.js';
import { actorOf } from '../../lib/actor.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import type { RouteTable } from '../../lib/route.js';
import type { OrgView } from '../orgs/org-service.js';
import type { TableService, UserTable } from './table-service.js';

const PAGE_SIZE = 50;

export function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function currentOrg(req: Request): OrgView {
  if (!req.currentOrg) throw new NotFoundError('No Genesys org is available. An administrator has to connect one first.');
  return req.currentOrg;
}

/** A form may not name the table or org it acts on; if it tries to, it must agree with the page. */
function refuseScopeFields(req: Request): void {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if ((body.tableId !== undefined && body.tableId !== req.params.tableId) || (body.orgId !== undefined && body.orgId !== req.currentOrg?.id)) {
    throw new ForbiddenError('The form names a different table or org than the page it was sent from.');
  }
  delete body.tableId;
  delete body.orgId;
}

export const rowPath = (tableId: string, key: string) => `/tables/${encodeURIComponent(tableId)}/rows/${encodeURIComponent(key)}`;

function renderRowForm(res: Response, status: number, t: Pick<UserTable, 'table' | 'access' | 'columns'>, mode: 'create' | 'update', row: Row, rowRef: string | null, error?: ValidationError) {
  res.status(status).render('tables/row-form', {
    title: mode === 'create' ? `Add a row · ${t.table.name}` : `${row.key !== undefined ? String(row.key) : 'Row'} · ${t.table.name}`,
    rowRef,
    table: t.table,
    access: t.access,
    columns: t.columns,
    mode,
    row,
    rowPath,
    error: error?.message ?? null,
    fieldErrors: error?.fieldErrors ?? {},
  });
}

/** What the user typed, to show again after a validation error (visible columns only). */
function typedValues(body: unknown, columns: string[], fallback: Row): Row {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Row = { ...fallback };
  for (const c of columns) {
    if (typeof b[`f:${c}`] === 'string') out[c] = b[`f:${c}`] as string;
    else if (b[`b:${c}`] !== undefined) out[c] = b[`f:${c}`] === 'on';
  }
  return out;
}

export function registerTableRoutes(routes: RouteTable, deps: { tables: TableService }): void {
  const { tables } = deps;
  const tableId = (req: Request) => String(req.params.tableId);
  const ref = (req: Request) => String(req.params.ref);

  routes.get('/tables', 'signed-in', async (req, res) => {
    const org = req.currentOrg;
    const list = org ? await tables.listTables(req.user!, org) : [];
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    const shown = q ? list.filter(({ table }) => foldText(`${table.name} ${table.description}`).includes(foldText(q))) : list;
    res.render('tables/list', { title: 'Data tables', org: org ?? null, tables: shown, q, total: list.length });
  });

  routes.get('/tables/:tableId', 'signed-in', async (req, res) => {
    const data = await tables.rows(req.user!, currentOrg(req), tableId(req));
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    const needle = foldText(q);
    const matching = q ? data.rows.filter((r) => data.columns.some((c) => r.values[c] !== undefined && foldText(String(r.values[c])).includes(needle))) : data.rows;
    matching.sort((a, b) => String(a.values.key ?? a.ref).localeCompare(String(b.values.key ?? b.ref)));
    const pageCount = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    const page = Math.min(pageCount, Math.max(1, Number.parseInt(String(req.query.page ?? '1'), 10) || 1));
    res.render('tables/table', {
      title: data.table.name,
      table: data.table,
      access: data.access,
      columns: data.columns,
      rows: matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      total: data.rows.length,
      matched: matching.length,
      page,
      pageCount,
      q,
      loadedAt: data.loadedAt,
      rowPath,
    });
  });

  routes.post('/tables/:tableId/reload', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    await tables.rows(req.user!, currentOrg(req), tableId(req), { refresh: true });
    flash(req, 'info', 'Reloaded from Genesys Cloud.');
    res.redirect(303, `/tables/${encodeURIComponent(tableId(req))}`);
  });

  routes.get('/tables/:tableId/new-row', 'signed-in', async (req, res) => {
    const t = await tables.open(req.user!, currentOrg(req), tableId(req));
    if (!t.access.canAdd) throw new ForbiddenError(t.access.readOnlyReason ?? 'You may not add rows to this table.');
    const defaults: Row = {};
    for (const c of t.columns) {
      const d = t.table.schema.properties[c]?.default;
      if (d !== undefined) defaults[c] = d as Row[string];
    }
    renderRowForm(res, 200, t, 'create', defaults, null);
  });

  routes.post('/tables/:tableId/rows', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const org = currentOrg(req);
    try {
      const row = await tables.createRow(req.user!, org, tableId(req), req.body, actorOf(req));
      flash(req, 'success', `Added the row “${String(row.key ?? '')}”.`);
      res.redirect(303, `/tables/${encodeURIComponent(tableId(req))}`);
    } catch (err) {
      if (!(err instanceof ValidationError) || (err as { status: number }).status !== 400) throw err;
      const t = await tables.open(req.user!, org, tableId(req));
      renderRowForm(res, 400, t, 'create', typedValues(req.body, t.columns, {}), null, err);
    }
  });

  routes.get('/tables/:tableId/rows/:ref', 'signed-in', async (req, res) => {
    const data = await tables.row(req.user!, currentOrg(req), tableId(req), ref(req));
    renderRowForm(res, 200, data, 'update', data.row, ref(req));
  });

  routes.post('/tables/:tableId/rows/:ref', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const org = currentOrg(req);
    try {
      const { changed, row } = await tables.updateRow(req.user!, org, tableId(req), ref(req), req.body, actorOf(req));
      const name = row.key !== undefined ? `“${String(row.key)}”` : 'the row';
      flash(req, changed.length ? 'success' : 'info', changed.length ? `Saved ${name} (${changed.join(', ')}).` : `No changes to ${name}.`);
      res.redirect(303, `/tables/${encodeURIComponent(tableId(req))}`);
    } catch (err) {
      if (!(err instanceof ValidationError) || (err as { status: number }).status !== 400) throw err;
      const data = await tables.row(req.user!, org, tableId(req), ref(req));
      renderRowForm(res, 400, data, 'update', typedValues(req.body, data.columns, data.row), ref(req), err);
    }
  });

  routes.get('/tables/:tableId/rows/:ref/delete', 'signed-in', async (req, res) => {
    const data = await tables.row(req.user!, currentOrg(req), tableId(req), ref(req));
    if (!data.access.canDelete) throw new ForbiddenError(data.access.readOnlyReason ?? 'You may not delete rows in this table.');
    res.render('tables/delete', { title: 'Delete a row', table: data.table, row: data.row, columns: data.columns, rowRef: ref(req), rowPath });
  });

  routes.post('/tables/:tableId/rows/:ref/delete', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const reason = typeof body.reason === 'string' && body.reason.trim() ? body.reason.trim().slice(0, 500) : null;
    await tables.deleteRow(req.user!, currentOrg(req), tableId(req), ref(req), actorOf(req), reason);
    flash(req, 'success', 'Deleted the row.');
    res.redirect(303, `/tables/${encodeURIComponent(tableId(req))}`);
  });
}
