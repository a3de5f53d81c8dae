// What people other than the author decide about a change request, and what anyone does once it is held or
// applied: comment, approve (optionally editing values first), reject, send back, withdraw, settle held rows,
// confirm a late apply, revert now. Part of services.requests (request-service.ts), sharing its helpers.
import type { Transaction } from '../../db/transaction.js';
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors.js';
import type { AuditAction, RequestEventDetails } from '../audit/audit-events.js';
import { approvalsFor, assertAuthor, assertMayDecide, assertStatus, text } from './request-rules.js';
import type { RequestServiceDeps } from './request-service.js';
import type { ChangeRequestWithRows, HeldPhase, ReviewVerdict } from './request-types.js';
import {
  assertMaySee,
  maySeeRequest,
  onceEach,
  viewerTables,
  type RequestView,
  type ViewerTables,
} from './request-view.js';

export interface RequestContext {
  deps: RequestServiceDeps;
  load(id: string, tx?: Transaction): Promise<ChangeRequestWithRows>;
  view(actor: Actor, req: ChangeRequestWithRows): Promise<RequestView>;
  record(
    action: Extract<AuditAction, `request.${string}`>,
    actor: Actor,
    req: ChangeRequestWithRows,
    tx: Transaction,
    extra?: Partial<RequestEventDetails> & { reason?: string | null },
  ): Promise<void>;
  start(id: string, phase: HeldPhase, from: readonly ('approved' | 'applied' | 'held')[]): Promise<boolean>;
  tableIdsOf(req: ChangeRequestWithRows): string[];
}

/** An approver's change to one row's values before approving (only columns the row already writes). */
export interface ApproverEdit {
  rowId: number;
  values: Row;
}

export const CHANGED_SINCE_OPENED = 'The change request changed since you opened it: review it again before approving.';

