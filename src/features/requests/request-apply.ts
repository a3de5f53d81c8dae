// Applying and reverting a change request: durable jobs of kinds `request-apply` and `request-revert` (ADR 013)
// that hand the request's rows to the change engine as one ChangeSet. The request service (or the scheduler)
// first claims the request (approved -> applying, applied -> reverting: a conditional UPDATE that only one
// caller wins), then calls `start`. The handler re-checks, before anything is written, that every right the
// request was approved under still holds (R3: the author may still make every change, or run the playbook;
// each approver of this version may still approve every table; the org is not read-only); if one does not,
// the request is held with a reason naming who lost which right. Change ids follow from the request's batch id
// (made once, stored before the first write), the row's position and the phase, so a job carried on after
// kill -9 settles what it had sent and writes nothing twice (R4); row states are set, never counted, and the
// request's final status and its audit entry commit together, once, in one transaction.
import { randomUUID } from 'node:crypto';
import type { Transact } from '../../db/transaction.js';
import { GenesysUnavailableError } from '../../genesys/errors.js';
import type { Row } from '../../genesys/gateway.js';
import type { JobRunner } from '../../jobs/job-runner.js';
import { JobStopped, type JobContext, type JobView } from '../../jobs/job-types.js';
import { actorFor, type Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Role } from '../../db/generated/client.js';
import type { AuditService } from '../audit/audit-service.js';
import type { ChangeEngine } from '../changes/change-engine.js';
import { derivedChangeId, type ChangeResult, type RowChange } from '../changes/row-change.js';
import type { OrgView } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import { writeRefusal } from '../tables/write-rights.js';
import { mayBypassApproval } from '../permissions/policy.js';
import type { RequestPatch, RequestRepository, RowPatch } from './request-repository.js';
import type { AuditEvent } from '../audit/audit-events.js';
import type {
  ChangePolicy,
  ChangeRequestRecord,
  ChangeRequestWithRows,
  HeldPhase,
  RequestRow,
  RequestRowState,
  RequestStatus,
} from './request-types.js';

export const REQUEST_APPLY_JOB = 'request-apply';
export const REQUEST_REVERT_JOB = 'request-revert';

/** What an apply or revert job stores: the request is the plan (its rows, batch ids and states). */
export interface RequestJobPlan {
  requestId: string;
  phase: HeldPhase;
}

/** The status a request has while its job of `phase` runs (claimed by the service or the scheduler). */
export const RUNNING_STATUS: Record<HeldPhase, RequestStatus> = { apply: 'applying', revert: 'reverting' };
/** The status a request was claimed from. */
export const CLAIMED_FROM: Record<HeldPhase, RequestStatus> = { apply: 'approved', revert: 'applied' };

/** Rows each phase writes: apply what is not yet written (held rows after a re-approval), revert what apply wrote. */
const ROWS_OF: Record<HeldPhase, readonly RequestRowState[]> = {
  apply: ['pending', 'held'],
  revert: ['applied', 'revert_held'],
};

interface UserLookup {
  findById(
    id: number,
  ): Promise<{ id: number; displayName: string; email: string; role: Role; disabled: boolean } | null>;
}

type RequestEvent = Extract<AuditEvent, { action: 'request.held' | 'request.applied' | 'request.reverted' }>;

/** A run of a playbook (its rows written with the runner's canRunPlaybooks), not a request to change one. */
export const isPlaybookRun = (req: ChangeRequestRecord): boolean => req.purpose === 'change' && req.playbookId !== null;

const pick = (row: Row | null, columns: string[]): Row =>
  Object.fromEntries(columns.filter((c) => row !== null && Object.hasOwn(row, c)).map((c) => [c, row![c]!]));

/** The change one row of the request is in `phase` (revert: the opposite write, checked against what apply wrote). */
export function changeOf(req: ChangeRequestWithRows, row: RequestRow, phase: HeldPhase, batchId: string): RowChange {
  const base = {
    id: derivedChangeId(batchId, row.position, phase),
    tableId: row.tableId,
    key: row.key,
    details: { request: req.id, ...(isPlaybookRun(req) ? { playbook: req.playbookId! } : {}) },
  };
  const requested = row.requested ?? {};
  const columns = Object.keys(requested).filter((c) => c !== 'key');
  if (phase === 'apply') {
    if (row.kind === 'create')
      return { ...base, kind: 'create', write: { ...requested, key: row.key }, ifExists: 'conflict' };
    if (row.kind === 'delete') return { ...base, kind: 'delete', ...(row.original ? { expect: row.original } : {}) };
    return { ...base, kind: 'update', write: pick(requested, columns), expect: pick(row.original, columns) };
  }
  if (row.kind === 'create') return { ...base, kind: 'delete', expect: pick(requested, columns) };
  if (row.kind === 'delete')
    return { ...base, kind: 'create', write: { ...row.original, key: row.key }, ifExists: 'conflict' };
  return { ...base, kind: 'update', write: pick(row.original, columns), expect: pick(requested, columns) };
}

