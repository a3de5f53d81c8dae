// Restoring a backup into the current org: validate everything first (nothing is written while any
// problem remains), show the plan per table (add / update with the changed fields / delete only when the
// user asks for "exactly like the backup" / unchanged), then apply in the background: an automatic
// pre-restore backup first, then only the rows that differ, through the permission-checked row path, as one
// audit batch that can be undone as a unit.
import { randomUUID } from 'node:crypto';
import type { DataTable, Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { CurrentUser } from '../../lib/current-user.js';
import { NotFoundError } from '../../lib/errors.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgView } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import type { BackupDocument } from './backup-format.js';
import type { BackupService } from './backup-service.js';
import { BackupInvalidError, checkTable, parseBackup, type Problem } from './backup-validation.js';

export interface TablePlan {
  name: string;
  target: DataTable;
  add: Row[];
  update: { key: string; changed: string[]; values: Row }[];
  remove: string[];
  unchanged: number;
}

export interface RestoreJob {
  id: string;
  userId: number;
  status: 'running' | 'finished' | 'failed';
  total: number;
  done: number;
  failures: { table: string; key: string; message: string }[];
  batchId: string;
  preRestoreBackupId?: string;
  error?: string;
}

export function createRestoreService(deps: { tables: TableService; backups: BackupService; audit: AuditService; clock: Clock }) {
  const jobs = new Map<string, RestoreJob>();

  async function plan(user: CurrentUser, org: OrgView, doc: BackupDocument, exact: boolean): Promise<{ plans: TablePlan[]; problems: Problem[] }> {
    const visible = new Map((await deps.tables.listTables(user, org)).map((t) => [t.table.name, t]));
    const plans: TablePlan[] = [];
    const problems: Problem[] = [];
    for (const source of doc.tables) {
      const found = visible.get(source.name);
      if (!found) {
        problems.push({ table: source.name, message: `There is no table named “${source.name}” in ${org.name} that you can see. Create it in Genesys Cloud first.` });
        continue;
      }
      const checked = checkTable(source, found.table);
      problems.push(...checked.problems);
      if (checked.problems.length) continue;
      const { access } = found;
      const current = new Map((await deps.tables.rows(user, org, found.table.id, { refresh: true })).rows.map((r) => [String(r.key), r]));
      const columns = Object.keys(source.schema.properties).filter((c) => c !== 'key');
      const p: TablePlan = { name: source.name, target: found.table, add: [], update: [], remove: [], unchanged: 0 };
      for (const [key, row] of checked.rows) {
        const now = current.get(key);
        if (!now) p.add.push(row);
        else {
          const changed = columns.filter((c) => c in row && row[c] !== now[c]);
          if (changed.length) p.update.push({ key, changed, values: Object.fromEntries(changed.map((c) => [c, row[c]!])) });
          else p.unchanged++;
        }
      }
      if (exact) for (const key of current.keys()) if (!checked.rows.has(key)) p.remove.push(key);
      // The rights the plan needs, per table and per column.
      const need = (ok: boolean, what: string) => ok || problems.push({ table: source.name, message: `Restoring needs the ${what} right on this table.` });
      if (access.readOnlyReason && (p.add.length || p.update.length || p.remove.length)) problems.push({ table: source.name, message: access.readOnlyReason });
      if (p.add.length) need(access.canAdd, 'add');
      if (p.update.length) need(access.canEdit, 'edit');
      if (p.remove.length) need(access.canDelete, 'delete');
      const touched = new Set([...p.update.flatMap((u) => u.changed), ...(p.add.length ? columns.concat('key') : [])]);
      for (const c of touched) if (access.columns[c] !== 'write') problems.push({ table: source.name, field: c, message: `Restoring changes “${c}”, which you may not write.` });
      plans.push(p);
    }
    return { plans, problems };
  }

  return {
    async preview(user: CurrentUser, org: OrgView, backupId: string, exact: boolean) {
      const { record, text } = await deps.backups.load(user, backupId);
      const doc = parseBackup(text);
      return { record, doc, ...(await plan(user, org, doc, exact)) };
    },

    async start(user: CurrentUser, org: OrgView, backupId: string, exact: boolean, actor: Actor): Promise<RestoreJob> {
      const { record, plans, problems } = await this.preview(user, org, backupId, exact);
      if (problems.length) throw new BackupInvalidError(problems);
      const job: RestoreJob = { id: randomUUID(), userId: user.id, status: 'running', total: plans.reduce((n, p) => n + p.add.length + p.update.length + p.remove.length, 0), done: 0, failures: [], batchId: randomUUID() };
      jobs.set(job.id, job);
      const reason = `Restore of the backup of ${record.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      const extra = { restoredFrom: backupId };
      void (async () => {
        try {
          job.preRestoreBackupId = await deps.backups.backupNow(user, org, plans.map((p) => p.target.id), actor, 'pre-restore');
          for (const p of plans) {
            const ops: [string, Parameters<TableService['revert']>[4]][] = [
              ...p.add.map((row): [string, Parameters<TableService['revert']>[4]] => [String(row.key), { kind: 'create', row }]),
              ...p.update.map((u): [string, Parameters<TableService['revert']>[4]] => [u.key, { kind: 'update', values: u.values, expected: {} }]),
              ...p.remove.map((key): [string, Parameters<TableService['revert']>[4]] => [key, { kind: 'delete', expected: {} }]),
            ];
            for (const [key, op] of ops) {
              try {
                await deps.tables.revert(user, org, p.target.id, key, op, actor, { reverts: 0, force: true, batchId: job.batchId, reason, extra });
              } catch (err) {
                job.failures.push({ table: p.name, key, message: (err as Error).message });
              }
              job.done++;
            }
          }
          await deps.audit.record({ action: 'backup.restored', orgId: org.id, batchId: job.batchId, details: { backupId, exact, changes: job.total, failures: job.failures.length, preRestoreBackupId: job.preRestoreBackupId } }, actor);
          job.status = 'finished';
        } catch (err) {
          job.status = 'failed';
          job.error = (err as Error).message;
        }
      })();
      return job;
    },

    job(jobId: string, userId: number): RestoreJob {
      const job = jobs.get(jobId);
      if (!job || job.userId !== userId) throw new NotFoundError('That restore does not exist.');
      return job;
    },
  };
}

export type RestoreService = ReturnType<typeof createRestoreService>;