export function createRequestDecisions(c: RequestContext) {
  const { deps, load, view, record, start, tableIdsOf } = c;
  const { repo, transact, clock } = deps;

  async function seenBy(actor: Actor, req: ChangeRequestWithRows): Promise<ViewerTables> {
    const seen = await viewerTables(deps.tables, actor, await deps.orgs.get(req.orgId), tableIdsOf(req));
    assertMaySee(actor, req, seen);
    return seen;
  }

  /** Author, or someone who may approve every table of it (a person acting on a held or applied request). */
  function assertAuthorOrDecider(actor: Actor, req: ChangeRequestWithRows, seen: ViewerTables, doing: string) {
    if (req.authorId === actor.userId) {
      for (const t of seen.values()) if (t?.access.readOnlyReason) throw new ForbiddenError(t.access.readOnlyReason);
      return;
    }
    assertMayDecide(actor, req, seen, { doing, seeEveryColumn: false });
  }

  const review = (actor: Actor, req: ChangeRequestWithRows, verdict: ReviewVerdict, comment: string, tx: Transaction) =>
    repo.addReview(
      req.id,
      { userId: actor.userId, userName: actor.name, verdict, comment, version: req.version, at: new Date(clock.now()) },
      tx,
    );

  /** The approver's edits laid over the rows: only visible columns the row already writes (no widening). */
  function checkedEdits(req: ChangeRequestWithRows, seen: ViewerTables, edits: ApproverEdit[]) {
    return edits.map((e) => {
      const row = req.rows.find((r) => r.id === e.rowId);
      if (!row) throw new NotFoundError('That row is not part of this change request.');
      const t = seen.get(row.tableId)!;
      const requested = row.requested ?? {};
      for (const col of Object.keys(e.values))
        if (!t.columns.includes(col) || !Object.hasOwn(requested, col) || t.access.columns[col] !== 'write')
          throw new ForbiddenError(
            t.columns.includes(col)
              ? `You may only change values this request already changes and that you may write (not “${col}”).`
              : 'You may only change values this request already changes and that you may write.',
          );
      return { row, requested: { ...requested, ...e.values } };
    });
  }

  const decisions = {
    async comment(actor: Actor, id: string, input: { comment?: string }): Promise<RequestView> {
      const comment = text(input.comment, 'comment', 'A comment', true);
      await seenBy(actor, await load(id));
      await transact(async (tx) => {
        const req = await load(id, tx);
        await review(actor, req, 'comment', comment, tx);
        await record('request.commented', actor, req, tx);
      });
      return view(actor, await load(id));
    },

    /**
     * Approves the version `actor` was shown (`version`; any other is refused: R1). Never the author, and only
     * with `canApprove` on every table and sight of every column it changes (R2). `edits` change values first,
     * recorded as the approver's: a new version, for which this approval is the first. Enough approvals:
     * approved, and applied now unless its apply time is still ahead.
     */
    async approve(
      actor: Actor,
      id: string,
      input: { version: number; comment?: string; edits?: ApproverEdit[] },
    ): Promise<RequestView> {
      const comment = text(input.comment, 'comment', 'A comment', false);
      const seen = await seenBy(actor, await load(id));
      const approved = await transact(async (tx) => {
        const req = await load(id, tx);
        assertMayDecide(actor, req, seen, { doing: 'approve', seeEveryColumn: true });
        assertStatus(req, ['submitted'], 'approved');
        if (input.version !== req.version) throw new ConflictError(CHANGED_SINCE_OPENED);
        if (req.reviews.some((v) => v.verdict === 'approve' && v.version === req.version && v.userId === actor.userId))
          throw new ConflictError('You have already approved this version of the change request.');
        const edited = checkedEdits(req, seen, input.edits ?? []).filter(
          (e) => JSON.stringify(e.requested) !== JSON.stringify(e.row.requested),
        );
        for (const e of edited)
          await repo.updateRow(
            e.row.id,
            { requested: e.requested, editedById: actor.userId, editedBy: actor.name },
            tx,
          );
        if (edited.length) await repo.update(id, { version: req.version + 1 }, tx);
        const now = await load(id, tx);
        await review(actor, now, 'approve', comment, tx);
        const after = await load(id, tx);
        const enough = approvalsFor(after) >= after.approvalsNeeded;
        if (enough && !(await repo.transition(id, ['submitted'], 'approved', {}, tx)))
          throw new ConflictError(CHANGED_SINCE_OPENED);
        await record('request.approved', actor, after, tx, edited.length ? { edited: edited.length } : {});
        return enough ? after : null;
      });
      if (approved && (!approved.applyAt || approved.applyAt.getTime() <= clock.now()))
        await start(id, 'apply', ['approved']);
      return view(actor, await load(id));
    },

    async reject(actor: Actor, id: string, input: { reason?: string }): Promise<RequestView> {
      return decide(actor, id, input.reason, {
        verdict: 'reject',
        to: 'rejected',
        action: 'request.rejected',
        doing: 'reject',
      });
    },

    async askChanges(actor: Actor, id: string, input: { comment?: string }): Promise<RequestView> {
      return decide(actor, id, input.comment, {
        verdict: 'ask_changes',
        to: 'changes_requested',
        action: 'request.changes_asked',
        doing: 'send back',
      });
    },

    /** The author takes the request back, at any time before its apply has started. */
    async withdraw(actor: Actor, id: string, input: { comment?: string } = {}): Promise<RequestView> {
      const comment = text(input.comment, 'comment', 'A comment', false);
      await transact(async (tx) => {
        const req = await load(id, tx);
        assertAuthor(actor, req, 'withdraw');
        const before = ['draft', 'submitted', 'changes_requested', 'approved'] as const;
        const heldBeforeApply = req.status === 'held' && req.heldPhase === 'apply' && !req.appliedAt;
        if (!heldBeforeApply) assertStatus(req, before, 'withdrawn (its apply has started)');
        const from = heldBeforeApply ? (['held'] as const) : before;
        if (!(await repo.transition(id, from, 'withdrawn', { closedAt: new Date(clock.now()) }, tx)))
          throw new ConflictError('This change request changed while you withdrew it: open it again.');
        await review(actor, req, 'withdraw', comment, tx);
        await record('request.withdrawn', actor, req, tx);
      });
      return view(actor, await load(id));
    },

    /**
     * Gives up the held rows (all, or `rowIds`): they are left as someone else changed them. With no row held
     * any more, the request is applied (or reverted) as far as it went.
     */
    async dropHeld(actor: Actor, id: string, input: { rowIds?: number[] } = {}): Promise<RequestView> {
      const seen = await seenBy(actor, await load(id));
      const next = await transact(async (tx) => {
        const req = await load(id, tx);
        assertAuthorOrDecider(actor, req, seen, 'drop rows of');
        assertStatus(req, ['held'], 'settled');
        const isHeld = (r: { state: string }) => r.state === 'held' || r.state === 'revert_held';
        for (const r of req.rows.filter((r) => isHeld(r) && (!input.rowIds || input.rowIds.includes(r.id))))
          await repo.updateRow(
            r.id,
            { state: r.state === 'held' ? 'dropped' : 'applied', message: 'Dropped: left as found.' },
            tx,
          );
        const after = await load(id, tx);
        if (after.rows.some(isHeld)) return 'held';
        // Rows the apply never reached (it stopped at the hold) still go; else the step is over.
        const rest = after.heldPhase === 'revert' ? false : after.rows.some((r) => r.state === 'pending');
        if (rest) return after.heldPhase ?? 'apply';
        await settleHeld(actor, after, tx);
        return 'settled';
      });
      if (next === 'apply' || next === 'revert') await start(id, next, ['held']);
      return view(actor, await load(id));
    },

    /**
     * An approver accepts writing the held rows over what someone else put there: the rows' expected values
     * become `theirs` (apply: `original`; revert: `requested`), and the apply or revert runs again for them.
     */
    async reapproveHeld(actor: Actor, id: string, input: { version: number; comment?: string }): Promise<RequestView> {
      const comment = text(input.comment, 'comment', 'A comment', false);
      const seen = await seenBy(actor, await load(id));
      const phase = await transact(async (tx) => {
        const req = await load(id, tx);
        assertMayDecide(actor, req, seen, { doing: 're-approve', seeEveryColumn: true });
        assertStatus(req, ['held'], 're-approved');
        if (input.version !== req.version) throw new ConflictError(CHANGED_SINCE_OPENED);
        const held = req.rows.filter((r) => r.state === 'held' || r.state === 'revert_held');
        if (held.length === 0) throw new ConflictError('No row of this change request is held: confirm it instead.');
        for (const r of held)
          await repo.updateRow(
            r.id,
            r.state === 'held'
              ? { state: 'pending', original: r.theirs, theirs: null, message: null }
              : { state: 'applied', requested: r.theirs, theirs: null, message: null },
            tx,
          );
        await review(actor, req, 'reapprove', comment, tx);
        await record('request.approved', actor, req, tx, { phase: req.heldPhase ?? 'apply', held: held.length });
        return req.heldPhase ?? 'apply';
      });
      await start(id, phase, ['held']);
      return view(actor, await load(id));
    },

    /** A held request with no held rows (late, or a right that is back): a person says to go on now. */
    async confirmHeld(actor: Actor, id: string): Promise<RequestView> {
      const req = await load(id);
      assertAuthorOrDecider(actor, req, await seenBy(actor, req), 'confirm');
      assertStatus(req, ['held'], 'confirmed');
      if (req.rows.some((r) => r.state === 'held' || r.state === 'revert_held'))
        throw new ConflictError('Some rows are held: re-approve or drop them first.');
      await start(id, req.heldPhase ?? 'apply', ['held']);
      return view(actor, await load(id));
    },

    /** Reverts an applied request now instead of at its revert time (or when it has none). */
    async revertNow(actor: Actor, id: string): Promise<RequestView> {
      const req = await load(id);
      assertAuthorOrDecider(actor, req, await seenBy(actor, req), 'revert');
      assertStatus(req, ['applied'], 'reverted');
      if (!(await start(id, 'revert', ['applied'])))
        throw new ConflictError('This change request is already being reverted.');
      return view(actor, await load(id));
    },

    /** Submitted requests `actor` may approve and has not approved in their current version. */
    async waiting(actor: Actor): Promise<ChangeRequestWithRows[]> {
      const out: ChangeRequestWithRows[] = [];
      const once = onceEach(deps.tables, deps.orgs); // many requests, the same few tables: each opened once
      for (const req of await repo.listWithRows({ statuses: ['submitted'], take: 500 })) {
        if (req.authorId === actor.userId) continue;
        if (req.reviews.some((v) => v.verdict === 'approve' && v.version === req.version && v.userId === actor.userId))
          continue;
        const seen = await viewerTables(once.tables, actor, await once.org(req.orgId), tableIdsOf(req));
        if (!maySeeRequest(actor, req, seen)) continue;
        try {
          assertMayDecide(actor, req, seen, { doing: 'approve', seeEveryColumn: true });
          out.push(req);
        } catch (err) {
          if (!(err instanceof ForbiddenError)) throw err;
        }
      }
      return out;
    },
  };

  /** No row held any more: the step the request was held in is over, as far as it went. */
  async function settleHeld(actor: Actor, req: ChangeRequestWithRows, tx: Transaction) {
    const now = new Date(clock.now());
    const count = (s: string) => req.rows.filter((r) => r.state === s).length;
    if (req.heldPhase === 'revert') {
      await repo.transition(
        req.id,
        ['held'],
        'reverted',
        { revertedAt: now, closedAt: now, heldPhase: null, heldReason: null },
        tx,
      );
      await record('request.reverted', actor, req, tx, { phase: 'revert', reverted: count('reverted') });
    } else {
      await repo.transition(
        req.id,
        ['held'],
        'applied',
        { appliedAt: req.appliedAt ?? now, heldPhase: null, heldReason: null },
        tx,
      );
      await record('request.applied', actor, req, tx, {
        phase: 'apply',
        applied: count('applied'),
        unchanged: count('unchanged'),
      });
    }
  }

  /** Reject / send back: an approver's decision with a required reason. */
  async function decide(
    actor: Actor,
    id: string,
    why: string | undefined,
    how: {
      verdict: ReviewVerdict;
      to: 'rejected' | 'changes_requested';
      action: 'request.rejected' | 'request.changes_asked';
      doing: string;
    },
  ): Promise<RequestView> {
    const reason = text(why, 'reason', 'A reason', true);
    const seen = await seenBy(actor, await load(id));
    await transact(async (tx) => {
      const req = await load(id, tx);
      assertMayDecide(actor, req, seen, { doing: how.doing, seeEveryColumn: false });
      assertStatus(req, ['submitted'], how.to === 'rejected' ? 'rejected' : 'sent back');
      const closed = how.to === 'rejected' ? { closedAt: new Date(clock.now()) } : {};
      if (!(await repo.transition(id, ['submitted'], how.to, closed, tx)))
        throw new ConflictError('This change request changed meanwhile: open it again.');
      await review(actor, req, how.verdict, reason, tx);
      await record(how.action, actor, req, tx, { reason });
    });
    return view(actor, await load(id));
  }

  return decisions;
}
