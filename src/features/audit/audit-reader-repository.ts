// Every read of the audit log (AuditEvent and the chain's records in AppSetting). The writer beside it
// (audit-repository.ts) appends and prunes; nothing else touches these rows. Who may see which entry is not
// decided here but in audit-query.ts / audit-visibility.ts.
import type { Db } from '../../db/database.js';
import { Prisma, type AuditEvent } from '../../db/generated/client.js';
import { KEYED_FROM_SETTING, PRUNED_HASH_KEY, PRUNED_SEQ_KEY } from './audit-chain.js';

/** Lookups by many ids stay well inside SQLite's limit on bound parameters. */
const CHUNK = 500;

async function chunked<T, R>(items: T[], read: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...(await read(items.slice(i, i + CHUNK))));
  return out;
}

export function createAuditReaderRepository(db: Db) {
  return {
    bySeq: (seq: number) => db.auditEvent.findUnique({ where: { seq } }),

    /** Up to `take` entries matching `where`, newest first (keyset paging: the filter carries `seq < before`). */
    newestFirst: (where: Prisma.AuditEventWhereInput, take: number) =>
      db.auditEvent.findMany({ where, orderBy: { seq: 'desc' }, take }),

    /** Entries after `seq`, oldest first (verify replays the chain in batches). */
    after: (seq: number, take: number) =>
      db.auditEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' }, take }),

    /** Every entry of one change (intent, outcomes), oldest first. */
    ofChange: (changeId: string) => db.auditEvent.findMany({ where: { changeId }, orderBy: { seq: 'asc' } }),

    /** The intent entries of these changes. */
    intentsOf: (changeIds: string[]) =>
      chunked(changeIds, (ids) => db.auditEvent.findMany({ where: { changeId: { in: ids }, outcome: 'intent' } })),

    /** The intents of one batch with one of `actions`, newest first (what a batch undo reverts). */
    batchIntents: (batchId: string, actions: readonly string[]) =>
      db.auditEvent.findMany({
        where: { batchId, outcome: 'intent', action: { in: [...actions] } },
        orderBy: { seq: 'desc' },
      }),

    /**
     * The undo intents (details name `reverts`) recorded after `afterSeq` on these rows: an undo is always a
     * later change of the same row, so the row index finds them without searching the whole log's details.
     */
    undosOnRows: (rows: { tableId: string; rowKey: string }[], afterSeq: number): Promise<AuditEvent[]> =>
      chunked(rows, (chunk) =>
        db.auditEvent.findMany({
          where: {
            seq: { gt: afterSeq },
            outcome: 'intent',
            OR: chunk.map((r) => ({ tableId: r.tableId, rowKey: r.rowKey })),
            details: { contains: '"reverts":' },
          },
          orderBy: { seq: 'asc' },
        }),
      ),

    bySeqs: (seqs: number[]): Promise<AuditEvent[]> =>
      chunked(seqs, (chunk) => db.auditEvent.findMany({ where: { seq: { in: chunk } } })),

    /** The stage entries (changeId, outcome, details) of these changes, oldest first. */
    stagesOf: (changeIds: string[]) =>
      chunked(changeIds, (ids) =>
        db.auditEvent.findMany({
          where: { changeId: { in: ids } },
          select: { changeId: true, outcome: true, details: true },
          orderBy: { seq: 'asc' },
        }),
      ),

    /**
     * Writes whose outcome is open (an intent with no outcome after it, or only 'unknown') and at least as old
     * as `recordedBy`, oldest first: of one batch or these changes (all of them), else the first `limit`.
     * Intents stay in the log for good, so the filter is in the query (a LIMIT over all intents would see only
     * long-settled ones).
     */
    async openIntents(opts: {
      batchId?: string;
      changeIds?: string[];
      recordedBy: Date;
      limit: number;
    }): Promise<AuditEvent[]> {
      const scope = opts.batchId
        ? Prisma.sql`AND i."batchId" = ${opts.batchId}`
        : opts.changeIds
          ? Prisma.sql`AND i."changeId" IN (${Prisma.join(opts.changeIds)})`
          : Prisma.empty;
      const seqs = await db.$queryRaw<{ seq: number }[]>`
        SELECT i."seq" FROM "AuditEvent" i
        WHERE i."outcome" = 'intent' AND i."changeId" IS NOT NULL ${scope}
          AND NOT EXISTS (SELECT 1 FROM "AuditEvent" o WHERE o."changeId" = i."changeId" AND o."outcome" NOT IN ('intent', 'unknown'))
        ORDER BY i."seq" LIMIT ${opts.batchId || opts.changeIds ? -1 : opts.limit}`;
      return db.auditEvent.findMany({
        where: { seq: { in: seqs.map((r) => Number(r.seq)) }, at: { lte: opts.recordedBy } },
        orderBy: { seq: 'asc' },
      });
    },

    /** The newest entry older than `cutoff` (retention deletes through it) and how many entries go with it. */
    async lastBefore(cutoff: Date): Promise<{ seq: number; hash: string; through: number } | null> {
      const last = await db.auditEvent.findFirst({
        where: { at: { lt: cutoff } },
        orderBy: { seq: 'desc' },
        select: { seq: true, hash: true },
      });
      return last && { ...last, through: await db.auditEvent.count({ where: { seq: { lte: last.seq } } }) };
    },

    /** Whether an entry with this action holds `fragment` in its details (a JSON text search). */
    async hasEntry(action: string, fragment: string): Promise<boolean> {
      return (await db.auditEvent.count({ where: { action, details: { contains: fragment } } })) > 0;
    },

    /** The head and the number of entries, read together (a checkpoint of the chain). */
    head: () =>
      db.$transaction(async (tx) => ({
        head: await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } }),
        count: await tx.auditEvent.count(),
      })),

    /** The stored (signed) switch point to keyed hashes, as text; null when none is recorded. */
    keyedFromRecord: async () =>
      (await db.appSetting.findUnique({ where: { key: KEYED_FROM_SETTING } }))?.value ?? null,

    /** Where retention pruning left the chain: the last deleted entry's seq and hash. */
    async prunePoint(): Promise<{ seq: number; hash: string } | null> {
      const [seq, hash] = await Promise.all([
        db.appSetting.findUnique({ where: { key: PRUNED_SEQ_KEY } }),
        db.appSetting.findUnique({ where: { key: PRUNED_HASH_KEY } }),
      ]);
      return seq && hash ? { seq: Number(seq.value), hash: hash.value } : null;
    },
  };
}

export type AuditReaderRepository = ReturnType<typeof createAuditReaderRepository>;
