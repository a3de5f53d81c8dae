// Undo one recorded row change, as a new change (history is never edited): an update's changed columns go
// back to their before values, a create is deleted, a delete is re-created. Only when the row still holds
// what that change wrote; otherwise the caller gets original / then / now, and only an admin may force it.
// Each undo is a RowChange the change engine applies. A batch's undo is a durable job of kind 'undo' (ADR 013)
// with a progress page, one ChangeSet per org: the table read once, then one call per row or one CSV import job.
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../../db/generated/client.js';
import type { AuditReaderRepository } from './audit-reader-repository.js';
import { sameIn } from '../../genesys/datatable-schema.js';
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { ChangeEngine } from '../changes/change-engine.js';
import { derivedChangeId, newChangeId, type ChangeResult, type RowChange } from '../changes/row-change.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { project, type TableService } from '../tables/table-service.js';
import { writeRefusal } from '../tables/write-rights.js';
import { ROW_CHANGE_ACTIONS } from './audit-events.js';
import { cell, undoOf, wasApplied } from './undo-change.js';
import { createUndoPreview, type UndoItem, type UndoneBy } from './undo-preview.js';
import type { AuditEntryView, AuditQuery } from './audit-query.js';
import type { ChangeOutcomes } from './change-outcomes.js';
import { mayForceUndo } from '../permissions/policy.js';
import type { JobRunner } from '../../jobs/job-runner.js';
import type { JobContext, JobView } from '../../jobs/job-types.js';

export interface UndoConflict {
  original: Row | null;
  then: Row | null;
  now: Row | null;
  columns: string[];
}

const UNDOABLE = new Set<string>(ROW_CHANGE_ACTIONS);

const UNDOING = 'Undoing this change';

export const UNDO_JOB = 'undo';
export type { UndoItem, UndoneBy } from './undo-preview.js';

/** What a batch undo job stores: the batch it undoes and the entries to undo, fixed when it was asked for. */
export interface UndoPlan {
  batchId: string;
  /** Newest first, the order they are undone in. */
  seqs: number[];
}

/** What it reports: how many were undone, which could not be and why, and how many a cancel left alone. */
export interface UndoResult extends Record<string, unknown> {
  undone: number;
  skipped: { seq: number; reason: string }[];
  notReached: number;
}
const RESTORING = 'Restoring this row';

/** Why a batch's undo left a change as it was (null: it was undone). */
export function skipReason(r: ChangeResult): string | null {
  switch (r.status) {
    case 'applied':
    case 'unchanged':
      return null;
    case 'recorded':
      return r.state === 'applied' || r.state === 'reconciled-applied'
        ? null
        : (r.message ?? 'it was not applied in Genesys Cloud');
    case 'conflict':
      return 'the row has changed since';
    case 'gone':
      return 'the row no longer exists';
    case 'stopped':
      return 'the undo stopped before it';
    default:
      return r.error.message;
  }
}

/** Undoing someone else's change needs the edit right on the table (admins have it). */
const OTHERS_CHANGE_NEEDS_EDIT = 'Undoing another person’s change needs the edit right on this table.';

