// Restoring a backup into the current org: validate everything first (nothing is written while any
// problem remains), show the plan (restore-plan.ts), then apply it as a background job: an automatic
// pre-restore backup first, then only the rows that differ, as one ChangeSet per table for the change engine
// (rights, locks, write-ahead audit; one CSV import job when that takes fewer calls), as one audit batch that
// can be undone as a unit. The job and its plan are stored, and `done` counts the changes finished in plan
// order, so a restore stopped by a restart resumes where it was: its changes have ids that follow from the
// plan, so the engine settles the ones it had sent from Genesys and skips rows that already hold what they
// would get — nothing is written twice and nothing is skipped.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import { GenesysUnavailableError } from '../../genesys/errors.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { CurrentUser } from '../../lib/current-user.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { AuditService } from '../audit/audit-service.js';
import type { ChangeEngine } from '../changes/change-engine.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import { FOREIGN_FOR_USERS, type BackupService } from './backup-service.js';
import { BackupInvalidError } from './backup-validation.js';
import { changesOf, operationCount, planRestore, type RestoreOptions, type TablePlan } from './restore-plan.js';

/** Said when an administrator asks to restore a foreign file without confirming the warning. */
export const FOREIGN_CONFIRMATION = 'This file was not sealed by this server: confirm that you know where it comes from and trust its content (the box under the plan), then restore.';

export interface RestoreJobView {
  id: string;
  status: 'running' | 'finished' | 'failed';
  total: number;
  done: number;
  failures: { table: string; key: string; message: string }[];
  /** How the restore went about it where that differs from the plan, e.g. an import that fell back to row writes. */
  notes: string[];
  batchId: string;
  preRestoreBackupId: string | null;
  error: string | null;
}

interface UserLookup {
  findById(id: number): Promise<(CurrentUser & { disabled: boolean }) | null>;
}

