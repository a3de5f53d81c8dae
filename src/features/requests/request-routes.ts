// The pages of change requests: the list (waiting for me, mine, others I may see), the review page with its
// actions, and the top bar's count of requests waiting for the viewer. Routes only read forms and render: the
// request service decides who may see and do what (a hidden column never reaches these pages, since the
// service leaves it out of everything it returns), and a refusal (403, 409, bad input) shows on the page.
import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../../lib/actor.js';
import { flash } from '../../lib/flash.js';
import { formFailure, renderForm } from '../../lib/form-page.js';
import { actorOf } from '../../lib/request-actor.js';
import type { RouteTable } from '../../lib/route.js';
import { formatInZone } from '../../lib/zoned-time.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import {
  approvalsOf,
  diffRow,
  heldRowsAction,
  reviewActions,
  scheduleOf,
  STATUS_TEXT,
  submittedMessage,
  tableNamesOf,
  VERDICT_TEXT,
} from './request-page.js';
import { readEdits, readSchedule, readText, readVersion, type ValueEdit } from './request-form.js';
import { parseRowForm, VALUE_PREFIX } from '../tables/row-form.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { RequestPagesApi as RequestService } from './request-api.js';
import type { ChangeRequestWithRows } from './request-types.js';

export interface RequestPageDeps {
  requests: RequestService;
  orgs: OrgService;
  tables: TableService;
}

/** The top bar's "Requests (N)": one count per page a signed-in person opens. */
export function waitingRequestsCount(requests: Pick<RequestService, 'waitingCount'>): RequestHandler {
  return async (req, res, next) => {
    if (req.user && req.method === 'GET') res.locals.waitingRequests = await requests.waitingCount(actorOf(req));
    next();
  };
}

/** Which actions the page offers this viewer (the service checks each again when used). */
async function actionsFor(deps: RequestPageDeps, actor: Actor, org: OrgView, request: ChangeRequestWithRows) {
  const tableIds = [...new Set(request.rows.map((r) => r.tableId))];
  // A table the viewer cannot open (any more) gives no rights; the service keeps such a request from her anyway.
  const opened = await Promise.all(tableIds.map((id) => deps.tables.open(actor, org, id).catch(() => null)));
  const writable: Record<string, string[]> = {};
  for (const t of opened)
    if (t?.access.canEdit)
      writable[t.table.id] = t.columns.filter((c) => c !== 'key' && t.access.columns[c] === 'write');
  const approveAll = opened.length > 0 && opened.every((t) => t?.access.canApprove === true);
  const waitsForViewer =
    request.status === 'submitted' && (await deps.requests.waiting(actor)).some((r) => r.id === request.id);
  return reviewActions(request, { userId: actor.userId }, { approveAll, waitsForViewer, writable });
}