export function createUndoService(deps: {
  query: AuditQuery;
  orgs: OrgService;
  tables: TableService;
  engine: ChangeEngine;
  log: AuditReaderRepository;
  outcomes: ChangeOutcomes;
  jobs: JobRunner;
}) {
  /** Why `actor` may not undo `e` (null: she may): the checks undo() runs before it writes. */
  async function undoRefusal(actor: Actor, e: AuditEvent, org: OrgView, othersChange: boolean): Promise<string | null> {
    const t = await deps.tables.open(actor, org, e.tableId!);
    if (othersChange && !t.access.canEdit) return OTHERS_CHANGE_NEEDS_EDIT;
    return writeRefusal(t, undoOf(e), UNDOING);
  }

  const preview = createUndoPreview({ ...deps, refusal: undoRefusal });
  const { undosOf, undoneByOf, previewItems } = preview;

  /**
   * The applied row changes of a batch that `actor` may see in the audit log, newest first (undone in that
   * order), each with how the user sees it. A batch with none is "not found", whether it exists or not.
   */

  async function batchChanges(actor: Actor, batchId: string): Promise<{ event: AuditEvent; view: AuditEntryView }[]> {
    const intents = await deps.log.batchIntents(batchId, [...UNDOABLE]);
    const views = new Map((await deps.query.visibleTo(actor, intents)).map((v) => [v.seq, v]));
    // Every change's outcome in one read (a bulk batch holds hundreds).
    const outcomes = await deps.outcomes.of(intents.flatMap((e) => (e.changeId ? [e.changeId] : [])));
    const applied: { event: AuditEvent; view: AuditEntryView }[] = [];
    for (const e of intents) {
      const view = views.get(e.seq);
      if (!view || !e.changeId) continue;
      if (wasApplied(outcomes.get(e.changeId)?.state)) applied.push({ event: e, view });
    }
    if (applied.length === 0) throw new NotFoundError('That batch has no applied changes to undo that you can see.');
    return applied;
  }

  /**
   * Undoes a stored batch undo (the runner's handler for 'undo'), newest change first, as one new batch (the
   * job's): one ChangeSet per org, whose change ids follow from the new batch and the undone entry, so a run
   * carried on after a restart settles what it had sent and writes nothing twice.
   */
  async function run(ctx: JobContext<UndoPlan, UndoResult>): Promise<void> {
    const { actor } = ctx;
    const newBatchId = ctx.batchId!;
    const events = await deps.log.bySeqs(ctx.plan.seqs);
    events.sort((a, b) => b.seq - a.seq);
    const skipped: { seq: number; reason: string }[] = [];
    const sets = new Map<string, { org: OrgView; changes: RowChange[]; seqs: number[] }>();
    const opened = new Map<string, Awaited<ReturnType<TableService['open']>>>();
    for (const e of events) {
      try {
        const set = sets.get(e.orgId!) ?? { org: await deps.orgs.get(e.orgId!), changes: [], seqs: [] };
        sets.set(e.orgId!, set);
        const t = opened.get(e.tableId!) ?? (await deps.tables.open(actor, set.org, e.tableId!));
        opened.set(e.tableId!, t);
        if (e.actorId !== actor.userId && !t.access.canEdit) throw new ForbiddenError(OTHERS_CHANGE_NEEDS_EDIT);
        const change = undoOf(e, { id: derivedChangeId(newBatchId, e.seq) });
        const refused = writeRefusal(t, change, UNDOING);
        if (refused) throw new ForbiddenError(refused);
        set.changes.push(change);
        set.seqs.push(e.seq);
      } catch (err) {
        skipped.push({ seq: e.seq, reason: (err as Error).message });
      }
    }
    let done = skipped.length;
    await ctx.progress({ done, result: { undone: 0, skipped: [], notReached: 0 } });
    let undone = 0;
    let notReached = 0;
    for (const set of sets.values()) {
      if (ctx.shouldStop()) {
        notReached += set.changes.length; // an org's set not begun before a cancel
        continue;
      }
      const from = done;
      // Asked between rows: a cancel keeps what was undone (one batch, itself undoable).
      const { results } = await deps.engine.apply(
        { actor, org: set.org, batchId: newBatchId, reason: null, doing: UNDOING, changes: set.changes },
        { shouldStop: () => ctx.shouldStop(), onProgress: (n) => ctx.progress({ done: from + n }) },
      );
      results.forEach((r, i) => {
        if (r.status === 'stopped') return void notReached++;
        const reason = skipReason(r);
        if (reason) skipped.push({ seq: set.seqs[i]!, reason });
        else undone++;
      });
      done = from + set.changes.length - results.filter((r) => r.status === 'stopped').length;
    }
    await ctx.progress({ done, result: { undone, skipped: skipped.sort((a, b) => b.seq - a.seq), notReached } });
    ctx.stopIfAsked();
  }

  deps.jobs.register<UndoPlan, UndoResult>(UNDO_JOB, { noun: 'batch undo', resumable: true, run });

  return {
    /**
     * What undoing a whole batch (a bulk edit, a rename, a restore) would do: each change, and why any of them
     * can no longer be undone (the row changed since). Reads each table once, from Genesys.
     */
    async previewBatch(actor: Actor, batchId: string): Promise<UndoItem[]> {
      return previewItems(actor, await batchChanges(actor, batchId));
    },

    /**
     * What undoing one change would write (its preview page; GET: reads only). `why` says why it cannot be
     * undone at all (not a row change, not applied, already undone); the item says what the undo would do.
     */
    async previewOne(actor: Actor, seq: number): Promise<{ why: string | null; item: UndoItem | null }> {
      const eligible = await this.eligibility(actor, seq);
      const e = await deps.query.raw(seq);
      const [view] = e ? await deps.query.visibleTo(actor, [e]) : [];
      if (!e || !view) throw new NotFoundError('That audit entry does not exist or is about a table you cannot see.');
      if (!eligible.ok && !eligible.undoneBy) return { why: eligible.why!, item: null };
      const [item] = await previewItems(actor, [{ event: e, view }]);
      return { why: eligible.ok ? null : eligible.why!, item: item! };
    },

    /**
     * Starts undoing every change of the batch that still can be, as a job of kind 'undo' (a batch of
     * hundreds of rows takes minutes): the changes to undo are fixed now, the rights are checked again when
     * it runs. Its page is /jobs/:jobId.
     */
    async startBatchUndo(actor: Actor, batchId: string): Promise<JobView<UndoPlan>> {
      const all = await batchChanges(actor, batchId);
      // Changes undone already (by an earlier undo of the batch, or one by one) are not undone twice.
      const undone = await undosOf(all.map((c) => c.event));
      const changes = all.filter((c) => !undone.has(c.event.seq));
      if (changes.length === 0) throw new ValidationError('Every change of this batch was undone already.');
      const plan: UndoPlan = { batchId, seqs: changes.map((c) => c.event.seq) };
      return deps.jobs.submit(actor, UNDO_JOB, plan, {
        orgId: changes[0]!.event.orgId,
        batchId: randomUUID(),
        total: plan.seqs.length,
      });
    },

    /**
     * Restoring a row to how it was right after change `seq`: the plan (what will change, compared with the
     * row now) for a preview, and applying it as a new change through the permission-checked path.
     */
    async restorePlan(actor: Actor, seq: number) {
      const e = await deps.query.raw(seq);
      if (!e || !UNDOABLE.has(e.action) || e.outcome !== 'intent')
        throw new NotFoundError('Only row changes can be restored to.');
      const org = await deps.orgs.get(e.orgId!);
      const t = await deps.tables.open(actor, org, e.tableId!);
      const target = e.action === 'row.deleted' ? null : (JSON.parse(e.after!) as Row);
      const current = await (await deps.orgs.gatewayFor(org.id, org)).getRow(e.tableId!, e.rowKey!);
      // The preview shows only the columns the user may see (t.columns), like every other page; values are
      // compared by meaning (1 = 1.0), as Genesys may normalise them.
      const columns = t.columns.filter(
        (c) =>
          c !== 'key' &&
          (cell(target, c) !== undefined || cell(current, c) !== undefined) &&
          !sameIn(c, current, target, t.table.schema),
      );
      const only = (r: Row | null) => (r ? project(r, t.columns) : null);
      // The columns the preview shows (those the user sees): a hidden column is left as it is, so the
      // outcome cannot tell whether it differs. The write check refuses any the user may not write.
      const base = {
        id: newChangeId(),
        tableId: e.tableId!,
        key: e.rowKey!,
        reason: `Restore to the row as it was after change #${seq}`,
        details: { restoresTo: seq },
      };
      const plan: RowChange =
        target === null
          ? { ...base, kind: 'delete' }
          : current === null
            ? { ...base, kind: 'create', write: target, ifExists: 'replace' }
            : { ...base, kind: 'update', write: project(target, columns) };
      const nothingToDo = (target === null) === (current === null) && columns.length === 0;
      // Asked of the same check the restore runs: the preview explains a refusal instead of offering a dead end.
      const refused = nothingToDo ? null : writeRefusal(t, plan, RESTORING);
      return {
        entry: e,
        org,
        target,
        current,
        now: only(current),
        then: only(target),
        columns,
        nothingToDo,
        plan,
        refused,
      };
    },

    async restore(actor: Actor, seq: number): Promise<void> {
      const p = await this.restorePlan(actor, seq);
      if (p.nothingToDo) throw new ValidationError('The row already is as it was after that change.');
      await deps.engine.applyOne({
        actor,
        org: p.org,
        batchId: null,
        reason: null,
        doing: RESTORING,
        changes: [p.plan],
      });
    },

    /** Whether entry `seq` is a change that can be undone at all; undo() runs the rights checks. */
    async eligibility(
      actor: Actor,
      seq: number,
    ): Promise<{ ok: boolean; why?: string; othersChange: boolean; undoneBy?: UndoneBy }> {
      const e = await deps.query.raw(seq);
      if (!e || !UNDOABLE.has(e.action) || e.outcome !== 'intent' || !e.changeId)
        return { ok: false, why: 'Only row changes can be undone.', othersChange: false };
      if (!wasApplied((await deps.outcomes.of([e.changeId])).get(e.changeId)?.state))
        return {
          ok: false,
          why: 'This change was not applied in Genesys Cloud, so there is nothing to undo.',
          othersChange: false,
        };
      const undoneBy = (await undoneByOf(actor, [e])).get(e.seq);
      if (undoneBy)
        return {
          ok: false,
          why: `This change was undone already${undoneBy.seq ? ` (change #${undoneBy.seq})` : ''}.`,
          othersChange: false,
          undoneBy,
        };
      return { ok: true, othersChange: e.actorId !== actor.userId };
    },

    /**
     * What the entry page offers: an undo button only when undo() would pass its rights checks (the same
     * checks, asked now), else why not. `refused` is null when the user may undo.
     */
    async undoOffer(
      actor: Actor,
      seq: number,
    ): Promise<{ ok: boolean; why?: string; othersChange: boolean; refused: string | null; undoneBy?: UndoneBy }> {
      const eligible = await this.eligibility(actor, seq);
      if (!eligible.ok) return { ...eligible, refused: null };
      const e = (await deps.query.raw(seq))!;
      const org = await deps.orgs.get(e.orgId!);
      const refused = await undoRefusal(actor, e, org, eligible.othersChange);
      return { ...eligible, refused };
    },

    async undo(actor: Actor, seq: number, force: boolean): Promise<{ conflict: UndoConflict | null }> {
      const e = await deps.query.raw(seq);
      if (!e) throw new NotFoundError('That audit entry does not exist.');
      const eligible = await this.eligibility(actor, seq);
      if (!eligible.ok) throw new ValidationError(eligible.why!);
      if (force && !mayForceUndo(actor))
        throw new ForbiddenError('Only an administrator can force an undo over later changes.');
      const org = await deps.orgs.get(e.orgId!);
      const t = await deps.tables.open(actor, org, e.tableId!);
      if (eligible.othersChange && !t.access.canEdit) throw new ForbiddenError(OTHERS_CHANGE_NEEDS_EDIT);
      const before = e.before ? (JSON.parse(e.before) as Row) : null;
      const after = e.after ? (JSON.parse(e.after) as Row) : null;
      const changed = (
        (e.details ? (JSON.parse(e.details) as { changed?: string[] }).changed : undefined) ?? []
      ).filter((c) => c !== 'key');
      const result = await deps.engine.applyOne({
        actor,
        org,
        batchId: null,
        reason: null,
        doing: UNDOING,
        changes: [undoOf(e, { force })],
      });
      if (result.status === 'gone')
        throw new ValidationError('The row no longer exists in Genesys Cloud, so this change cannot be undone.');
      if (result.status !== 'conflict') return { conflict: null };
      // The conflict page shows only the columns the user may see (t.columns), like every other page.
      const visible = t.columns;
      const only = (r: Row | null) => (r ? project(r, visible) : null);
      return {
        conflict: {
          original: only(before),
          then: only(after),
          now: only(result.current),
          columns: e.action === 'row.updated' ? changed.filter((c) => visible.includes(c)) : visible,
        },
      };
    },
  };
}

export type UndoService = ReturnType<typeof createUndoService>;
