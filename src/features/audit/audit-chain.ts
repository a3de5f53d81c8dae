// How audit entries are chained (see docs/adr/007-keyed-audit-chain.md).
// - "sha256" (legacy): SHA-256(prevHash ‖ canonical JSON). Anyone with the database can recompute it, so an
//   edit followed by recomputing every later hash went unnoticed. Entries written before the switch keep it.
// - "hmac-sha256": HMAC-SHA-256 under the audit key (DATA_DIR/secrets/audit-key, never in the database).
//   Every entry from the recorded switch point on uses it; recomputing them needs the key.
// The switch point (first keyed seq) is stored in AppSetting with its own HMAC, so it cannot be moved to turn
// keyed entries back into recomputable legacy ones. Each use of the key has its own label (domain separation).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
    .join(',')}}`;
}

export interface StoredEventFields {
  seq: number;
  at: Date;
  actorId: number | null;
  actorName: string;
  ip: string | null;
  requestId: string | null;
  action: string;
  orgId: string | null;
  tableId: string | null;
  rowKey: string | null;
  targetUserId: number | null;
  before: string | null;
  after: string | null;
  details: string | null;
  reason: string | null;
  batchId: string | null;
  changeId: string | null;
  outcome: string | null;
  prevHash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
export const KEYED_FROM_SETTING = 'audit.chainKeyedFromSeq';
/** Retention's prune point: the last deleted entry's seq and hash, from which the chain continues. */
export const PRUNED_SEQ_KEY = 'audit.prunedThroughSeq';
export const PRUNED_HASH_KEY = 'audit.prunedThroughHash';

const contentOf = (e: StoredEventFields) => {
  const { prevHash: _prev, ...content } = e;
  return canonicalJson({ ...content, at: e.at.toISOString() });
};

/** The pre-switch hash: kept only to verify entries written before the chain was keyed. */
export function legacyEventHash(e: StoredEventFields): string {
  return createHash('sha256').update(e.prevHash).update(contentOf(e)).digest('hex');
}

export function keyedEventHash(key: Buffer, e: StoredEventFields): string {
  return createHmac('sha256', key).update('audit-event\n').update(e.prevHash).update(contentOf(e)).digest('hex');
}

/** HMAC of a labelled value under the audit key (switch point, checkpoints). */
export function sign(key: Buffer, label: string, value: string): string {
  return createHmac('sha256', key).update(`${label}\n`).update(value).digest('hex');
}

export function signatureMatches(key: Buffer, label: string, value: string, signature: string): boolean {
  const expected = Buffer.from(sign(key, label, value), 'hex');
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The stored form of the switch point: `<seq>:<hmac>`. */
export function encodeKeyedFrom(key: Buffer, seq: number): string {
  return `${seq}:${sign(key, 'audit-keyed-from', String(seq))}`;
}

/** The switch point's seq, or 'forged' when its signature does not match this key. */
export function decodeKeyedFrom(key: Buffer, stored: string): number | 'forged' {
  const [seqText = '', mac = ''] = stored.split(':');
  const seq = Number(seqText);
  return /^\d+$/.test(seqText) && Number.isSafeInteger(seq) && signatureMatches(key, 'audit-keyed-from', seqText, mac)
    ? seq
    : 'forged';
}
