// Business users' pages: the tables they may view in their current org, a table's rows (search, filters,
// sort, paging, exports), and add / edit / rename / delete / bulk actions through the permission-checked
// table service. The org comes from the session, the table and row from the route; a form naming another
// table or org is refused.
import type { Request, Response } from 'express';
import { GenesysError } from '../../genesys/errors.js';
import type { Row } from '../../genesys/gateway.js';
import { actorOf } from '../../lib/request-actor.js';
import { sendDownload } from '../../lib/downloads.js';
import { type AppError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { formFailure, renderForm } from '../../lib/form-page.js';
import type { RouteTable } from '../../lib/route.js';
import type { OrgView } from '../orgs/org-service.js';
import type { ReadinessService } from '../orgs/readiness-service.js';
import { MAX_BULK_ROWS, type BulkService } from './bulk-service.js';
import { renderJob } from '../../jobs/job-routes.js';
import { formList } from '../../lib/forms.js';
import type { TableExport } from './export-service.js';
import { keyConfirmed, SimilarKeyError } from './key-rules.js';
import { rowPath, tablePageModel, tablePath, tablesMatching } from './table-page.js';
import { baselineOf, typedValues } from './row-form.js';
import { RowConflictError, type TableService, type UserTable } from './table-service.js';
import { conflictChoices } from '../audit/conflict-choices.js';
import type { AuditQuery } from '../audit/audit-query.js';
import { readinessViewOf } from '../permissions/policy.js';
import { takeRequestFields } from '../requests/request-form.js';
import type { ScheduledChanges } from '../requests/scheduled-changes.js';
import type { ViewService } from '../views/view-service.js';
import { backTo } from '../views/table-return.js';
import { formatHints } from '../formats/format-check.js';
import type { FormatService } from '../formats/format-service.js';

/**
 * False when the table's approval policy turns this user's edits into change requests (res.locals.requestChoice,
 * set by request-entry-routes.ts): the page then offers no direct edits (the engine would refuse them anyway).
 */
function directEditsOf(res: Response): boolean {
  const choice = res.locals.requestChoice as { approval: boolean; bypass: boolean } | undefined;
  return !choice || !choice.approval || choice.bypass;
}

export function currentOrg(req: Request): OrgView {
  if (!req.currentOrg)
    throw new NotFoundError('No Genesys org is available. An administrator has to connect one first.');
  return req.currentOrg;
}

/** A form may not name the table or org it acts on; if it tries to, it must agree with the page. */
export function refuseScopeFields(req: Request): void {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (
    (body.tableId !== undefined && body.tableId !== req.params.tableId) ||
    (body.orgId !== undefined && body.orgId !== req.currentOrg?.id)
  ) {
    throw new ForbiddenError('The form names a different table or org than the page it was sent from.');
  }
  delete body.tableId;
  delete body.orgId;
  takeRequestFields(body); // the "Save as change request" fields of the same form (request-form.ts)
}

/** A kept selection larger than this (in characters of row references) is not kept: sessions stay small. */
const MAX_KEPT_SELECTION_CHARS = 64 * 1024;

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';
/** Errors a form shows next to its fields: our validation, and Genesys refusing the data (400/409). */
export const isFormError = (err: unknown): err is AppError =>
  (err instanceof ValidationError && err.status === 400) ||
  (err instanceof GenesysError && (err.status === 400 || err.status === 409));

/** A key too like an existing one is refused once; the form asks to confirm it (see key-rules.ts). */
const keyToConfirm = (failure: unknown) => (failure instanceof SimilarKeyError ? failure.key : null);

function renderRowForm(
  res: Response,
  t: Pick<UserTable, 'table' | 'access' | 'columns'> & { fixed?: string | null; renameRefusal?: string | null },
  mode: 'create' | 'update',
  row: Row,
  rowRef: string | null,
  failure?: unknown,
  baseline?: Row,
  reason = '',
) {
  renderForm(
    res,
    'tables/row-form',
    {
      fixed: t.fixed ?? null,
      renameRefusal: t.renameRefusal ?? null,
      title:
        mode === 'create'
          ? `Add a row · ${t.table.name}`
          : `${row.key !== undefined ? String(row.key) : 'Row'} · ${t.table.name}`,
      rowRef,
      table: t.table,
      access: t.access,
      columns: t.columns,
      mode,
      row,
      baseline: baseline ?? row,
      rowPath,
      confirmKey: keyToConfirm(failure),
      reason,
    },
    failure,
  );
}

/** The row form again after a refused submission: what was typed, the message, the values it started from. */
export async function renderRowFormAgain(
  req: Request,
  res: Response,
  tables: TableService,
  mode: 'create' | 'update',
  failure: unknown,
): Promise<void> {
  const org = currentOrg(req);
  const tableId = String(req.params.tableId);
  if (mode === 'create') {
    const t = await tables.open(actorOf(req), org, tableId);
    return renderRowForm(
      res,
      t,
      'create',
      typedValues(req.body, t.columns, {}),
      null,
      failure,
      undefined,
      typedReason(req.body),
    );
  }
  const ref = String(req.params.ref);
  const data = await tables.row(actorOf(req), org, tableId, ref);
  renderRowForm(
    res,
    data,
    'update',
    typedValues(req.body, data.columns, data.row),
    ref,
    failure,
    baselineOf(req.body, data.row),
    typedReason(req.body),
  );
}

/** The reason the user typed, shown again when the form comes back (an error, a conflict). */
const typedReason = (body: unknown): string => {
  const reason = (body as Record<string, unknown> | undefined)?.reason;
  return typeof reason === 'string' ? reason : '';
};

function renderRename(
  res: Response,
  data: Pick<UserTable, 'table'> & { row: Row },
  rowRef: string,
  newKey: string,
  failure?: unknown,
) {
  renderForm(
    res,
    'tables/rename',
    {
      title: 'Rename a key',
      table: data.table,
      row: data.row,
      rowRef,
      rowPath,
      newKey,
      confirmKey: keyToConfirm(failure),
    },
    failure,
  );
}

export function registerTableRoutes(
  routes: RouteTable,
  deps: {
    tables: TableService;
    tableExport: TableExport;
    bulk: BulkService;
    readiness: ReadinessService;
    scheduledChanges: ScheduledChanges;
    views: ViewService;
    formats: Pick<FormatService, 'forTable'>;
    /** The conflict page names who made the other change. */
    auditQuery: Pick<AuditQuery, 'lastWriterOf'>;
  },
): void {
  const { tables, bulk } = deps;
  const tableId = (req: Request) => String(req.params.tableId);
  /** The row form shows each formatted column's hint (a list as a select). */
  const showFormats = async (req: Request, res: Response) => {
    res.locals.columnFormats = formatHints(await deps.formats.forTable(currentOrg(req).id, tableId(req)));
  };
  const ref = (req: Request) => String(req.params.ref);

  routes.get('/tables', 'signed-in', async (req, res) => {
    const org = req.currentOrg;
    const list = org ? await tables.listTables(actorOf(req), org) : [];
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    const shown = tablesMatching(list, q);
    const counts = org ? await Promise.all(shown.map(({ table }) => tables.rowCount(org, table.id))) : [];
    res.render('tables/list', {
      title: 'Data tables',
      org: org ?? null,
      tables: shown.map((t, i) => ({ ...t, rowCount: counts[i] })),
      q,
      total: list.length,
    });
  });

  /**
   * Keeps a refused bulk form's selection (bounded in size) and what was typed in it in the session, for the
   * next table page.
   */
  const keepSelection = (req: Request) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const refs = formList(body.sel).slice(0, MAX_BULK_ROWS);
    const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).slice(0, 2000) : '');
    const form = { action: text('action'), column: text('column'), value: text('value'), yesNo: text('yesNo') };
    req.session.keptSelection = {
      tableId: tableId(req),
      refs: refs.join('').length <= MAX_KEPT_SELECTION_CHARS ? refs : [],
      form: { ...form, all: body.all === '1' },
    };
  };
  const takeKept = (req: Request) => {
    const kept = req.session.keptSelection;
    delete req.session.keptSelection;
    return kept?.tableId === tableId(req) ? kept : undefined;
  };

  routes.get('/tables/:tableId', 'signed-in', async (req, res) => {
    const kept = takeKept(req);
    const selected = new Set(kept?.refs ?? []);
    const org = currentOrg(req);
    const data = await tables.rows(actorOf(req), org, tableId(req));
    // Rights this user holds here that the org's Genesys role cannot honour (last readiness check).
    const roleGaps = await deps.readiness.gaps(org.id, data.table.division, data.access, readinessViewOf(req.user!));
    res.locals.scheduledBanner = await deps.scheduledChanges.tableBanner(actorOf(req), org, tableId(req));
    // The default view, a view of hers, or the URL as it is: read with the columns she may see (R9).
    const state = await deps.views.pageState(
      actorOf(req),
      org,
      tableId(req),
      req.query as Record<string, unknown>,
      data.columns,
    );
    res.render(
      'tables/table',
      tablePageModel(data, {
        ...state,
        bulkForm: kept?.form ?? null,
        selected,
        roleGaps,
        directEdits: directEditsOf(res),
        formats: await deps.formats.forTable(org.id, tableId(req)),
      }),
    );
  });

  for (const format of ['csv', 'json'] as const) {
    routes.get(`/tables/:tableId/export.${format}`, 'signed-in', async (req, res) => {
      sendDownload(
        res,
        await deps.tableExport.export(
          actorOf(req),
          currentOrg(req),
          tableId(req),
          format,
          req.query as Record<string, unknown>,
        ),
      );
    });
  }

  routes.post('/tables/:tableId/reload', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    await tables.rows(actorOf(req), currentOrg(req), tableId(req), { refresh: true });
    flash(req, 'info', 'Reloaded from Genesys Cloud.');
    res.redirect(303, tablePath(tableId(req)));
  });

  routes.get('/tables/:tableId/new-row', 'signed-in', async (req, res) => {
    const t = await tables.open(actorOf(req), currentOrg(req), tableId(req));
    if (!t.access.canAdd) throw new ForbiddenError(t.access.readOnlyReason ?? 'You may not add rows to this table.');
    const defaults: Row = {};
    for (const c of t.columns) {
      const d = t.table.schema.properties[c]?.default;
      if (d !== undefined) defaults[c] = d as Row[string];
    }
    await showFormats(req, res);
    renderRowForm(res, t, 'create', defaults, null);
  });

  routes.post('/tables/:tableId/rows', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const org = currentOrg(req);
    try {
      const row = await tables.createRow(actorOf(req), org, tableId(req), req.body);
      flash(req, 'success', row.key !== undefined ? `Added the row “${String(row.key)}”.` : 'Added the row.');
      res.redirect(303, tablePath(tableId(req)));
    } catch (err) {
      if (!isFormError(err)) throw err;
      await showFormats(req, res);
      await renderRowFormAgain(req, res, tables, 'create', err);
    }
  });

  routes.get('/tables/:tableId/rows/:ref', 'signed-in', async (req, res) => {
    const data = await tables.row(actorOf(req), currentOrg(req), tableId(req), ref(req));
    res.locals.rowSchedule = await deps.scheduledChanges.forRow(actorOf(req), currentOrg(req), tableId(req), ref(req));
    await showFormats(req, res);
    renderRowForm(res, data, 'update', data.row, ref(req));
  });

  routes.post('/tables/:tableId/rows/:ref', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const org = currentOrg(req);
    try {
      const { changed, row } = await tables.updateRow(actorOf(req), org, tableId(req), ref(req), req.body);
      if (wantsJson(req)) return void res.json({ ok: true, changed, row });
      const name = row.key !== undefined ? `“${String(row.key)}”` : 'the row';
      flash(
        req,
        changed.length ? 'success' : 'info',
        changed.length ? `Saved ${name} (${changed.join(', ')}).` : `No changes to ${name}.`,
      );
      res.redirect(303, tablePath(tableId(req)));
    } catch (err) {
      if (wantsJson(req)) {
        const shown = formFailure(err); // rethrows what is not meant for users
        return void res.status(shown.status).json({
          ok: false,
          error: shown.error,
          fieldErrors: shown.fieldErrors,
          conflict: err instanceof RowConflictError,
          // The grid shows theirs / yours per cell and saves again from the row as it is now (the new baseline).
          ...(err instanceof RowConflictError ? { conflicts: err.conflicts, current: err.current } : {}),
        });
      }
      if (err instanceof RowConflictError) {
        const data = await tables.row(actorOf(req), org, tableId(req), ref(req));
        const mine = typedValues(req.body, data.columns, data.row);
        return void res.status(409).render('tables/conflict', {
          ...(await conflictChoices(deps.auditQuery, actorOf(req), org.id, tableId(req), req.body, err, data, mine)),
          title: 'Someone else changed this row',
          table: data.table,
          row: data.row,
          rowRef: ref(req),
          conflicts: err.conflicts,
          mine,
          reason: typedReason(req.body),
          columns: data.columns,
          access: data.access,
          rowPath,
        });
      }
      if (!isFormError(err)) throw err;
      await showFormats(req, res);
      await renderRowFormAgain(req, res, tables, 'update', err);
    }
  });

  routes.get('/tables/:tableId/rows/:ref/rename', 'signed-in', async (req, res) => {
    const data = await tables.row(actorOf(req), currentOrg(req), tableId(req), ref(req));
    if (data.renameRefusal) throw new ForbiddenError(data.renameRefusal);
    renderRename(res, data, ref(req), String(data.row.key ?? ''));
  });

  routes.post('/tables/:tableId/rows/:ref/rename', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const org = currentOrg(req);
    const newKey = String((req.body as Record<string, unknown>).newKey ?? '');
    try {
      await tables.renameRow(actorOf(req), org, tableId(req), ref(req), newKey, {
        confirmed: keyConfirmed(req.body, newKey),
      });
      flash(
        req,
        'success',
        `Renamed to “${newKey}” (the old row was deleted and a copy added under the new key; both are in the audit log).`,
      );
      res.redirect(303, tablePath(tableId(req)));
    } catch (err) {
      if (!isFormError(err)) throw err;
      const data = await tables.row(actorOf(req), org, tableId(req), ref(req));
      renderRename(res, data, ref(req), newKey, err);
    }
  });

  routes.get('/tables/:tableId/rows/:ref/delete', 'signed-in', async (req, res) => {
    const data = await tables.row(actorOf(req), currentOrg(req), tableId(req), ref(req));
    if (!data.access.canDelete)
      throw new ForbiddenError(data.access.readOnlyReason ?? 'You may not delete rows in this table.');
    res.render('tables/delete', {
      title: 'Delete a row',
      table: data.table,
      row: data.row,
      columns: data.columns,
      rowRef: ref(req),
      rowPath,
      fixed: data.fixed,
    });
  });

  routes.post('/tables/:tableId/rows/:ref/delete', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const reason = typeof body.reason === 'string' && body.reason.trim() ? body.reason.trim().slice(0, 500) : null;
    const { name } = await tables.deleteRow(actorOf(req), currentOrg(req), tableId(req), ref(req), reason);
    flash(req, 'success', name === null ? 'Deleted the row.' : `Deleted the row “${name}”.`);
    res.redirect(303, tablePath(tableId(req)));
  });

  routes.post('/tables/:tableId/bulk/preview', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    try {
      const plan = await bulk.preview(actorOf(req), currentOrg(req), tableId(req), req.body);
      res.render('tables/bulk-preview', { title: 'Check the bulk change', ...plan, rawValue: plan.request.raw });
    } catch (err) {
      // A value refused before any write returns to the table with the message and the same rows still
      // ticked, so she can correct the form rather than select them again. (A 403 stays a 403: the form
      // offers only actions and columns she may use.)
      // The search and filters the form was sent with come back too (the form carries them, see table.ejs).
      if (!(err instanceof ValidationError)) throw err;
      flash(req, 'error', err.message);
      keepSelection(req);
      res.redirect(303, backTo(tableId(req), ((req.body ?? {}) as Record<string, unknown>).back));
    }
  });

  routes.post('/tables/:tableId/bulk/apply', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const job = await bulk.start(actorOf(req), currentOrg(req), tableId(req), req.body);
    res.redirect(303, `/jobs/${job.id}`);
  });

  // A range pasted into the grid (public/js/grid/paste.js posts it as a form): a preview, then one bulk job.
  routes.post('/tables/:tableId/paste/preview', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    try {
      const plan = await bulk.pastePreview(actorOf(req), currentOrg(req), tableId(req), req.body);
      const tsv = String((req.body as Record<string, unknown>).tsv);
      res.render('tables/paste-preview', { title: 'Check the paste', ...plan, tsv });
    } catch (err) {
      // A refused cell returns to the table with the message naming its line and column (nothing written).
      if (!(err instanceof ValidationError)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, tablePath(tableId(req)));
    }
  });

  routes.post('/tables/:tableId/paste/apply', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const job = await bulk.startPaste(actorOf(req), currentOrg(req), tableId(req), req.body);
    res.redirect(303, `/jobs/${job.id}`);
  });

  // The address bulk jobs had before they were durable jobs (bookmarks, open tabs): the same page as /jobs/:jobId.
  routes.get('/tables/:tableId/bulk/:jobId', 'signed-in', async (req, res) => {
    const job = await bulk.get(actorOf(req), String(req.params.jobId));
    if (job.plan.tableId !== tableId(req)) throw new NotFoundError('That bulk change does not exist.');
    renderJob(res, job);
  });
}
