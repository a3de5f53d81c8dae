// Restoring a backup into the current org: validate everything first (nothing is written while any
// problem remains), show the plan (restore-plan.ts), then apply it as a background job: an automatic
// pre-restore backup first, then only the rows that differ, as one ChangeSet per table for the change engine
// (rights, locks, write-ahead audit; one CSV import job when that takes fewer calls), as one audit batch that
// can be undone as a unit. The job and its plan are stored, and `done` counts the changes finished in plan
// order, so a restore stopped by a restart resumes where it was: its changes have ids that follow from the
// plan, so the engine settles the ones it had sent from Genesys and skips rows that already hold what they
// would get — nothing is written twice and nothing is skipped.
import { randomUUID } from 'node:crypto';
import { GenesysUnavailableError } from '../../genesys/errors.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditService } from '../audit/audit-service.js';
import type { ChangeEngine } from '../changes/change-engine.js';
import type { RowChange } from '../changes/row-change.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import type { JobRunner } from '../../jobs/job-runner.js';
import type { JobContext, JobFailure, JobStatus, JobView } from '../../jobs/job-types.js';
import type { TableService } from '../tables/table-service.js';
import type { BackupRepository } from './backup-repository.js';
import { FOREIGN_FOR_USERS, type BackupService } from './backup-service.js';
import { BackupInvalidError } from './backup-validation.js';
import { changesOf, operationCount, planRestore, type RestoreOptions, type TablePlan } from './restore-plan.js';
import { mayRestoreForeign } from '../permissions/policy.js';

/** Said when an administrator asks to restore a foreign file without confirming the warning. */
export const FOREIGN_CONFIRMATION =
  'This file was not sealed by this server: confirm that you know where it comes from and trust its content (the box under the plan), then restore.';

/** What a restore job stores as its plan: the backup, how to restore it, and the per-table plan. */
export interface RestorePlan {
  backupId: string;
  exact: boolean;
  tables: TablePlan[];
}

/** What it stores as its result: '' = nothing to back up first (every table is new); null = not made yet. */
export interface RestoreResult extends Record<string, unknown> {
  preRestoreBackupId: string | null;
}

export interface RestoreJobView {
  id: string;
  status: JobStatus;
  total: number;
  done: number;
  failures: JobFailure[];
  /** How the restore went about it where that differs from the plan, e.g. an import that fell back to row writes. */
  notes: string[];
  batchId: string;
  preRestoreBackupId: string | null;
  error: string | null;
}

export const RESTORE_JOB = 'restore';

