// "Save as change request" on the row form (add, edit), the delete page and the bulk preview: the same form is
// posted here, read and checked by the same code a direct save uses (table-service formChange, bulk-service
// changes), and the change it would have made goes to a draft request instead of Genesys (or straight to
// approval: "Submit for approval", the primary button under a table's approval policy).
import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../../lib/actor.js';
import { ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { formFailure } from '../../lib/form-page.js';
import { actorOf } from '../../lib/request-actor.js';
import type { RouteTable } from '../../lib/route.js';
import type { RowChange } from '../changes/row-change.js';
import type { OrgView } from '../orgs/org-service.js';
import { mayBypassApproval } from '../permissions/policy.js';
import type { BulkService } from '../tables/bulk-service.js';
import { rowPath, tablePath } from '../tables/table-page.js';
import { currentOrg, isFormError, refuseScopeFields, renderRowFormAgain } from '../tables/table-routes.js';
import type { TableService } from '../tables/table-service.js';
import type { RestoreService } from '../backups/restore-service.js';
import { BackupInvalidError } from '../backups/backup-validation.js';
import { restoreOptionsOf } from '../backups/backup-routes.js';
import type { ChangePolicy } from './request-types.js';
import { submittedMessage } from './request-page.js';
import { readRequestTarget, takeRequestFields, type RequestTarget } from './request-form.js';
import type { RequestPagesApi as RequestService } from './request-api.js';

/** The author's requests a change may still be added to (a new version is then needed: R1). */
const OPEN_TO_ADD = ['draft', 'changes_requested'] as const;

export interface RequestEntryDeps {
  requests: RequestService;
  restore: Pick<RestoreService, 'requestChanges'>;
  tables: TableService;
  bulk: BulkService;
  changePolicies: { for(org: OrgView, tableId: string): Promise<ChangePolicy> };
}

/**
 * What the table, row, delete and bulk pages of a table offer for change requests (res.locals.requestChoice): whether
 * the table's policy asks for approval (then "Submit for approval" replaces the direct save for those who may
 * not bypass it), and the viewer's open drafts to add the change to (not on the table page, which has no such
 * form). Two small queries, on those pages only.
 */
export function requestChoice(deps: Pick<RequestEntryDeps, 'requests' | 'changePolicies'>): RequestHandler {
  const formPage = /^\/?$|^\/(new-row|rows\/[^/]+(\/delete)?|bulk\/preview)(\/request)?$|^\/bulk\/request$/;
  const restorePage = /^\/backups\/[^/]+\/restore$/;
  const tablePage = /^\/?$/;
  return async (req, res, next) => {
    const onTable = req.params.tableId !== undefined;
    if (!req.user || !req.currentOrg || !(onTable ? formPage : restorePage).test(req.path)) return next();
    const actor = actorOf(req);
    const org = req.currentOrg;
    // A restore may touch several tables: the org's own policy is what its page says (each table's is applied).
    const policy: ChangePolicy = onTable
      ? await deps.changePolicies.for(org, String(req.params.tableId))
      : { mode: org.changePolicy, approvalsNeeded: org.approvalsNeeded };
    res.locals.requestChoice = {
      approval: policy.mode === 'approval',
      bypass: mayBypassApproval(actor),
      // The table page itself offers no form to add to a draft (only whether it edits in place): no list there.
      drafts: tablePage.test(req.path)
        ? []
        : (await deps.requests.list(actor, { orgId: org.id, authorId: actor.userId, statuses: OPEN_TO_ADD })).map(
            (d) => ({ id: d.id, title: d.title }),
          ),
      zone: org.timeZone,
    };
    next();
  };
}

export function registerRequestEntryRoutes(routes: RouteTable, deps: RequestEntryDeps): void {
  const { requests, tables } = deps;
  const tableId = (req: Request) => String(req.params.tableId);
  const ref = (req: Request) => String(req.params.ref);

  /** Keeps `changes` in a draft (new or the author's own) and submits it when asked; where to go next. */
  async function save(
    req: Request,
    org: OrgView,
    changes: RowChange[],
    reason: string | null,
    target: RequestTarget,
  ): Promise<string> {
    const actor: Actor = actorOf(req);
    const { id } = await requests.draft(actor, org, changes, {
      title: target.title,
      reason: reason ?? '',
      addTo: target.addTo ?? undefined,
    });
    if (!target.submit) {
      flash(req, 'success', target.addTo ? 'Added the change to your request.' : 'Saved as a draft change request.');
      return `/requests/${encodeURIComponent(id)}`;
    }
    try {
      flash(req, 'success', submittedMessage((await requests.submit(actor, id, target.submit)).status));
    } catch (err) {
      // The draft is kept (nothing was lost); its page says what stopped the submission and offers it again.
      // The schedule's problems are named per field (the form they belong to is gone): say each of them, not
      // only the summary "Please correct the schedule."
      const { error, fieldErrors } = formFailure(err);
      const named = Object.values(fieldErrors);
      flash(req, 'error', `Saved as a draft, not submitted: ${named.length > 0 ? named.join(' ') : error}`);
    }
    return `/requests/${encodeURIComponent(id)}`;
  }

  /** The request fields and the checked scope of the form (the table and org are the page's). */
  const readForm = (req: Request) => {
    const fields = takeRequestFields(req.body);
    refuseScopeFields(req);
    return fields;
  };

  const rowForm = (mode: 'create' | 'update') => async (req: Request, res: Response) => {
    const fields = readForm(req);
    const org = currentOrg(req);
    const actor = actorOf(req);
    try {
      const target = readRequestTarget(fields, org.timeZone);
      const { change, reason } = await tables.formChange(
        actor,
        org,
        tableId(req),
        mode,
        mode === 'create' ? null : ref(req),
        req.body,
      );
      res.redirect(303, await save(req, org, [change], fields.reason || reason, target));
    } catch (err) {
      if (!isFormError(err)) throw err;
      res.locals.requestForm = fields; // the request's own fields, shown again beside their messages
      await renderRowFormAgain(req, res, tables, mode, err);
    }
  };

  routes.post('/tables/:tableId/new-row/request', 'signed-in', rowForm('create'));
  routes.post('/tables/:tableId/rows/:ref/request', 'signed-in', rowForm('update'));

  routes.post('/tables/:tableId/rows/:ref/delete/request', 'signed-in', async (req, res) => {
    const fields = readForm(req);
    const org = currentOrg(req);
    try {
      const target = readRequestTarget(fields, org.timeZone);
      const { change, reason } = await tables.formChange(actorOf(req), org, tableId(req), 'delete', ref(req), req.body);
      res.redirect(303, await save(req, org, [change], fields.reason || reason, target));
    } catch (err) {
      // Bad input goes back to the page with its message; a refusal (403, 404) stays one, as on a direct delete.
      if (!(err instanceof ValidationError)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, `${rowPath(tableId(req), ref(req))}/delete`);
    }
  });

  // A restore saved as a request: in the org one works in (the request's org), the plan the restore page showed.
  routes.post('/backups/:id/restore/request', 'signed-in', async (req, res) => {
    const fields = takeRequestFields(req.body);
    const org = currentOrg(req);
    const body = req.body as Record<string, unknown>;
    const options = restoreOptionsOf(body);
    const back = `/backups/${encodeURIComponent(String(req.params.id))}/restore`;
    try {
      if (typeof body.target === 'string' && body.target !== '' && body.target !== org.id)
        throw new ValidationError('A change request is made in the org you work in: switch to that org first.');
      const target = readRequestTarget(fields, org.timeZone);
      const changes = await deps.restore.requestChanges(actorOf(req), org, String(req.params.id), options);
      res.redirect(303, await save(req, org, changes, fields.reason || null, target));
    } catch (err) {
      if (!(err instanceof ValidationError) && !(err instanceof BackupInvalidError)) throw err;
      const message = err instanceof BackupInvalidError ? err.problems.map((p) => p.message).join(' ') : err.message;
      flash(req, 'error', message);
      res.redirect(303, back);
    }
  });

  routes.post('/tables/:tableId/bulk/request', 'signed-in', async (req, res) => {
    const fields = readForm(req);
    const org = currentOrg(req);
    try {
      const target = readRequestTarget(fields, org.timeZone);
      const changes = await deps.bulk.changes(actorOf(req), org, tableId(req), req.body);
      res.redirect(303, await save(req, org, changes, fields.reason || null, target));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, tablePath(tableId(req)));
    }
  });
}
