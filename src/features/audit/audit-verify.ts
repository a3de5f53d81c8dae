// Replays the audit hash chain: every event's prevHash must be the previous event's hash, and its hash must
// match its content (legacy SHA-256 before the recorded switch point, HMAC under the audit key from it on).
// Then compares the result with the latest signed checkpoint, which shows entries removed from the end and a
// chain rewritten up to the checkpoint. Reports the first problem. Reads in batches (a million entries fit).
import type { AppConfig } from '../../config.js';
import { readSecretFile } from '../../lib/secret-files.js';
import { decodeKeyedFrom, GENESIS_HASH, KEYED_FROM_SETTING, keyedEventHash, legacyEventHash } from './audit-chain.js';
import { checkpointFilePath, readLatestCheckpoint, type Checkpoint } from './audit-checkpoints.js';
import type { AuditReaderRepository } from './audit-reader-repository.js';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string } | null;
  /** First entry hashed with the audit key; entries before it carry the legacy unkeyed hash. */
  keyedFromSeq: number | null;
  /** The latest signed checkpoint compared against, or null when none was found. */
  checkpoint: Pick<Checkpoint, 'seq' | 'at' | 'count'> | null;
  /** The first entry whose link or content does not match, or that is missing, and why. */
  brokenAt?: { seq: number; reason: string };
}

export interface VerifyOptions {
  key: Buffer;
  /** DATA_DIR/audit-checkpoints.jsonl (or a copy shipped elsewhere); without one, truncation goes unseen. */
  checkpointFile?: string;
}

const BATCH = 5000;

function recordsPrune(details: string | null, pruned: { seq: number; hash: string }): boolean {
  try {
    const d = JSON.parse(details ?? 'null') as { throughSeq?: unknown; throughHash?: unknown } | null;
    return d?.throughSeq === pruned.seq && d.throughHash === pruned.hash;
  } catch {
    return false;
  }
}

/** The audit key and checkpoint file of an installation, read without creating anything (tools, tests). */
export function verifyOptionsFor(config: Pick<AppConfig, 'dataDir' | 'secretFiles'>): VerifyOptions {
  return {
    key: readSecretFile(config.secretFiles.auditKey, 32, 'audit key'),
    checkpointFile: checkpointFilePath(config.dataDir),
  };
}

export async function verifyAuditChain(reader: AuditReaderRepository, opts: VerifyOptions): Promise<VerifyResult> {
  const reading = opts.checkpointFile
    ? await readLatestCheckpoint(opts.checkpointFile, opts.key)
    : ({ kind: 'none' } as const);
  const checkpoint = reading.kind === 'latest' ? reading.checkpoint : null;
  const result: VerifyResult = {
    ok: false,
    checked: 0,
    head: null,
    keyedFromSeq: null,
    checkpoint: checkpoint && { seq: checkpoint.seq, at: checkpoint.at, count: checkpoint.count },
  };
  const broken = (seq: number, reason: string): VerifyResult => ({ ...result, brokenAt: { seq, reason } });
  if (reading.kind === 'forged')
    return broken(
      0,
      `line ${reading.line} of the checkpoint file ${opts.checkpointFile} is not a checkpoint signed by the audit key (the file was edited)`,
    );

  const stored = await reader.keyedFromRecord();
  const keyedFrom = stored ? decodeKeyedFrom(opts.key, stored) : null;
  if (keyedFrom === 'forged')
    return broken(
      0,
      `the record of where keyed hashes start (${KEYED_FROM_SETTING}) is not signed by this audit key (it was altered, or this is not the key the log was chained with)`,
    );
  result.keyedFromSeq = keyedFrom;
  if (checkpoint && checkpoint.keyedFromSeq !== keyedFrom) {
    return broken(
      checkpoint.keyedFromSeq,
      `keyed hashes start at entry #${keyedFrom ?? '(none recorded)'}, but the signed checkpoint of ${checkpoint.at} says #${checkpoint.keyedFromSeq} (the chain was rewritten with unkeyed hashes)`,
    );
  }

  // After retention pruning the chain continues from the published prune point.
  const pruned = await reader.prunePoint();
  let prevHash = pruned?.hash ?? GENESIS_HASH;
  let prevSeq = pruned?.seq ?? 0;
  // A prune point is only genuine with the audit.pruned entry that recorded it (keyed like every entry), so
  // deleting the oldest entries and publishing a prune point by hand shows as a removal.
  let pruneRecorded = false;
  for (;;) {
    const batch = await reader.after(prevSeq, BATCH);
    if (batch.length === 0) break;
    for (const e of batch) {
      if (keyedFrom === null)
        return broken(
          e.seq,
          `there is no record of where keyed hashes start (${KEYED_FROM_SETTING}): it was removed, or this database was never opened by a version that keys the chain`,
        );
      if (e.prevHash !== prevHash)
        return broken(
          e.seq,
          'its link to the previous entry does not match (an entry before it was changed or removed)',
        );
      const { hash, ...fields } = e;
      const keyed = e.seq >= keyedFrom;
      if ((keyed ? keyedEventHash(opts.key, fields) : legacyEventHash(fields)) !== hash) {
        return broken(
          e.seq,
          keyed
            ? 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the audit key)'
            : 'its content does not match its hash (the entry was edited)',
        );
      }
      if (checkpoint && e.seq === checkpoint.seq && hash !== checkpoint.hash) {
        return broken(
          e.seq,
          `it differs from the signed checkpoint of ${checkpoint.at} (the chain up to here was rewritten)`,
        );
      }
      if (pruned && e.action === 'audit.pruned') pruneRecorded ||= recordsPrune(e.details, pruned);
      prevHash = hash;
      prevSeq = e.seq;
      result.checked++;
    }
  }
  if (pruned && !pruneRecorded) {
    return broken(
      pruned.seq,
      `the log starts after entry #${pruned.seq} as if pruned, but no audit.pruned entry records that pruning (entries were removed from the start)`,
    );
  }
  if (checkpoint && checkpoint.seq > prevSeq) {
    return broken(
      prevSeq + 1,
      `it is missing: the signed checkpoint of ${checkpoint.at} records the log up to entry #${checkpoint.seq}, but it ends at #${prevSeq} (entries were removed from the end)`,
    );
  }
  return { ...result, ok: true, head: result.checked ? { seq: prevSeq, hash: prevHash } : null };
}
