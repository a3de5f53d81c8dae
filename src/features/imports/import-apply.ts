// The job of kind `import` (src/jobs/, ADR 013): applies a checked import plan (an ImportDraft) to its table.
// First an automatic backup of the table ("before import <file>"), then the rows through the change engine as
// ONE ChangeSet under the job's batch id (undone later as one unit by the batch undo), with progress. With
// all-or-nothing, a row that fails stops the rest and the table is put back: the inverse of every change the
// audit log shows applied is written through the engine (undo-service's undoOf, under a batch of its own), and
// the report says why. The pre-import backup stays as the last resort if putting back meets a conflict
// (docs/adr/025-imports.md). Change ids follow from the batch id and the change's place in the plan, so a job
// carried on after a restart settles what it had sent and writes nothing twice.
import type { Actor } from '../../lib/actor.js';
import type { JobContext, JobHandler, JobView } from '../../jobs/job-types.js';
import type { AuditReaderRepository } from '../audit/audit-reader-repository.js';
import type { AuditService } from '../audit/audit-service.js';
import { ROW_CHANGE_ACTIONS } from '../audit/audit-events.js';
import type { ChangeOutcomes } from '../audit/change-outcomes.js';
import { undoOf } from '../audit/undo-change.js';
import { skipReason } from '../audit/undo-service.js';
import type { ChangeEngine } from '../changes/change-engine.js';
import type { Reconciler } from '../changes/reconciler.js';
import { derivedChangeId, type ChangeResult } from '../changes/row-change.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { changesOf, lineOf } from './import-changes.js';
import type { ImportRepository } from './import-repository.js';
import type { ImportMode } from './import-types.js';

export const IMPORT_JOB = 'import';

/** What an import job stores: the draft it applies (its plan is there) and what its pages name. */
export interface ImportJobPlan {
  draftId: string;
  tableId: string;
  tableName: string;
  fileName: string;
  mode: ImportMode;
  allOrNothing: boolean;
  adds: number;
  updates: number;
  deletes: number;
  /**
   * Single calls or one CSV import job, chosen when it was applied from the table's size then (as a restore
   * plan chooses): the engine's own choice needs a row count that a busy org may not answer in time.
   */
  method?: 'rows' | 'import';
}

export interface ImportJobResult extends Record<string, unknown> {
  /** The backup made before the first write ('' once made and none was needed; absent: not made yet). */
  backupId?: string;
  written?: number;
  failed?: number;
  /** All-or-nothing: putting the table back began (a resumed job goes on with that, not with the import). */
  rollingBack?: boolean;
  rolledBack?: boolean;
  /** Why the table was put back (the first row that failed, and its message). */
  reason?: string;
  /** Rows that could not be put back (then the pre-import backup is the way back). */
  notPutBack?: number;
  rollbackBatchId?: string;
}

/** Why a change was not written (null: it was, or it needed no write), as a batch undo words it. */
const problemOf = (r: ChangeResult): string | null => {
  const reason = skipReason(r);
  return reason && reason.charAt(0).toUpperCase() + reason.slice(1);
};

export interface ImportApplyDeps {
  orgs: OrgService;
  engine: ChangeEngine;
  backups: { backupNow(actor: Actor, org: OrgView, tableIds: string[], kind: string): Promise<string> };
  repo: ImportRepository;
  audit: AuditService;
  log: AuditReaderRepository;
  outcomes: ChangeOutcomes;
  reconciler: Reconciler;
}

