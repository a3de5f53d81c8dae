// The import pages: upload (CSV/XLSX, sheet, mode, all-or-nothing) → mapping (auto-matched, adjustable) → dry
// run (counts, adds, updates before/after, deletes confirmed separately, every problem grouped) → Apply (POST +
// CSRF) → the job's page (progress, report, Undo). Forms only: every step works without JavaScript. The upload
// itself is parsed by src/lib/import-upload.ts before CSRF (multipart); the file is read by the service and
// removed when the response ends.
import type { Request, Response } from 'express';
import { renderJob } from '../../jobs/job-routes.js';
import { ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { uploadErrorOf } from '../../lib/import-upload.js';
import { renderForm } from '../../lib/form-page.js';
import { actorOf } from '../../lib/request-actor.js';
import type { RouteTable } from '../../lib/route.js';
import { currentOrg, refuseScopeFields } from '../tables/table-routes.js';
import type { TableService } from '../tables/table-service.js';
import { assertMayImport, readMode, type DryRunOptions, type ImportService } from './import-service.js';
import type { ColumnMapping } from './import-types.js';
import { dryRunView } from './import-view.js';

const isTicked = (v: unknown) => v === 'on' || v === '1' || v === 'true';
const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The mapping form: `col.<n>` names the table column for the file's n-th header ('' = not imported). */
function readMapping(body: Record<string, unknown>, header: string[]): ColumnMapping {
  return Object.fromEntries(header.map((h, n) => [h, text(body[`col.${n}`]) || null]));
}

export function registerImportRoutes(routes: RouteTable, deps: { imports: ImportService; tables: TableService }) {
  const { imports, tables } = deps;
  const draftId = (req: Request) => String(req.params.draftId);
  const uploadPage = async (req: Request, res: Response, failure?: unknown) => {
    const t = await tables.open(actorOf(req), currentOrg(req), String(req.params.tableId));
    assertMayImport(t.access);
    const body = (req.body ?? {}) as Record<string, unknown>;
    renderForm(
      res,
      'imports/upload',
      {
        title: `Import into ${t.table.name}`,
        table: t.table,
        access: t.access,
        form: { mode: text(body.mode) || 'add', sheet: text(body.sheet), allOrNothing: isTicked(body.allOrNothing) },
      },
      failure,
    );
  };

  routes.get('/tables/:tableId/import', 'signed-in', (req, res) => uploadPage(req, res));

  routes.post('/tables/:tableId/import', 'signed-in', async (req, res) => {
    refuseScopeFields(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const file = (req as Request & { file?: { path: string; originalname: string; size: number } }).file;
    try {
      const refused = uploadErrorOf(req);
      if (refused) throw refused;
      if (!file) throw new ValidationError('Choose a CSV or Excel file to import.', { file: 'Choose a file.' });
      const opts: DryRunOptions = {
        mode: readMode(body.mode),
        allOrNothing: isTicked(body.allOrNothing),
        ...(text(body.sheet).trim() ? { sheet: text(body.sheet).trim() } : {}),
      };
      const id = await imports.dryRun(
        actorOf(req),
        currentOrg(req),
        String(req.params.tableId),
        {
          path: file.path,
          name: file.originalname,
          size: file.size,
        },
        opts,
      );
      res.redirect(303, `/imports/${encodeURIComponent(id)}/mapping`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await uploadPage(req, res, err);
    }
  });

  routes.get('/imports/:draftId/mapping', 'signed-in', async (req, res) => {
    const v = await imports.view(actorOf(req), currentOrg(req), draftId(req));
    res.render('imports/mapping', { title: 'Match the columns', ...dryRunView(v) });
  });

  routes.post('/imports/:draftId/mapping', 'signed-in', async (req, res) => {
    const actor = actorOf(req);
    const org = currentOrg(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const v = await imports.view(actor, org, draftId(req));
    try {
      await imports.remap(actor, org, draftId(req), {
        mode: readMode(body.mode ?? v.draft.mode),
        mapping: readMapping(body, v.draft.sheet.header),
        allOrNothing:
          body.allOrNothing === undefined && body.mode === undefined
            ? v.draft.allOrNothing
            : isTicked(body.allOrNothing),
      });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, `/imports/${encodeURIComponent(draftId(req))}`);
  });

  routes.get('/imports/:draftId', 'signed-in', async (req, res) => {
    const v = await imports.view(actorOf(req), currentOrg(req), draftId(req));
    res.render('imports/dry-run', { title: 'Check the import', ...dryRunView(v) });
  });

  routes.post('/imports/:draftId/apply', 'signed-in', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const done = await imports.apply(actorOf(req), currentOrg(req), draftId(req), {
        confirmDeletes: isTicked(body.confirmDeletes),
        reason: text(body.reason).trim().slice(0, 500),
      });
      if ('requestId' in done) {
        flash(
          req,
          'success',
          'This table’s changes need approval: the import was saved as a draft change request. Submit it from its page.',
        );
        return res.redirect(303, `/requests/${encodeURIComponent(done.requestId)}`);
      }
      res.redirect(303, `/imports/jobs/${encodeURIComponent(done.job.id)}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, `/imports/${encodeURIComponent(draftId(req))}`);
    }
  });

  // The import job's page (the same as /jobs/:jobId): only its owner or an administrator finds it.
  routes.get('/imports/jobs/:jobId', 'signed-in', async (req, res) => {
    renderJob(res, await imports.job(actorOf(req), String(req.params.jobId)));
  });
}
