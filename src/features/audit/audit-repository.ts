// Appends to the hash-chained audit log. Each event's hash is an HMAC (audit key, outside the database) over
// the previous event's hash and this event's content (canonical JSON), so editing or removing an entry breaks
// the chain from that point on, and the chain cannot be recomputed without the key (audit-chain.ts).
import type { AuditEvent, Prisma } from '../../db/generated/client.js';
import type { Db } from '../../db/database.js';
import { within, type Transaction } from '../../db/transaction.js';
import {
  decodeKeyedFrom,
  encodeKeyedFrom,
  GENESIS_HASH,
  KEYED_FROM_SETTING,
  keyedEventHash,
  PRUNED_HASH_KEY,
  PRUNED_SEQ_KEY,
  type StoredEventFields,
} from './audit-chain.js';

export { canonicalJson, GENESIS_HASH, type StoredEventFields } from './audit-chain.js';

export class AuditKeyMismatchError extends Error {
  override name = 'AuditKeyMismatchError';
}

export interface AuditInput {
  action: string;
  orgId?: string | null;
  tableId?: string | null;
  rowKey?: string | null;
  targetUserId?: number | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  reason?: string | null;
  batchId?: string | null;
  changeId?: string | null;
  outcome?: string | null;
}

export interface AuditActorFields {
  actorId: number | null;
  actorName: string;
  ip: string | null;
  requestId: string | null;
}

/** Every column of an entry, each named once (the Record type makes the compiler check none is left out). */
const COLUMNS = Object.keys({
  seq: 1,
  at: 1,
  actorId: 1,
  actorName: 1,
  ip: 1,
  requestId: 1,
  action: 1,
  orgId: 1,
  tableId: 1,
  rowKey: 1,
  targetUserId: 1,
  before: 1,
  after: 1,
  details: 1,
  reason: 1,
  batchId: 1,
  changeId: 1,
  outcome: 1,
  prevHash: 1,
  hash: 1,
} satisfies Record<keyof AuditEvent, 1>) as (keyof AuditEvent)[];
/** Entries per INSERT: 20 parameters each stays well inside SQLite's limit on bound parameters. */
const INSERT_CHUNK = 500;

/**
 * Inserts chained entries as multi-row INSERTs, in seq order. Not Prisma's create/createMany: those cost
 * about 2 ms per entry in the query interpreter, and a bulk change writes 1,000 intents before its import job
 * may start (and 1,000 outcomes after it). Dates are bound as Date, so the adapter stores them as Prisma does.
 */
async function insertEvents(tx: Prisma.TransactionClient, events: AuditEvent[]): Promise<void> {
  const row = `(${COLUMNS.map(() => '?').join(', ')})`;
  for (let i = 0; i < events.length; i += INSERT_CHUNK) {
    const chunk = events.slice(i, i + INSERT_CHUNK);
    const sql = `INSERT INTO "AuditEvent" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${chunk.map(() => row).join(', ')}`;
    await tx.$executeRawUnsafe(sql, ...chunk.flatMap((e) => COLUMNS.map((c) => e[c])));
  }
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * Where the keyed chain starts: the recorded switch point, or (first run of a version with keyed hashes) the
 * next seq, recorded now. Throws when the recorded switch point is not signed by this key: the audit key file
 * was replaced (or the record edited), and entries keyed with another key would all look tampered with.
 */
async function keyedFromSeq(tx: Prisma.TransactionClient, key: Buffer, keyFile: string): Promise<number> {
  const stored = await tx.appSetting.findUnique({ where: { key: KEYED_FROM_SETTING } });
  if (stored) {
    const seq = decodeKeyedFrom(key, stored.value);
    if (seq === 'forged') {
      throw new AuditKeyMismatchError(
        `The audit key file ${keyFile} is not the key this audit log was chained with (or the switch record ${KEYED_FROM_SETTING} in the database was altered). Restore the original audit key file from your backup.`,
      );
    }
    return seq;
  }
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  const seq = (head?.seq ?? 0) + 1;
  await tx.appSetting.create({ data: { key: KEYED_FROM_SETTING, value: encodeKeyedFrom(key, seq) } });
  return seq;
}

export function createAuditRepository(db: Db, chainKey: { key: Buffer; file: string }) {
  let keyedFrom: number | undefined;
  return {
    /** Records the switch to keyed hashes if not yet done (start-up), and checks the key matches it. */
    async ensureKeyed(): Promise<number> {
      keyedFrom ??= await db.$transaction((tx) => keyedFromSeq(tx, chainKey.key, chainKey.file));
      return keyedFrom;
    },

    async append(input: AuditInput, actor: AuditActorFields, at: Date, inTx?: Transaction) {
      return (await this.appendMany([input], actor, at, inTx))[0]!;
    },

    /**
     * Appends entries in order in one transaction: read the chain head once, chain each after the last. With
     * `inTx` they join the caller's transaction (a local change and its entries commit together or not at all).
     */
    async appendMany(inputs: AuditInput[], actor: AuditActorFields, at: Date, inTx?: Transaction) {
      // The adapter serialises transactions, so no other append can slip between the head read and the writes,
      // and the chain's order is the commit order, wherever in a caller's transaction the append comes.
      return within(db, inTx, async (tx) => {
        // Remembered only once committed by this repository: a caller's transaction may still roll back.
        const from = keyedFrom ?? (await keyedFromSeq(tx, chainKey.key, chainKey.file));
        if (!inTx) keyedFrom = from;
        let head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
        const created: AuditEvent[] = [];
        for (const input of inputs) {
          const fields: StoredEventFields = {
            seq: (head?.seq ?? 0) + 1,
            at,
            ...actor,
            action: input.action,
            orgId: input.orgId ?? null,
            tableId: input.tableId ?? null,
            rowKey: input.rowKey ?? null,
            targetUserId: input.targetUserId ?? null,
            before: json(input.before),
            after: json(input.after),
            details: json(input.details),
            reason: input.reason ?? null,
            batchId: input.batchId ?? null,
            changeId: input.changeId ?? null,
            outcome: input.outcome ?? null,
            prevHash: head?.hash ?? GENESIS_HASH,
          };
          // New entries are always keyed: they come after the switch point by construction.
          const event = { ...fields, hash: keyedEventHash(chainKey.key, fields) };
          created.push(event);
          head = event;
        }
        await insertEvents(tx, created);
        return created;
      });
    },

    /** Retention: deletes the entries through `seq` and publishes the prune point, in one transaction. */
    async pruneThrough(seq: number, hash: string): Promise<number> {
      return db.$transaction(async (tx) => {
        for (const [key, value] of [
          [PRUNED_SEQ_KEY, String(seq)],
          [PRUNED_HASH_KEY, hash],
        ] as const) {
          await tx.appSetting.upsert({ where: { key }, create: { key, value }, update: { value } });
        }
        return (await tx.auditEvent.deleteMany({ where: { seq: { lte: seq } } })).count;
      });
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
