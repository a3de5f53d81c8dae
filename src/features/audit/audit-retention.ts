// Retention (AUDIT_RETENTION_DAYS; default 0 = keep forever). Pruning deletes the oldest entries and
// publishes the prune point (last deleted seq and its hash) in the same transaction, so the chain stays
// verifiable from there; the pruning itself is an audit entry, written before it, that verify requires.
import type { Clock } from '../../lib/clock.js';
import type { AuditReaderRepository } from './audit-reader-repository.js';
import type { AuditRepository } from './audit-repository.js';
import type { AuditService } from './audit-service.js';

export { PRUNED_HASH_KEY, PRUNED_SEQ_KEY } from './audit-chain.js';

export function createAuditRetention(deps: {
  reader: AuditReaderRepository;
  writer: AuditRepository;
  audit: AuditService;
  clock: Clock;
  retentionDays: number;
}) {
  return {
    /** Deletes entries older than the retention period; returns how many. */
    async prune(): Promise<number> {
      if (deps.retentionDays <= 0) return 0;
      const cutoff = new Date(deps.clock.now() - deps.retentionDays * 86_400_000);
      const last = await deps.reader.lastBefore(cutoff);
      if (!last) return 0;
      // The audit.pruned entry is written first: verify accepts a prune point only with the (keyed) entry that
      // records it, so a stop between the two must leave an entry without a prune, never a prune without one.
      await deps.audit.record(
        {
          action: 'audit.pruned',
          details: {
            throughSeq: last.seq,
            throughHash: last.hash,
            deleted: last.through,
            olderThan: cutoff.toISOString(),
            retentionDays: deps.retentionDays,
          },
        },
        null,
      );
      return deps.writer.pruneThrough(last.seq, last.hash);
    },
  };
}