export function importJobHandler(deps: ImportApplyDeps): JobHandler<ImportJobPlan, ImportJobResult> {
  const changeIdOf = (batchId: string) => (i: number) => derivedChangeId(batchId, 'import', i);

  /**
   * Writes the inverse of every change of the batch the audit log shows applied (answers lost are settled from
   * Genesys first), newest first, under a batch of its own. Returns how many could not be put back.
   */
  async function putBack(ctx: JobContext<ImportJobPlan, ImportJobResult>, org: OrgView, reason: string) {
    const batchId = ctx.batchId!;
    const rollbackBatchId = derivedChangeId(batchId, 'rollback');
    const intents = await deps.log.batchIntents(batchId, ROW_CHANGE_ACTIONS);
    const ids = intents.flatMap((e) => (e.changeId ? [e.changeId] : []));
    let known = await deps.outcomes.of(ids);
    const open = [...known].filter(([, o]) => o.state === 'unknown').map(([id]) => id);
    if (open.length) {
      await deps.reconciler.settleChanges(open);
      known = await deps.outcomes.of(ids);
    }
    const applied = intents.filter((e) => {
      const state = e.changeId ? known.get(e.changeId)?.state : undefined;
      return state === 'applied' || state === 'reconciled-applied';
    });
    const changes = applied.map((e) => ({
      ...undoOf(e, { id: derivedChangeId(rollbackBatchId, e.seq) }),
      reason: `All or nothing: putting the table back after the import of ${ctx.plan.fileName} (${reason})`,
    }));
    if (!changes.length) return { notPutBack: 0, rollbackBatchId };
    const { results } = await deps.engine.apply(
      { actor: ctx.actor, org, batchId: rollbackBatchId, reason: null, doing: 'Putting the table back', changes },
      { throwWhenUnavailable: true },
    );
    let notPutBack = 0;
    results.forEach((r, i) => {
      const problem = problemOf(r);
      if (problem) {
        notPutBack++;
        ctx.failures.push({ table: ctx.plan.tableName, key: changes[i]!.key, message: `Not put back: ${problem}` });
      }
    });
    return { notPutBack, rollbackBatchId };
  }

  async function run(ctx: JobContext<ImportJobPlan, ImportJobResult>): Promise<void> {
    const { plan, actor } = ctx;
    const batchId = ctx.batchId!;
    const org = await deps.orgs.get(ctx.orgId!);
    const draft = await deps.repo.findOwn(actor.userId, plan.draftId);
    if (!draft) throw new Error('The checked import this job applies is no longer kept.');
    const result: ImportJobResult = { ...ctx.result };

    if (result.backupId === undefined) {
      result.backupId = await deps.backups.backupNow(actor, org, [plan.tableId], `before import ${plan.fileName}`);
      await ctx.progress({ result });
    }
    ctx.stopIfAsked();

    const changes = changesOf(draft.plan, plan.tableId, changeIdOf(batchId));
    let firstProblem: string | null = null;
    if (!result.rollingBack) {
      // Carried on after a restart: the engine reports every row again (settled, not rewritten), so does the job.
      ctx.failures.length = 0;
      const failedAt: number[] = [];
      const { results, notes } = await deps.engine.apply(
        { actor, org, batchId, reason: `Import of ${plan.fileName}`, doing: 'This import', changes },
        {
          shouldStop: () => ctx.shouldStop(),
          stopAfterProblem: plan.allOrNothing,
          method: plan.method ?? 'auto',
          throwWhenUnavailable: true,
          onProgress: async (done) => ctx.progress({ done }),
        },
      );
      ctx.notes.push(...notes);
      let written = 0;
      results.forEach((r, i) => {
        const problem = problemOf(r);
        if (r.status === 'stopped' && !plan.allOrNothing) return; // a cancel: the report says where it stopped
        if (!problem) return void (r.status !== 'unchanged' && written++);
        if (r.status === 'stopped') return; // not reached after an all-or-nothing failure: not a row problem
        failedAt.push(i);
        const line = lineOf(draft.plan, i);
        ctx.failures.push({
          table: plan.tableName,
          key: changes[i]!.key,
          message: line === null ? problem : `line ${line}: ${problem}`,
        });
      });
      result.written = written;
      result.failed = failedAt.length;
      if (failedAt.length) {
        const i = failedAt[0]!;
        firstProblem = `the row ${changes[i]!.key} failed: ${problemOf(results[i]!)}`;
      }
      ctx.stopIfAsked();
      if (plan.allOrNothing && firstProblem) {
        result.rollingBack = true;
        result.reason = firstProblem;
        await ctx.progress({ result });
      }
    }

    if (result.rollingBack) {
      const { notPutBack, rollbackBatchId } = await putBack(ctx, org, result.reason ?? 'a row failed');
      Object.assign(result, { rolledBack: true, notPutBack, rollbackBatchId });
      ctx.notes.push(
        notPutBack
          ? `Nothing should have been imported, but ${notPutBack} row(s) could not be put back (they changed meanwhile): the backup made before the import holds the table as it was.`
          : `Nothing was imported: ${result.reason}. The rows written before it were put back, so the table is as it was before the import.`,
      );
    }
    await ctx.progress({ done: ctx.total, result });
    await deps.repo.settle(plan.draftId, { status: 'applied', jobId: ctx.id });
    await deps.audit.record(
      {
        action: 'import.applied',
        orgId: org.id,
        tableId: plan.tableId,
        batchId,
        details: {
          draftId: plan.draftId,
          table: plan.tableName,
          file: plan.fileName,
          mode: plan.mode,
          adds: plan.adds,
          updates: plan.updates,
          deletes: plan.deletes,
          jobId: ctx.id,
          written: result.written ?? 0,
          failed: result.failed ?? 0,
          allOrNothing: plan.allOrNothing,
          rolledBack: result.rolledBack ?? false,
          ...(result.reason ? { reason: result.reason } : {}),
          backupId: result.backupId || null,
        },
      },
      actor,
    );
  }

  /** What the job page shows beside progress: where to go back to, whether the import can be undone. */
  async function report(job: JobView<ImportJobPlan, ImportJobResult>) {
    const written = job.result.written ?? 0;
    return {
      tablePath: `/tables/${encodeURIComponent(job.plan.tableId)}`,
      written,
      failed: job.result.failed ?? 0,
      rolledBack: job.result.rolledBack ?? false,
      reason: job.result.reason ?? null,
      backupId: job.result.backupId || null,
      undoPath:
        written > 0 && !job.result.rolledBack && job.batchId ? `/audit/batch/${encodeURIComponent(job.batchId)}` : null,
    };
  }

  return {
    noun: 'import',
    resumable: true,
    restartNote:
      'The app restarted during this import; it carried on where it was (rows already written were not written again).',
    run,
    report,
  };
}
