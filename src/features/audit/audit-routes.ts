// The audit log pages: a filtered, paged list, one entry with its diff and outcome, and undo.
import type { Request } from 'express';
import { DateTime } from 'luxon';
import { isTimeZone } from '../../lib/zoned-time.js';
import { actorOf } from '../../lib/request-actor.js';
import { NotFoundError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { idParam, idQuery } from '../../lib/params.js';
import type { RouteTable } from '../../lib/route.js';
import { sendDownload } from '../../lib/downloads.js';
import type { AuditExport } from './audit-export.js';
import type { AuditFilters, AuditQuery } from './audit-query.js';
import type { VerifyResult } from './audit-verify.js';
import type { UndoService } from './undo-service.js';
import { mayForceUndo, maySeeWholeAuditLog } from '../permissions/policy.js';
import type { Actor } from '../../lib/actor.js';
import { actionLabel, OUTCOME_LABELS } from './audit-events.js';
import type { AuditTable } from './audit-tables.js';
import { valueText, wordDiff } from './word-diff.js';

/** What every audit page reads entries with: readable action and outcome names, and word-level diffs. */
const readable = { actionLabel, outcomeLabels: OUTCOME_LABELS, wordDiff, valueText };

/** A table's name by its id (an id no list names, e.g. a deleted table, reads as the id). */
function tableNamer(tables: AuditTable[]) {
  const names = new Map(tables.map((t) => [t.id, t.name]));
  return (tableId: string | null) => (tableId ? (names.get(tableId) ?? tableId) : '');
}

function filtersFrom(req: Request, zone = 'UTC'): { filters: AuditFilters; form: Record<string, string> } {
  const q = req.query as Record<string, unknown>;
  const text = (k: string) => (typeof q[k] === 'string' ? (q[k] as string).trim().slice(0, 300) : '');
  // Days are the reader's days: "from 1 December" starts at midnight where she is (her time-zone setting).
  const date = (k: string, endOfDay: boolean) => {
    const v = text(k);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
    const day = DateTime.fromISO(v, { zone: isTimeZone(zone) ? zone : 'UTC' });
    if (!day.isValid) return undefined;
    return new Date((endOfDay ? day.endOf('day') : day.startOf('day')).toMillis());
  };
  const form = Object.fromEntries(
    ['actorId', 'orgId', 'tableId', 'rowKey', 'action', 'outcome', 'from', 'to', 'reason', 'batchId'].map((k) => [
      k,
      text(k),
    ]),
  );
  return {
    form,
    filters: {
      actorId: idQuery(q, 'actorId', 'the person filter'),
      orgId: text('orgId') || undefined,
      tableId: text('tableId') || undefined,
      rowKey: text('rowKey') || undefined,
      action: text('action') || undefined,
      outcome: text('outcome') || undefined,
      from: date('from', false),
      to: date('to', true),
      reason: text('reason') || undefined,
      batchId: text('batchId') || undefined,
      before: idQuery(q, 'before', 'the page cursor'),
    },
  };
}

export function registerAuditRoutes(
  routes: RouteTable,
  deps: {
    auditQuery: AuditQuery;
    auditExport: AuditExport;
    undo: UndoService;
    filterChoices: (
      actor: Actor,
      wholeLog: boolean,
    ) => Promise<{
      people: { id: number; displayName: string }[];
      orgs: { id: string; name: string }[];
      tables: AuditTable[];
    }>;
    verifyAuditChain: () => Promise<VerifyResult>;
  },
): void {
  // People and orgs to filter by (admins see everyone's entries; a user's own list is short anyway).
  const { filterChoices } = deps;

  for (const format of ['csv', 'json'] as const) {
    routes.get(`/audit/export.${format}`, 'signed-in', async (req, res) => {
      const { filters } = filtersFrom(req, res.locals.timeZone as string);
      sendDownload(res, await deps.auditExport.export(actorOf(req), filters, format));
    });
  }

  routes.get('/audit/:seq/restore', 'signed-in', async (req, res) => {
    const seq = idParam(req, 'seq', 'audit entry');
    const found = await deps.auditQuery.get(actorOf(req), seq);
    if (!found) throw new NotFoundError('That audit entry does not exist or is about a table you cannot see.');
    const plan = await deps.undo.restorePlan(actorOf(req), seq);
    // The row is named as the reader sees it in the log (an opaque handle where the key is hidden).
    res.render('audit/restore', {
      title: 'Restore a row',
      seq,
      rowKey: found.entry.rowKey,
      now: plan.now,
      then: plan.then,
      columns: plan.columns,
      nothingToDo: plan.nothingToDo,
      refused: plan.refused,
    });
  });

  routes.post('/audit/:seq/restore', 'signed-in', async (req, res) => {
    const seq = idParam(req, 'seq', 'audit entry');
    if (!(await deps.auditQuery.get(actorOf(req), seq)))
      throw new NotFoundError('That audit entry does not exist or is about a table you cannot see.');
    await deps.undo.restore(actorOf(req), seq);
    flash(req, 'success', `The row is back as it was after change #${seq} (recorded as a new change).`);
    res.redirect(303, `/audit/${seq}`);
  });

  routes.get('/audit/batch/:batchId', 'signed-in', async (req, res) => {
    const batchId = String(req.params.batchId);
    const actor = actorOf(req);
    const items = await deps.undo.previewBatch(actor, batchId);
    // Undone as a whole already: the page says by whom and links to the undo, and offers no second one.
    const undoneBy = items.every((i) => i.undoneBy) ? items[0]!.undoneBy : null;
    res.render('audit/batch', {
      title: 'Undo a batch',
      batchId,
      items,
      undoable: items.filter((i) => !i.blocked).length,
      undoneBy,
      ...readable,
      tableName: tableNamer((await filterChoices(actor, maySeeWholeAuditLog(req.user!))).tables),
    });
  });

  // A batch of hundreds of rows takes minutes: it runs as a job, and its page shows the progress and the outcome.
  routes.post('/audit/batch/:batchId/undo', 'signed-in', async (req, res) => {
    const job = await deps.undo.startBatchUndo(actorOf(req), String(req.params.batchId));
    res.redirect(303, `/jobs/${job.id}`);
  });

  routes.get('/admin/audit/verify', 'admin', async (_req, res) => {
    res.render('audit/verify', { title: 'Audit log integrity', result: await deps.verifyAuditChain() });
  });

  routes.get('/audit', 'signed-in', async (req, res) => {
    const { filters, form } = filtersFrom(req, res.locals.timeZone as string);
    const actor = actorOf(req);
    const { entries, nextBefore } = await deps.auditQuery.list(actor, { ...filters, oneLinePerChange: true });
    const params = new URLSearchParams(Object.entries(form).filter(([, v]) => v));
    const choices = await filterChoices(actor, maySeeWholeAuditLog(req.user!));
    res.render('audit/list', {
      title: 'Audit log',
      entries,
      form,
      nextBefore,
      baseParams: params.toString(),
      ...choices,
      ...readable,
      tableName: tableNamer(choices.tables),
    });
  });

  routes.get('/audit/:seq', 'signed-in', async (req, res) => {
    const seq = idParam(req, 'seq', 'audit entry');
    const found = await deps.auditQuery.get(actorOf(req), seq);
    if (!found) throw new NotFoundError('That audit entry does not exist or is about a table you cannot see.');
    res.render('audit/entry', {
      title: `Audit entry #${seq}`,
      ...found,
      ...readable,
      tableName: tableNamer((await filterChoices(actorOf(req), maySeeWholeAuditLog(req.user!))).tables),
      undo: await deps.undo.undoOffer(actorOf(req), seq),
    });
  });

  // What undoing one change writes back, column by column (a page, not a browser confirm). Reads only.
  routes.get('/audit/:seq/undo', 'signed-in', async (req, res) => {
    const seq = idParam(req, 'seq', 'audit entry');
    const actor = actorOf(req);
    const found = await deps.auditQuery.get(actor, seq);
    if (!found) throw new NotFoundError('That audit entry does not exist or is about a table you cannot see.');
    const { why, item } = await deps.undo.previewOne(actor, seq);
    const offer = item && !item.blocked ? await deps.undo.undoOffer(actor, seq) : null;
    res.render('audit/undo', {
      title: `Undo change #${seq}`,
      seq,
      entry: found.entry,
      why,
      item,
      othersChange: offer?.othersChange ?? false,
      ...readable,
      tableName: tableNamer((await filterChoices(actor, maySeeWholeAuditLog(req.user!))).tables),
    });
  });

  routes.post('/audit/:seq/undo', 'signed-in', async (req, res) => {
    const seq = idParam(req, 'seq', 'audit entry');
    if (!(await deps.auditQuery.get(actorOf(req), seq)))
      throw new NotFoundError('That audit entry does not exist or is about a table you cannot see.');
    const force = (req.body as Record<string, unknown>)?.force === '1';
    const { conflict } = await deps.undo.undo(actorOf(req), seq, force);
    if (conflict)
      return void res.status(409).render('audit/conflict', {
        title: 'The row has changed since',
        seq,
        conflict,
        canForce: mayForceUndo(req.user!),
      });
    flash(req, 'success', `Change #${seq} was undone (recorded as a new change).`);
    res.redirect(303, `/audit/${seq}`);
  });
}
