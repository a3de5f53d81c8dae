// Retention (AUDIT_RETENTION_DAYS; default 0 = keep forever). Pruning deletes the oldest entries and
// publishes the prune point (last deleted seq and its hash) in the same transaction, so the chain stays
// verifiable from there; the pruning itself is an audit entry, written before it, that verify requires.
import type { Db } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditService } from './audit-service.js';

export const PRUNED_SEQ_KEY = 'audit.prunedThroughSeq';
export const PRUNED_HASH_KEY = 'audit.prunedThroughHash';

export async function prunePoint(db: Db): Promise<{ seq: number; hash: string } | null> {
  const [seq, hash] = await Promise.all([db.appSetting.findUnique({ where: { key: PRUNED_SEQ_KEY } }), db.appSetting.findUnique({ where: { key: PRUNED_HASH_KEY } })]);
  return seq && hash ? { seq: Number(seq.value), hash: hash.value } : null;
}

export function createAuditRetention(deps: { db: Db; audit: AuditService; clock: Clock; retentionDays: number }) {
  return {
    /** Deletes entries older than the retention period; returns how many. */
    async prune(): Promise<number> {
      if (deps.retentionDays <= 0) return 0;
      const cutoff = new Date(deps.clock.now() - deps.retentionDays * 86_400_000);
      const last = await deps.db.auditEvent.findFirst({ where: { at: { lt: cutoff } }, orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
      if (!last) return 0;
      // The audit.pruned entry is written first: verify accepts a prune point only with the (keyed) entry that
      // records it, so a stop between the two must leave an entry without a prune, never a prune without one.
      const deleting = await deps.db.auditEvent.count({ where: { seq: { lte: last.seq } } });
      await deps.audit.record({ action: 'audit.pruned', details: { throughSeq: last.seq, throughHash: last.hash, deleted: deleting, olderThan: cutoff.toISOString(), retentionDays: deps.retentionDays } }, null);
      return deps.db.$transaction(async (tx) => {
        for (const [key, value] of [[PRUNED_SEQ_KEY, String(last.seq)], [PRUNED_HASH_KEY, last.hash]] as const) {
          await tx.appSetting.upsert({ where: { key }, create: { key, value }, update: { value } });
        }
        return (await tx.auditEvent.deleteMany({ where: { seq: { lte: last.seq } } })).count;
      });
    },
  };
}