export function createRestoreService(deps: {
  db: Db;
  tables: TableService;
  engine: ChangeEngine;
  backups: BackupService;
  audit: AuditService;
  orgs: OrgService;
  users: UserLookup;
  clock: Clock;
  logger: Logger;
  writeMethod: 'auto' | 'rows';
}) {
  const active = new Set<string>();

  const toView = (j: { id: string; status: string; total: number; done: number; failures: string; notes: string; batchId: string; preRestoreBackupId: string | null; error: string | null }): RestoreJobView => ({
    ...j,
    status: j.status as RestoreJobView['status'],
    failures: JSON.parse(j.failures) as RestoreJobView['failures'],
    notes: JSON.parse(j.notes) as string[],
  });

  /**
   * The plan for restoring a kept backup. A file this server did not seal ('foreign') is planned only for an
   * administrator (who sees every column anyway); anyone else gets the reason and no plan at all.
   */
  async function preview(user: CurrentUser, org: OrgView, backupId: string, opts: RestoreOptions) {
    const { record, doc, origin } = await deps.backups.load(user, backupId);
    const foreign = origin === 'foreign';
    if (foreign && user.role !== 'ADMIN') return { record, doc, foreign, plans: [], problems: [{ message: FOREIGN_FOR_USERS }] };
    return { record, doc, foreign, ...(await planRestore({ tables: deps.tables }, user, org, doc, { ...opts, rowsOnly: deps.writeMethod === 'rows' })) };
  }

  /** Applies a stored job from where it stopped. Runs in the background; never throws. */
  async function run(jobId: string): Promise<void> {
    if (active.has(jobId)) return;
    active.add(jobId);
    try {
      await apply(jobId);
    } catch (err) {
      // Only the database itself failing gets here; the job stays 'running' and resumes at the next start.
      deps.logger.error('restore could not be run', { event: 'restore.error', jobId, reason: (err as Error).message });
    } finally {
      active.delete(jobId);
    }
  }

  async function apply(jobId: string): Promise<void> {
    const job = await deps.db.restoreJob.findUniqueOrThrow({ where: { id: jobId } });
    const plans = JSON.parse(job.plan) as TablePlan[];
    const actor = JSON.parse(job.actor) as Actor;
    const failures = JSON.parse(job.failures) as RestoreJobView['failures'];
    const notes = JSON.parse(job.notes) as string[];
    let done = job.done;
    const save = (data: Record<string, unknown> = {}) => deps.db.restoreJob.update({ where: { id: jobId }, data: { done, failures: JSON.stringify(failures), notes: JSON.stringify(notes), ...data } });
    try {
      const found = await deps.users.findById(job.userId);
      if (!found || found.disabled) throw new Error('The person who started this restore can no longer sign in, so it was stopped.');
      const user: CurrentUser = { id: found.id, email: found.email, displayName: found.displayName, role: found.role, mustChangePassword: found.mustChangePassword };
      const org = await deps.orgs.get(job.orgId);
      const backup = await deps.db.backup.findUnique({ where: { id: job.backupId }, select: { createdAt: true } });
      const reason = backup ? `Restore of the backup of ${backup.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : `Restore of backup ${job.backupId}`;
      const extra = { restoredFrom: job.backupId };
      // '' = nothing to back up (every table is new); null = not made yet.
      let preRestoreBackupId = job.preRestoreBackupId;
      if (preRestoreBackupId === null) {
        const existing = plans.filter((p) => !p.create && p.tableId).map((p) => p.tableId!);
        // The rows the plan read when the restore was asked for are the state it is about to change: not read twice.
        preRestoreBackupId = existing.length ? await deps.backups.backupNow(user, org, existing, actor, 'pre-restore', { rowsLoadedSince: job.createdAt.getTime() }) : '';
        await save({ preRestoreBackupId });
      }
      let start = 0; // index of this table's first operation in the whole plan
      for (const p of plans) {
        const count = operationCount(p);
        if (start + count <= done && !(p.create && !p.tableId)) {
          start += count;
          continue;
        }
        if (!p.tableId) {
          // Created before a restart? Then use it; else create it now.
          const again = (await deps.tables.listTables(user, org, { refresh: true })).find((t) => t.table.name === p.name);
          p.tableId = again ? again.table.id : (await deps.tables.createTable(user, org, { name: p.name, ...p.create! }, actor)).id;
          await save({ plan: JSON.stringify(plans) });
        }
        const changes = changesOf(p, job.batchId).map((c) => ({ ...c, reason, details: extra }));
        const { results, notes: how } = await deps.engine.apply(
          { user, org, actor, batchId: job.batchId, reason, doing: 'Restoring this row', changes },
          {
            method: p.method,
            throwWhenUnavailable: true,
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
          if (r.status === 'gone' && kind === 'update') failures.push({ table: p.name, key, message: 'The row was deleted in Genesys Cloud after the plan was made.' });
          else if (r.status === 'failed' || r.status === 'unknown') failures.push({ table: p.name, key, message: r.error.message });
        });
        done = Math.max(done, start + count);
        await save();
        start += count;
      }
      await deps.audit.record({ action: 'backup.restored', orgId: org.id, batchId: job.batchId, details: { backupId: job.backupId, exact: job.exact, changes: job.total, failures: failures.length, preRestoreBackupId: preRestoreBackupId || null, ...(notes.length ? { notes } : {}) } }, actor);
      await save({ status: 'finished', finishedAt: new Date(deps.clock.now()) });
    } catch (err) {
      const message = err instanceof GenesysUnavailableError ? `${err.message} The restore stopped after ${done} of ${job.total} change(s); resume it when Genesys Cloud is reachable.` : (err as Error).message;
      deps.logger.warn('restore stopped', { event: 'restore.failed', jobId, reason: message });
      await save({ status: 'failed', error: message });
    }
  }

  return {
    preview,

    async start(user: CurrentUser, org: OrgView, backupId: string, opts: RestoreOptions, actor: Actor): Promise<RestoreJobView> {
      const askedAt = deps.clock.now(); // the plan's reads are made from here on
      const { plans, problems, foreign } = await preview(user, org, backupId, opts);
      if (problems.length) throw new BackupInvalidError(problems);
      if (foreign && !opts.acceptForeign) throw new BackupInvalidError([{ message: FOREIGN_CONFIRMATION }]);
      const job = await deps.db.restoreJob.create({
        data: {
          id: randomUUID(),
          userId: user.id,
          orgId: org.id,
          backupId,
          exact: opts.exact,
          batchId: randomUUID(),
          total: plans.reduce((n, p) => n + operationCount(p), 0),
          plan: JSON.stringify(plans),
          actor: JSON.stringify(actor),
          createdAt: new Date(askedAt),
        },
      });
      void run(job.id);
      return toView(job);
    },

    /** A stopped (failed) restore of this user's, started again from where it stopped. */
    async resume(jobId: string, user: CurrentUser): Promise<void> {
      const job = await this.job(jobId, user);
      if (job.status !== 'failed' || active.has(jobId)) throw new ConflictError('Only a stopped restore can be resumed.');
      await deps.db.restoreJob.update({ where: { id: jobId }, data: { status: 'running', error: null } });
      void run(jobId);
    },

    /** At start-up: restores that were running when the process stopped carry on. */
    async resumeInterrupted(): Promise<number> {
      const running = await deps.db.restoreJob.findMany({ where: { status: 'running' }, select: { id: true } });
      for (const j of running) {
        deps.logger.info('resuming a restore stopped by a restart', { event: 'restore.resumed', jobId: j.id });
        void run(j.id);
      }
      return running.length;
    },

    async job(jobId: string, user: CurrentUser): Promise<RestoreJobView> {
      const job = await deps.db.restoreJob.findUnique({ where: { id: jobId } });
      if (!job || (job.userId !== user.id && user.role !== 'ADMIN')) throw new NotFoundError('That restore does not exist.');
      return toView(job);
    },

    /** The newest restores this user may see (admins: everyone's), for the Backups page. */
    async recent(user: CurrentUser, take = 10) {
      const jobs = await deps.db.restoreJob.findMany({ where: user.role === 'ADMIN' ? {} : { userId: user.id }, orderBy: { createdAt: 'desc' }, take, omit: { plan: true } });
      return jobs.map((j) => ({ id: j.id, status: j.status as RestoreJobView['status'], total: j.total, done: j.done, createdAt: j.createdAt, failures: (JSON.parse(j.failures) as unknown[]).length }));
    },
  };
}

export type RestoreService = ReturnType<typeof createRestoreService>;
