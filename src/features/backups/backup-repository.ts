// The one place that reads and writes Backup records (the files themselves are the backup service's).
import type { Db } from '../../db/database.js';
import type { Backup, Prisma } from '../../db/generated/client.js';

export type { Backup };

export function createBackupRepository(db: Db) {
  return {
    find: (id: string) => db.backup.findUnique({ where: { id } }),
    create: (data: Prisma.BackupUncheckedCreateInput) => db.backup.create({ data }),
    delete: (id: string) => db.backup.delete({ where: { id } }),

    /** Newest first, at most 200: one owner's (`ownerId`), or everyone's when undefined. */
    list: (ownerId: number | undefined) =>
      db.backup.findMany({ where: { createdById: ownerId }, orderBy: { createdAt: 'desc' }, take: 200 }),

    /** How many uploaded backups a person keeps and their total size. */
    async uploadsOf(userId: number): Promise<{ count: number; bytes: number }> {
      const mine = await db.backup.aggregate({
        where: { createdById: userId, kind: 'uploaded' },
        _count: { _all: true },
        _sum: { sizeBytes: true },
      });
      return { count: mine._count._all, bytes: mine._sum.sizeBytes ?? 0 };
    },

    /** An org's scheduled backups, newest first, after the first `skip` (the ones past what is kept). */
    scheduledBeyond: (orgId: string, skip: number) =>
      db.backup.findMany({ where: { orgId, kind: 'scheduled' }, orderBy: { createdAt: 'desc' }, skip }),

    latestScheduled: (orgId: string) =>
      db.backup.findFirst({ where: { orgId, kind: 'scheduled' }, orderBy: { createdAt: 'desc' } }),
  };
}

export type BackupRepository = ReturnType<typeof createBackupRepository>;
