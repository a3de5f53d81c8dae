// Scheduled backups: orgs set to "daily" get a full backup (every table, every column) when their newest
// scheduled backup is a day old, and only the newest `backupKeep` scheduled backups are kept. Manual and
// pre-restore backups are never pruned here. Runs from a timer in server.ts; `run()` is the whole pass, so
// tests drive it directly with a fake clock.
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgService } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import type { BackupRepository } from './backup-repository.js';
import type { BackupService } from './backup-service.js';

const DAY_MS = 86_400_000;
// Reads as an administrator (all tables, all columns); id 0 is recorded as "no person" (createdById null).
const SCHEDULER_ACTOR: Actor = { userId: 0, name: 'Scheduled backup', role: 'ADMIN' };

export interface SchedulerResult {
  created: { orgName: string; backupId: string }[];
  failed: { orgName: string; reason: string }[];
  pruned: number;
}

export function createBackupScheduler(deps: {
  repo: BackupRepository;
  orgs: OrgService;
  tables: TableService;
  backups: BackupService;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
}) {
  /** The pass in progress: a tick or a save that comes while one runs joins it instead of overlapping it. */
  let current: Promise<SchedulerResult> | null = null;

  async function pruneOld(orgId: string, keep: number): Promise<number> {
    const old = await deps.repo.scheduledBeyond(orgId, keep);
    for (const b of old) {
      await deps.backups.remove(b.id);
      await deps.audit.record(
        { action: 'backup.pruned', orgId, details: { backupId: b.id, createdAt: b.createdAt.toISOString(), keep } },
        null,
      );
    }
    return old.length;
  }

  /** One pass over every daily org; never throws (an org that fails is reported and retried next pass). */
  async function pass(): Promise<SchedulerResult> {
    const result: SchedulerResult = { created: [], failed: [], pruned: 0 };
    for (const org of await deps.orgs.list()) {
      if (org.backupSchedule !== 'daily') continue;
      const last = await deps.repo.latestScheduled(org.id);
      if (last && deps.clock.now() - last.createdAt.getTime() < DAY_MS) continue;
      try {
        const tableIds = (await deps.tables.listTables(SCHEDULER_ACTOR, org)).map((t) => t.table.id);
        const backupId = await deps.backups.backupNow(SCHEDULER_ACTOR, org, tableIds, 'scheduled');
        result.created.push({ orgName: org.name, backupId });
        deps.logger.info('scheduled backup made', {
          event: 'backup.scheduled',
          orgId: org.id,
          backupId,
          tables: tableIds.length,
        });
        result.pruned += await pruneOld(org.id, org.backupKeep);
      } catch (err) {
        const reason = (err as Error).message;
        result.failed.push({ orgName: org.name, reason });
        deps.logger.warn('scheduled backup failed', { event: 'backup.scheduled_error', orgId: org.id, reason });
        await deps.audit.record(
          { action: 'backup.failed', orgId: org.id, details: { kind: 'scheduled', reason: reason.slice(0, 500) } },
          null,
        );
      }
    }
    return result;
  }

  return {
    /** Runs a pass now, or joins the one already running. */
    run(): Promise<SchedulerResult> {
      current ??= pass().finally(() => (current = null));
      return current;
    },
  };
}

export type BackupScheduler = ReturnType<typeof createBackupScheduler>;
