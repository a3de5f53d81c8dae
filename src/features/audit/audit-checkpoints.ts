// Signed checkpoints of the audit chain, kept outside the database: one JSON line per checkpoint in
// DATA_DIR/audit-checkpoints.jsonl (an admin can ship it elsewhere) and the same line in the application log.
// A chain alone cannot show that its newest entries were removed; a checkpoint says "on <at> the log ran to
// entry #seq with this hash", HMAC-signed with the audit key, so verify can tell a shortened log (ADR 007).
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { canonicalJson, GENESIS_HASH, sign, signatureMatches } from './audit-chain.js';
import type { AuditReaderRepository } from './audit-reader-repository.js';
import type { AuditRepository } from './audit-repository.js';

export interface Checkpoint {
  /** The newest entry's seq (0: empty log) and hash. */
  seq: number;
  hash: string;
  /** How many entries the log held (fewer than seq after retention pruning). */
  count: number;
  /** Where keyed hashes start (a moved switch point is a rewrite). */
  keyedFromSeq: number;
  at: string;
  mac: string;
}

const LABEL = 'audit-checkpoint';
const signedText = (c: Omit<Checkpoint, 'mac'>) =>
  canonicalJson({ seq: c.seq, hash: c.hash, count: c.count, keyedFromSeq: c.keyedFromSeq, at: c.at });

export const checkpointFilePath = (dataDir: string) => path.join(dataDir, 'audit-checkpoints.jsonl');

export function createCheckpointWriter(deps: {
  reader: AuditReaderRepository;
  repo: AuditRepository;
  key: Buffer;
  file: string;
  logger: Logger;
  clock: Clock;
}) {
  let lastWritten = '';
  return {
    /** Writes a checkpoint of the current head; unless `always`, only when the head moved since the last one. */
    async record(opts: { always?: boolean } = {}): Promise<Checkpoint | null> {
      const keyedFromSeq = await deps.repo.ensureKeyed();
      const { head, count } = await deps.reader.head();
      const seq = head?.seq ?? 0;
      const hash = head?.hash ?? GENESIS_HASH;
      if (!opts.always && lastWritten === `${seq}:${hash}`) return null;
      const body = { seq, hash, count, keyedFromSeq, at: new Date(deps.clock.now()).toISOString() };
      const checkpoint: Checkpoint = { ...body, mac: sign(deps.key, LABEL, signedText(body)) };
      await appendFile(deps.file, `${JSON.stringify(checkpoint)}\n`);
      deps.logger.info('audit checkpoint', { event: 'audit.checkpoint', ...checkpoint });
      lastWritten = `${seq}:${hash}`;
      return checkpoint;
    },
  };
}

export type CheckpointWriter = ReturnType<typeof createCheckpointWriter>;

export type CheckpointReading =
  | { kind: 'none' }
  | { kind: 'latest'; checkpoint: Checkpoint }
  /** A line that is not a checkpoint signed by this key: the file was edited (or another key signed it). */
  | { kind: 'forged'; line: number };

/** The checkpoint with the highest seq in `file`; any unsigned or altered line makes the file untrustworthy. */
export async function readLatestCheckpoint(file: string, key: Buffer): Promise<CheckpointReading> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw err;
  }
  let latest: Checkpoint | null = null;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const c = parseCheckpoint(line);
    if (!c || !signatureMatches(key, LABEL, signedText(c), c.mac)) return { kind: 'forged', line: i + 1 };
    if (!latest || c.seq >= latest.seq) latest = c;
  }
  return latest ? { kind: 'latest', checkpoint: latest } : { kind: 'none' };
}

function parseCheckpoint(line: string): Checkpoint | null {
  try {
    const c = JSON.parse(line) as Partial<Checkpoint>;
    const ints = [c.seq, c.count, c.keyedFromSeq].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    return ints && typeof c.hash === 'string' && typeof c.at === 'string' && typeof c.mac === 'string'
      ? (c as Checkpoint)
      : null;
  } catch {
    return null;
  }
}