/** What becomes of the request row after the engine's result (null: nothing to record, e.g. not reached). */
export function rowPatchOf(phase: HeldPhase, change: RowChange, r: ChangeResult): RowPatch | null {
  const done: RequestRowState = phase === 'apply' ? 'applied' : 'reverted';
  const held: RequestRowState = phase === 'apply' ? 'held' : 'revert_held';
  const ok = { state: done, theirs: null, message: null };
  switch (r.status) {
    case 'applied':
      return ok;
    case 'recorded':
      if (r.state === 'applied' || r.state === 'reconciled-applied') return ok;
      if (r.state === 'reconciled-conflict')
        return {
          state: held,
          message: 'Someone else changed this row while it was being written: check it in the audit log.',
        };
      return { state: phase === 'apply' ? 'failed' : 'applied', message: r.message ?? 'Not written.' };
    case 'unchanged':
      // Apply: the row already held the requested values (someone made the change): nothing to revert later.
      return { state: phase === 'apply' ? 'unchanged' : 'reverted', theirs: null, message: null };
    case 'conflict':
      return {
        state: held,
        theirs: r.current,
        message:
          phase === 'apply'
            ? 'This row was changed after the request was made: it was not written.'
            : 'This row was changed while the change was in effect: it was not reverted.',
      };
    case 'gone':
      // A delete that finds the row gone has what it wanted; an update of a vanished row is held.
      if (change.kind === 'delete') return ok;
      return { state: held, theirs: null, message: 'This row no longer exists in Genesys Cloud.' };
    case 'failed':
    case 'unknown':
      // Apply: refused by Genesys, the request fails with the message; revert: the row stays as applied.
      return { state: phase === 'apply' ? 'failed' : 'applied', message: r.error.message };
    case 'stopped':
      return null;
  }
}

