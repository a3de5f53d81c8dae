// Replays the audit hash chain: every event's prevHash must be the previous event's hash, and its hash must
// match its content. Reports the first broken link. Reads in batches, so a million entries fit in memory.
import type { Db } from '../../db/database.js';
import { eventHash, GENESIS_HASH } from './audit-repository.js';
import { prunePoint } from './audit-retention.js';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string } | null;
  /** The first event whose link or content does not match, and why. */
  brokenAt?: { seq: number; reason: string };
}

const BATCH = 5000;

export async function verifyAuditChain(db: Db): Promise<VerifyResult> {
  // After retention pruning the chain continues from the published prune point.
  const pruned = await prunePoint(db);
  let prevHash = pruned?.hash ?? GENESIS_HASH;
  let prevSeq = pruned?.seq ?? 0;
  let checked = 0;
  for (;;) {
    const batch = await db.auditEvent.findMany({ where: { seq: { gt: prevSeq } }, orderBy: { seq: 'asc' }, take: BATCH });
    if (batch.length === 0) break;
    for (const e of batch) {
      if (e.prevHash !== prevHash) return { ok: false, checked, head: null, brokenAt: { seq: e.seq, reason: 'its link to the previous entry does not match (an entry before it was changed or removed)' } };
      const { hash, ...fields } = e;
      if (eventHash(fields) !== hash) return { ok: false, checked, head: null, brokenAt: { seq: e.seq, reason: 'its content does not match its hash (the entry was edited)' } };
      prevHash = hash;
      prevSeq = e.seq;
      checked++;
    }
  }
  return { ok: true, checked, head: checked ? { seq: prevSeq, hash: prevHash } : null };
}