export function createRestoreService(deps: {
  backupRecords: BackupRepository;
  tables: TableService;
  engine: ChangeEngine;
  backups: BackupService;
  audit: AuditService;
  orgs: OrgService;
  jobs: JobRunner;
  clock: Clock;
  writeMethod: 'auto' | 'rows';
}) {
  const toView = (j: JobView): RestoreJobView => {
    const { id, status, total, done, failures, notes, error } = j;
    return {
      id,
      status,
      total,
      done,
      failures,
      notes,
      error,
      batchId: j.batchId ?? '',
      preRestoreBackupId: (j.result as RestoreResult).preRestoreBackupId ?? null,
    };
  };

  /**
   * The plan for restoring a kept backup. A file this server did not seal ('foreign') is planned only for an
   * administrator (who sees every column anyway); anyone else gets the reason and no plan at all.
   */
  async function preview(actor: Actor, org: OrgView, backupId: string, opts: RestoreOptions) {
    const { record, doc, origin } = await deps.backups.load(actor, backupId);
    const foreign = origin === 'foreign';
    if (foreign && !mayRestoreForeign(actor))
      return { record, doc, foreign, plans: [], problems: [{ message: FOREIGN_FOR_USERS }] };
    return {
      record,
      doc,
      foreign,
      ...(await planRestore({ tables: deps.tables }, actor, org, doc, {
        ...opts,
        rowsOnly: deps.writeMethod === 'rows',
      })),
    };
  }

  /** Applies a stored restore from where it stopped (the job runner's handler for 'restore'). */
  async function apply(job: JobContext<RestorePlan, RestoreResult>): Promise<void> {
    const { actor, failures, notes } = job;
    const plans = job.plan.tables;
    const batchId = job.batchId!;
    let done = job.done;
    const save = (result?: Partial<RestoreResult>) => job.progress({ done, result });
    try {
      const org = await deps.orgs.get(job.orgId!);
      const backup = await deps.backupRecords.find(job.plan.backupId);
      const reason = backup
        ? `Restore of the backup of ${backup.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`
        : `Restore of backup ${job.plan.backupId}`;
      const extra = { restoredFrom: job.plan.backupId };
      // '' = nothing to back up (every table is new); null/absent = not made yet.
      let preRestoreBackupId = job.result.preRestoreBackupId ?? null;
      if (preRestoreBackupId === null) {
        const existing = plans.filter((p) => !p.create && p.tableId).map((p) => p.tableId!);
        // The rows the plan read when the restore was asked for are the state it is about to change: not read twice.
        preRestoreBackupId = existing.length
          ? await deps.backups.backupNow(actor, org, existing, 'pre-restore', {
              rowsLoadedSince: job.createdAt.getTime(),
            })
          : '';
        await save({ preRestoreBackupId });
      }
      let start = 0; // index of this table's first operation in the whole plan
      for (const p of plans) {
        const count = operationCount(p);
        if (start + count <= done && !(p.create && !p.tableId)) {
          start += count;
          continue;
        }
        job.stopIfAsked();
        if (!p.tableId) {
          // Created before a restart? Then use it; else create it now.
          const again = (await deps.tables.listTables(actor, org, { refresh: true })).find(
            (t) => t.table.name === p.name,
          );
          p.tableId = again
            ? again.table.id
            : (await deps.tables.createTable(actor, org, { name: p.name, ...p.create! })).id;
          await job.savePlan();
        }
        const changes = changesOf(p, batchId).map((c) => ({ ...c, reason, details: extra }));
        const { results, notes: how } = await deps.engine.apply(
          { actor, org, batchId, reason, doing: 'Restoring this row', changes },
          {
            method: p.method,
            throwWhenUnavailable: true,
            shouldStop: () => job.shouldStop(),
            onProgress: async (n) => {
              done = Math.max(done, start + n);
              await save();
            },
          },
        );
        // A refused upload imported nothing: the table's rows went through single-row writes, and the report says so.
        notes.push(...how.map((note) => `${p.name}: ${note}`));
        results.forEach((r, i) => {
          const { key, kind } = changes[i]!;
          // A row that failed before a stop is tried again when the restore resumes: only its last failure counts.
          const earlier = failures.findIndex((f) => f.table === p.name && f.key === key);
          if (earlier >= 0) failures.splice(earlier, 1);
          if (r.status === 'gone' && kind === 'update')
            failures.push({
              table: p.name,
              key,
              message: 'The row was deleted in Genesys Cloud after the plan was made.',
            });
          else if (r.status === 'failed' || r.status === 'unknown')
            failures.push({ table: p.name, key, message: r.error.message });
        });
        // Stopped inside this table (a cancel, or the app stopping): it resumes with the changes not yet done.
        job.stopIfAsked();
        done = Math.max(done, start + count);
        await save();
        start += count;
      }
      await deps.audit.record(
        {
          action: 'backup.restored',
          orgId: org.id,
          batchId,
          details: {
            backupId: job.plan.backupId,
            exact: job.plan.exact,
            changes: job.total,
            failures: failures.length,
            preRestoreBackupId: preRestoreBackupId || null,
            ...(notes.length ? { notes } : {}),
          },
        },
        actor,
      );
    } catch (err) {
      if (err instanceof GenesysUnavailableError)
        throw new Error(
          `${err.message} The restore stopped after ${done} of ${job.total} change(s); resume it when Genesys Cloud is reachable.`,
          { cause: err },
        );
      throw err;
    }
  }

  deps.jobs.register<RestorePlan, RestoreResult>(RESTORE_JOB, { noun: 'restore', resumable: true, run: apply });

  return {
    preview,

    async start(actor: Actor, org: OrgView, backupId: string, opts: RestoreOptions): Promise<RestoreJobView> {
      const askedAt = deps.clock.now(); // the plan's reads are made from here on
      const { plans, problems, foreign } = await preview(actor, org, backupId, opts);
      if (problems.length) throw new BackupInvalidError(problems);
      if (foreign && !opts.acceptForeign) throw new BackupInvalidError([{ message: FOREIGN_CONFIRMATION }]);
      const plan: RestorePlan = { backupId, exact: opts.exact, tables: plans };
      const total = plans.reduce((n, p) => n + operationCount(p), 0);
      return toView(
        await deps.jobs.submit(actor, RESTORE_JOB, plan, {
          orgId: org.id,
          batchId: randomUUID(),
          total,
          createdAt: askedAt,
        }),
      );
    },

    /**
     * The restore as the row changes of a change request (issue 15), not a job: the plan the preview shows,
     * refused like a restore when it has problems, and when it would create a table (a request changes rows
     * of tables that exist; an administrator restores a missing table directly).
     */
    async requestChanges(actor: Actor, org: OrgView, backupId: string, opts: RestoreOptions): Promise<RowChange[]> {
      const { plans, problems, foreign } = await preview(actor, org, backupId, opts);
      if (problems.length) throw new BackupInvalidError(problems);
      if (foreign && !opts.acceptForeign) throw new BackupInvalidError([{ message: FOREIGN_CONFIRMATION }]);
      const creating = plans.filter((p) => p.create || !p.tableId).map((p) => `“${p.name}”`);
      if (creating.length)
        throw new BackupInvalidError([
          {
            message: `A change request changes rows of tables that exist; this restore would create ${creating.join(', ')}. Leave those tables out, or restore directly.`,
          },
        ]);
      const changes = plans.flatMap((p) => changesOf(p, randomUUID()));
      if (!changes.length)
        throw new BackupInvalidError([
          { message: 'The tables already hold what the backup holds: there is nothing to request.' },
        ]);
      return changes;
    },

    /** A stopped (failed or cancelled) restore, started again from where it stopped. */
    resume: (actor: Actor, jobId: string) => deps.jobs.resume(actor, jobId, RESTORE_JOB),

    async job(actor: Actor, jobId: string): Promise<RestoreJobView> {
      return toView(await deps.jobs.get(actor, jobId, RESTORE_JOB));
    },

    /** The newest restores this actor may see (admins: everyone's), for the Backups page. */
    async recent(actor: Actor, take = 10) {
      return (await deps.jobs.list(actor, { kind: RESTORE_JOB, take })).map((j) => ({
        id: j.id,
        status: j.status,
        total: j.total,
        done: j.done,
        createdAt: j.createdAt,
        failures: j.failures.length,
      }));
    },

    /** Whether a restore from this backup has not ended yet (the backup must not be deleted under it). */
    async restoring(backupId: string): Promise<boolean> {
      return (await deps.jobs.unfinishedPlans<RestorePlan>(RESTORE_JOB)).some((p) => p.backupId === backupId);
    },
  };
}

export type RestoreService = ReturnType<typeof createRestoreService>;