export function createRequestApplier(deps: {
  repo: RequestRepository;
  engine: ChangeEngine;
  tables: Pick<TableService, 'open'>;
  orgs: { get(id: string): Promise<OrgView> };
  users: UserLookup;
  jobs: JobRunner;
  audit: AuditService;
  transact: Transact;
  clock: Clock;
  /** The strictest change policy of these tables now (change-policy.ts `forTables`). */
  policies: { forTables(org: OrgView, tableIds: string[]): Promise<ChangePolicy> };
  /** Why a playbook run may not go ahead (its playbook changed since it was approved); null: it may. */
  playbookProblem?: (req: ChangeRequestWithRows) => Promise<string | null>;
}) {
  const now = () => new Date(deps.clock.now());

  /** The account as it is now (role, disabled), as the actor its writes are recorded under; null: cannot act. */
  async function actorOf(userId: number): Promise<Actor | null> {
    const u = await deps.users.findById(userId);
    return u && !u.disabled ? actorFor(u) : null;
  }

  /**
   * Moves the request from one of `from` to `to` and records its audit entry with it, in one transaction: once,
   * however often a resumed job or a racing scheduler pass gets here. False when someone else moved it first.
   */
  async function settle(
    req: { id: string; orgId: string },
    from: RequestStatus[],
    to: RequestStatus,
    patch: RequestPatch,
    entry: RequestEvent,
    actor: Actor | null,
    batchId: string | null,
  ): Promise<boolean> {
    return deps.transact(async (tx) => {
      if (!(await deps.repo.transition(req.id, from, to, patch, tx))) return false;
      // An apply Genesys refused is recorded as the apply's failure (its rows say why).
      const outcome = to === 'failed' ? { outcome: 'failure' } : {};
      await deps.audit.record({ ...entry, ...outcome, orgId: req.orgId, batchId }, actor, tx);
      return true;
    });
  }

  /** Holds the request (from `from`) for a person: why, and which step waits. */
  async function hold(
    req: { id: string; orgId: string },
    from: RequestStatus[],
    phase: HeldPhase,
    reason: string,
    actor: Actor | null,
  ): Promise<boolean> {
    const entry: RequestEvent = {
      action: 'request.held',
      details: { requestId: req.id, status: 'held', phase, reason },
    };
    return settle(req, from, 'held', { heldPhase: phase, heldReason: reason }, entry, actor, null);
  }

  /** R3: the first right the request relies on that no longer holds, in words naming who lost what; null: all hold. */
  async function rightsProblem(
    req: ChangeRequestWithRows,
    org: OrgView,
    rows: RequestRow[],
    phase: HeldPhase,
  ): Promise<string | null> {
    if (org.readOnly) return `The org “${org.name}” is read-only now, so nothing was written.`;
    if (org.archived) return `The org “${org.name}” is archived, so nothing was written.`;
    const author = await actorOf(req.authorId);
    const playbookRun = isPlaybookRun(req);
    const who = playbookRun ? 'who ran the playbook' : 'who requested it';
    if (!author) return `${req.authorName}, ${who}, can no longer sign in.`;
    const batch = phase === 'apply' ? req.batchId! : req.revertBatchId!;
    const tableNames = new Map(rows.map((r) => [r.tableId, r.tableName || r.tableId]));
    const openAs = async (actor: Actor, tableId: string) => {
      try {
        return await deps.tables.open(actor, org, tableId);
      } catch (err) {
        if (err instanceof AppError && err.expose) return null;
        throw err;
      }
    };
    for (const tableId of tableNames.keys()) {
      const name = tableNames.get(tableId)!;
      const t = await openAs(author, tableId);
      if (!t) return `${author.name}, ${who}, may no longer see the table “${name}”.`;
      if (playbookRun) {
        if (!t.access.canRunPlaybooks) return `${author.name} may no longer run playbooks on “${name}”.`;
        continue;
      }
      for (const row of rows.filter((r) => r.tableId === tableId)) {
        const refusal = writeRefusal(t, changeOf(req, row, phase, batch), 'This change request');
        if (refusal) return `${author.name}, ${who}, may no longer make this change: ${refusal}`;
      }
    }
    if (playbookRun && deps.playbookProblem) {
      const problem = await deps.playbookProblem(req);
      if (problem) return problem;
    }
    // Each approval of the version that was approved (earlier versions' approvals never counted: R1).
    const approvers = new Map(
      req.reviews
        .filter((r) => (r.verdict === 'approve' || r.verdict === 'reapprove') && r.version === req.version)
        .map((r) => [r.userId, r.userName]),
    );
    // The policy of now, not of the submission: a table switched to "approval" after a request was approved
    // with none (submitted while it changed directly) does not take it blind. Playbook runs were approved as
    // the playbook's content; a revert only puts back what was there; administrators may write directly.
    if (phase === 'apply' && !playbookRun && !mayBypassApproval(author)) {
      const policy = await deps.policies.forTables(org, [...tableNames.keys()]);
      const needed = policy.mode === 'approval' ? policy.approvalsNeeded : 0;
      const given = [...approvers.keys()].filter((id) => id !== req.authorId).length;
      if (given < needed)
        return `Its tables now need ${needed} approval${needed === 1 ? '' : 's'} and it has ${given}, so nothing was written. Withdraw it and submit it again.`;
    }
    for (const [userId, userName] of approvers) {
      const approver = await actorOf(userId);
      if (!approver) return `${userName}, who approved it, can no longer sign in.`;
      for (const [tableId, name] of tableNames) {
        const t = await openAs(approver, tableId);
        if (!t?.access.canApprove)
          return `${approver.name}, who approved it, may no longer approve changes to “${name}”.`;
      }
    }
    return null;
  }

  /** The job handler of both kinds: from the start, or carried on after a restart (nothing is written twice). */
  async function run(ctx: JobContext<RequestJobPlan, Record<string, unknown>>): Promise<void> {
    const { requestId, phase } = ctx.plan;
    const running = RUNNING_STATUS[phase];
    const req = await deps.repo.get(requestId);
    if (!req) throw new Error('That change request no longer exists.');
    // Settled by an earlier run of this job (a crash after the final transaction): nothing is left to do.
    if (req.status !== running) return;
    const batchId = phase === 'apply' ? req.batchId : req.revertBatchId;
    if (!batchId) throw new Error('This change request has no batch id for its writes.');
    const holdNow = (reason: string) => hold(req, [running], phase, reason, ctx.actor);
    try {
      const org = await deps.orgs.get(req.orgId);
      const rows = req.rows.filter((r) => ROWS_OF[phase].includes(r.state));
      const problem = await rightsProblem(req, org, rows, phase);
      if (problem) return void (await holdNow(problem));
      const changes = rows.map((row) => changeOf(req, row, phase, batchId));
      await ctx.progress({ total: rows.length, done: 0 });
      let refusedMidway: string | null = null;
      await deps.engine.apply(
        {
          actor: ctx.actor,
          org,
          batchId,
          via: isPlaybookRun(req) ? 'playbook' : 'request',
          reason: `${phase === 'apply' ? 'Change request' : 'Revert of change request'} “${req.title}”${req.reason ? `: ${req.reason}` : ''}`,
          doing: phase === 'apply' ? 'This change request' : 'Reverting this change request',
          changes,
        },
        {
          shouldStop: () => ctx.shouldStop(),
          throwWhenUnavailable: true,
          onProgress: async (done, _total, last) => {
            const r = last.result;
            // The engine refuses a change whose right was revoked while the set was applied, and stops there.
            if (r.status === 'failed' && r.error instanceof AppError && r.error.expose) refusedMidway = r.error.message;
            else {
              const patch = rowPatchOf(phase, changes[last.index]!, r);
              if (patch) await deps.repo.updateRow(rows[last.index]!.id, patch);
            }
            await ctx.progress({ done });
          },
        },
      );
      ctx.stopIfAsked(); // a shutdown leaves the job to carry on at the next start
      await finish(req.id, phase, batchId, ctx.actor, refusedMidway);
    } catch (err) {
      if (err instanceof JobStopped && err.why === 'shutdown') throw err;
      const reason =
        err instanceof JobStopped
          ? `The ${phase} was cancelled before it finished; confirm to carry it on.`
          : err instanceof GenesysUnavailableError
            ? `Genesys Cloud could not be reached (${err.message}); confirm to try again: nothing is written twice.`
            : err instanceof AppError && err.expose
              ? err.message
              : `The ${phase} stopped: ${(err as Error).message}; confirm to try again.`;
      await holdNow(reason);
      if (!(err instanceof AppError && err.expose) && !(err instanceof GenesysUnavailableError)) throw err;
    }
  }

  /** The request's status from its rows as stored now (they include rows settled by earlier runs). */
  async function finish(
    requestId: string,
    phase: HeldPhase,
    batchId: string,
    actor: Actor,
    refusedMidway: string | null,
  ): Promise<void> {
    const req = (await deps.repo.get(requestId))!;
    const running = RUNNING_STATUS[phase];
    if (refusedMidway) return void (await hold(req, [running], phase, refusedMidway, actor));
    const count = (...states: RequestRowState[]) => req.rows.filter((r) => states.includes(r.state)).length;
    const counts = { rows: req.rows.length, written: count(phase === 'apply' ? 'applied' : 'reverted') };
    const heldAs = async (reason: string) => {
      const details = { requestId, status: 'held', phase, reason };
      await settle(
        req,
        [running],
        'held',
        { heldPhase: phase, heldReason: reason },
        { action: 'request.held', details },
        actor,
        batchId,
      );
    };
    const heldRows = count(phase === 'apply' ? 'held' : 'revert_held');
    if (heldRows)
      return heldAs(
        phase === 'apply'
          ? `${heldRows} row(s) changed after the request was made and were not written: re-approve them with their current values, or drop them.`
          : `${heldRows} row(s) changed while the change was in effect and were not reverted: choose what each should hold.`,
      );
    if (phase === 'apply' && count('failed')) {
      const reason = `Genesys Cloud refused ${count('failed')} row(s); each row says why.`;
      const details = { requestId, status: 'failed', reason, ...counts };
      await settle(
        req,
        [running],
        'failed',
        { heldReason: reason, closedAt: now() },
        { action: 'request.applied', details },
        actor,
        batchId,
      );
      return;
    }
    // Rows a revert could not write stay as applied (with Genesys' message): the window's values are still in
    // place, so the request waits for a person instead of closing.
    const unfinished = req.rows.filter((r) => (phase === 'apply' ? r.state === 'pending' : r.state === 'applied'));
    if (unfinished.length) {
      const refused = unfinished.find((r) => r.message)?.message;
      return heldAs(
        refused
          ? `${unfinished.length} row(s) could not be ${phase === 'apply' ? 'written' : 'reverted'} (${refused}); confirm to try again.`
          : `${unfinished.length} row(s) were not reached; confirm to carry on.`,
      );
    }
    const done = { heldPhase: null, heldReason: null };
    if (phase === 'apply')
      await settle(
        req,
        [running],
        'applied',
        { ...done, appliedAt: now() },
        { action: 'request.applied', details: { requestId, status: 'applied', ...counts } },
        actor,
        batchId,
      );
    else
      await settle(
        req,
        [running],
        'reverted',
        { ...done, revertedAt: now(), closedAt: now() },
        { action: 'request.reverted', details: { requestId, status: 'reverted', ...counts } },
        actor,
        batchId,
      );
  }

  deps.jobs.register<RequestJobPlan, Record<string, unknown>>(REQUEST_APPLY_JOB, {
    noun: 'change request apply',
    resumable: false,
    run,
    restartNote: 'Carried on after a restart: rows already written were checked in Genesys Cloud, not written again.',
  });
  deps.jobs.register<RequestJobPlan, Record<string, unknown>>(REQUEST_REVERT_JOB, {
    noun: 'change request revert',
    resumable: false,
    run,
    restartNote: 'Carried on after a restart: rows already reverted were checked in Genesys Cloud, not written again.',
  });

  /** Requests found applying/reverting with no job at the previous pass (see recoverStranded). */
  let suspects = new Set<string>();

  return {
    hold,

    /**
     * Holds requests left applying or reverting with no job to finish them: a job the runner could not run
     * (its owner was disabled across a restart, say) ends without its handler, so nothing else would. Found
     * at two passes in a row, not one: between a claim and its job's creation a request has no job yet.
     */
    async recoverStranded(): Promise<number> {
      const busy = await deps.repo.list({ statuses: ['applying', 'reverting'], take: 100 });
      const live = new Set(
        [
          ...(await deps.jobs.unfinishedPlans<RequestJobPlan>(REQUEST_APPLY_JOB)),
          ...(await deps.jobs.unfinishedPlans<RequestJobPlan>(REQUEST_REVERT_JOB)),
        ].map((p) => p.requestId),
      );
      const stranded = busy.filter((r) => !live.has(r.id));
      let held = 0;
      for (const r of stranded.filter((r) => suspects.has(r.id))) {
        const phase: HeldPhase = r.status === 'applying' ? 'apply' : 'revert';
        const reason = `The ${phase} stopped before it finished (its job is no longer running); confirm to carry it on: nothing is written twice.`;
        if (await hold(r, [r.status], phase, reason, null)) held++;
      }
      suspects = new Set(stranded.map((r) => r.id));
      return held;
    },

    /**
     * Starts the job of `phase` for a request its caller has just claimed (status applying / reverting): makes
     * the phase's batch id once and stores it before anything is written, then the job, then records the job
     * on the request. An author who can no longer sign in cannot own the job: the request is held instead.
     */
    async start(requestId: string, phase: HeldPhase): Promise<JobView | null> {
      const req = await deps.repo.get(requestId);
      if (!req) throw new NotFoundError('That change request does not exist.');
      const running = RUNNING_STATUS[phase];
      if (req.status !== running)
        throw new ConflictError(`This change request is ${req.status.replace('_', ' ')}, not ${running}.`);
      // A playbook's content is published, never written: whatever path reached here writes nothing.
      if (req.purpose !== 'change')
        throw new ConflictError('This change request is a playbook’s content: it is published, never written.');
      const field = phase === 'apply' ? 'batchId' : 'revertBatchId';
      let batchId = req[field];
      if (!batchId) {
        batchId = randomUUID();
        await deps.repo.update(requestId, { [field]: batchId });
      }
      const author = await actorOf(req.authorId);
      if (!author) {
        await hold(req, [running], phase, `${req.authorName}, who requested it, can no longer sign in.`, null);
        return null;
      }
      const job = await deps.jobs.submit<RequestJobPlan>(
        author,
        phase === 'apply' ? REQUEST_APPLY_JOB : REQUEST_REVERT_JOB,
        { requestId, phase },
        { orgId: req.orgId, batchId, total: req.rows.filter((r) => ROWS_OF[phase].includes(r.state)).length },
      );
      await deps.repo.update(requestId, { jobId: job.id });
      return job;
    },
  };
}

export type RequestApplier = ReturnType<typeof createRequestApplier>;