export function registerRequestRoutes(routes: RouteTable, deps: RequestPageDeps): void {
  const { requests } = deps;
  const idOf = (req: Request) => String(req.params.id);
  const pathOf = (id: string) => `/requests/${encodeURIComponent(id)}`;

  routes.get('/requests', 'signed-in', async (req, res) => {
    const actor = actorOf(req);
    const org = req.currentOrg ?? null;
    const zone = org?.timeZone ?? 'UTC';
    const visible = await requests.list(actor, org ? { orgId: org.id } : {});
    // Only the ids of the waiting ones: the list's own rows are the ones masked for the viewer.
    const waitingIds = new Set((await requests.waiting(actor)).map((r) => r.id));
    const waiting = visible.filter((r) => waitingIds.has(r.id));
    const mine = visible.filter((r) => !waitingIds.has(r.id) && r.authorId === actor.userId);
    const others = visible.filter((r) => !waitingIds.has(r.id) && r.authorId !== actor.userId);
    const orgNames = new Map((await deps.orgs.list()).map((o) => [o.id, o.name]));
    const item = (r: (typeof mine)[number]) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      statusText: STATUS_TEXT[r.status],
      orgName: orgNames.get(r.orgId) ?? r.orgId,
      tables: tableNamesOf(r.rows),
      applyAt: r.applyAt ? formatInZone(r.applyAt, zone) : null,
      revertAt: r.revertAt ? formatInZone(r.revertAt, zone) : null,
      authorName: r.authorName,
    });
    res.render('requests/list', {
      title: 'Change requests',
      org,
      zone,
      sections: [
        { id: 'waiting', title: 'Waiting for me', empty: 'Nothing waits for your review.', items: waiting.map(item) },
        { id: 'mine', title: 'Mine', empty: 'You have no change requests.', items: mine.map(item) },
        { id: 'others', title: 'Others', empty: 'No other requests you may see.', items: others.map(item) },
      ],
    });
  });

  /** The review page, first as it is and again after a refused action (with the message and what was typed). */
  async function renderReview(req: Request, res: Response, failure?: unknown, form: Record<string, string> = {}) {
    const actor = actorOf(req);
    const request = await requests.get(actor, idOf(req));
    const org = await deps.orgs.get(request.orgId);
    const zone = org.timeZone;
    renderForm(
      res,
      'requests/show',
      {
        title: request.title,
        request,
        org,
        statusText: STATUS_TEXT[request.status],
        tables: tableNamesOf(request.rows),
        schedule: scheduleOf(request, zone),
        approvals: approvalsOf(request),
        rows: request.rows.map(diffRow),
        reviews: request.reviews.map((v) => ({
          ...v,
          verdictText: VERDICT_TEXT[v.verdict],
          at: formatInZone(v.at, zone),
        })),
        actions: await actionsFor(deps, actor, org, request),
        heldRowsAction: heldRowsAction(request.heldPhase),
        form,
      },
      failure,
    );
  }

  routes.get('/requests/:id', 'signed-in', async (req, res) => renderReview(req, res));

  /**
   * A review page action: runs it, then back to the page with what happened; a refusal meant for people (bad
   * input, 403, 409) shows on the page itself, with what was typed; anything else goes to the error handler.
   */
  const action = (
    name: string,
    run: (actor: Actor, id: string, body: Record<string, unknown>) => Promise<string>,
    after: (id: string) => string = pathOf,
  ) =>
    routes.post(`/requests/:id/${name}`, 'signed-in', async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      let done: string;
      try {
        done = await run(actorOf(req), idOf(req), body);
      } catch (err) {
        formFailure(err); // rethrows what is not meant for users
        const typed = Object.fromEntries(
          ['comment', 'reason', 'applyAt', 'revertAt'].flatMap((k) =>
            typeof body[k] === 'string' ? [[k, body[k]]] : [],
          ),
        );
        return renderReview(req, res, err, typed);
      }
      flash(req, 'success', done);
      res.redirect(303, after(idOf(req)));
    });

  /** The schedule typed on the page, in the zone of the request's org. */
  const scheduleFrom = async (actor: Actor, id: string, body: Record<string, unknown>) => {
    const request = await requests.get(actor, id);
    return readSchedule(body, (await deps.orgs.get(request.orgId)).timeZone);
  };

  action('comment', async (actor, id, body) => {
    await requests.comment(actor, id, { comment: readText(body, 'comment', 'Write a comment first.') });
    return 'Comment added.';
  });
  action('approve', async (actor, id, body) => {
    const version = readVersion(body);
    const comment = readText(body, 'comment', null);
    await requests.approve(actor, id, { version, comment, edits: await typedEdits(actor, id, readEdits(body)) });
    return 'Approved.';
  });
  action('reject', async (actor, id, body) => {
    await requests.reject(actor, id, { reason: readText(body, 'reason', 'Give a reason for rejecting the request.') });
    return 'Rejected.';
  });
  action('ask-changes', async (actor, id, body) => {
    await requests.askChanges(actor, id, { comment: readText(body, 'reason', 'Say what should change.') });
    return 'Sent back to the author for changes.';
  });
  action('submit', async (actor, id, body) => {
    return submittedMessage((await requests.submit(actor, id, await scheduleFrom(actor, id, body))).status);
  });
  action('schedule', async (actor, id, body) => {
    await requests.setSchedule(actor, id, await scheduleFrom(actor, id, body));
    return 'Schedule changed: it needs approval again.';
  });
  action(
    'withdraw',
    async (actor, id) => {
      await requests.withdraw(actor, id);
      return 'Withdrawn.';
    },
    () => '/requests',
  );
  action('drop', async (actor, id, body) => {
    const rowId = Number(body.row);
    if (!Number.isSafeInteger(rowId)) throw new ValidationError('Choose the row to drop.');
    await requests.dropHeld(actor, id, { rowIds: [rowId] });
    return 'Dropped the row.';
  });
  action('reapprove', async (actor, id, body) => {
    await requests.reapproveHeld(actor, id, { version: readVersion(body), comment: readText(body, 'comment', null) });
    return 'Approved the held rows again.';
  });
  action('confirm', async (actor, id) => {
    await requests.confirmHeld(actor, id);
    return 'Confirmed: it runs now.';
  });
  action('revert', async (actor, id) => {
    await requests.revertNow(actor, id);
    return 'Reverting now.';
  });

  /**
   * The approver's typed text as values of each column's type, read by the row form's own parser against the
   * table as the approver may see it (a hidden or unknown column is refused as on a row form). A problem is
   * named beside its input.
   */
  async function typedEdits(actor: Actor, id: string, edits: ValueEdit[]) {
    if (edits.length === 0) return [];
    const request = await requests.get(actor, id);
    const org = await deps.orgs.get(request.orgId);
    return Promise.all(
      edits.map(async ({ rowId, values }) => {
        const row = request.rows.find((r) => r.id === rowId);
        if (!row) throw new NotFoundError('That row is not part of this change request.');
        const t = await deps.tables.open(actor, org, row.tableId);
        const form = Object.fromEntries(Object.entries(values).map(([c, v]) => [`${VALUE_PREFIX}${c}`, v]));
        try {
          return { rowId, values: parseRowForm(form, t.table.schema, t.access, 'update').values };
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          const fields = Object.fromEntries(
            Object.entries(err.fieldErrors).map(([c, message]) => [`edit:${rowId}:${c}`, message]),
          );
          throw new ValidationError(err.message, fields);
        }
      }),
    );
  }
}
