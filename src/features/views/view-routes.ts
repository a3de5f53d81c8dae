// Saved views (save, rename, delete, make default) and the grid layout form, all POST with CSRF. Thin: the
// view service checks the table right and scopes every view id to its owner, user and table.
import type { Request, Response } from 'express';
import { actorOf } from '../../lib/request-actor.js';
import { ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { formList } from '../../lib/forms.js';
import type { RouteTable } from '../../lib/route.js';
import { currentOrg, refuseScopeFields } from '../tables/table-routes.js';
import { tablePath } from '../tables/table-page.js';
import { backTo } from './table-return.js';
import type { ViewService } from './view-service.js';
import { DENSITIES, type Density, type GridLayoutSettings } from './view-settings.js';

/** A repeated field as it came, empty values included (for lists that must stay aligned with another). */
const rawList = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (typeof x === 'string' ? x : ''));

/** The parts of a grid layout a form or the grid's script sent (see views/tables/table.ejs, grid-layout.js). */
export function layoutPatch(body: Record<string, unknown>): Partial<GridLayoutSettings> {
  const patch: Partial<GridLayoutSettings> = {};
  const cols = rawList(body.col);
  if (cols.length) {
    // The form's position boxes: sorted by the number typed; on a tie the column whose number was changed
    // goes first (typing 1 puts a column first), blanks keep their place.
    const pos = rawList(body.pos).map((p) => Number.parseFloat(p));
    const kept = (x: { i: number; p: number }) => Number(x.p === x.i + 1);
    patch.order = cols
      .map((c, i) => ({ c, i, p: Number.isFinite(pos[i]) ? pos[i]! : i + 1 }))
      .sort((a, b) => a.p - b.p || kept(a) - kept(b) || a.i - b.i)
      .map((x) => x.c)
      .filter((c) => c !== '');
    if (body.columnsForm === '1') {
      const shown = new Set(formList(body.show));
      patch.hidden = cols.filter((c) => c && !shown.has(c));
    }
  }
  const wcols = rawList(body.wcol);
  if (wcols.length) {
    const ws = rawList(body.w);
    patch.widths = {};
    wcols.forEach((c, i) => {
      const w = Number.parseFloat(ws[i] ?? '');
      if (c && Number.isFinite(w)) patch.widths![c] = w;
    });
  }
  if ((DENSITIES as readonly unknown[]).includes(body.density)) patch.density = body.density as Density;
  return patch;
}

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

export function registerViewRoutes(routes: RouteTable, deps: { views: ViewService }): void {
  const { views } = deps;
  const tableId = (req: Request) => String(req.params.tableId);
  const viewId = (req: Request) => String(req.params.viewId);
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

  /** A refused form goes back to the page it came from with the message (nothing was changed). */
  const backWith = (req: Request, res: Response, err: unknown) => {
    if (!(err instanceof ValidationError)) throw err;
    flash(req, 'error', err.message);
    res.redirect(303, backTo(tableId(req), body(req).back));
  };

  routes.post('/tables/:tableId/views', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    try {
      const b = body(req);
      const view = await views.create(actorOf(req), currentOrg(req), tableId(req), {
        name: b.name,
        body: b,
        isDefault: b.isDefault === '1',
      });
      flash(req, 'success', `Saved the view “${view.name}”.`);
      res.redirect(303, `${tablePath(tableId(req))}?view=${encodeURIComponent(view.id)}`);
    } catch (err) {
      backWith(req, res, err);
    }
  });

  routes.post('/tables/:tableId/views/:viewId/rename', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    try {
      const name = await views.rename(actorOf(req), currentOrg(req), tableId(req), viewId(req), body(req).name);
      flash(req, 'success', `Renamed the view to “${name}”.`);
      res.redirect(303, backTo(tableId(req), body(req).back));
    } catch (err) {
      backWith(req, res, err);
    }
  });

  routes.post('/tables/:tableId/views/:viewId/delete', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    await views.delete(actorOf(req), currentOrg(req), tableId(req), viewId(req));
    flash(req, 'success', 'Deleted the view.');
    res.redirect(303, `${tablePath(tableId(req))}?view=none`);
  });

  routes.post('/tables/:tableId/views/:viewId/default', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const on = body(req).on !== '0';
    await views.setDefault(actorOf(req), currentOrg(req), tableId(req), on ? viewId(req) : null);
    flash(req, 'success', on ? 'The table now opens with this view.' : 'The table now opens without a view.');
    res.redirect(303, backTo(tableId(req), body(req).back));
  });

  routes.post('/tables/:tableId/layout', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const b = body(req);
    const org = currentOrg(req);
    if (b.reset === '1') await views.resetLayout(actorOf(req), org, tableId(req));
    const layout =
      b.reset === '1' ? null : await views.saveLayout(actorOf(req), org, tableId(req), layoutPatch(b));
    if (wantsJson(req)) return void res.json({ ok: true, layout });
    flash(req, 'success', layout ? 'Saved your columns.' : 'Your columns are back to the table’s own.');
    // The page's own hide/order parameters would override the layout just saved: they are dropped.
    const back = new URLSearchParams(typeof b.back === 'string' ? b.back : '');
    back.delete('hide');
    back.delete('order');
    res.redirect(303, backTo(tableId(req), back.toString()));
  });
}
