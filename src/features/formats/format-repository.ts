// The one place that reads and writes ColumnFormat rows (ADR 016). Writes take the caller's transaction, so a
// format and its audit entry commit together.
import type { Db } from '../../db/database.js';
import { clientIn, type Transaction } from '../../db/transaction.js';

export interface StoredFormat {
  column: string;
  kind: string;
  /** JSON of the kind's options. */
  options: string;
}

const fields = { column: true, kind: true, options: true } as const;

export function createFormatRepository(db: Db) {
  return {
    /** A table's formats, by column name order. */
    forTable: (orgId: string, tableId: string, tx?: Transaction): Promise<StoredFormat[]> =>
      clientIn(db, tx).columnFormat.findMany({ where: { orgId, tableId }, select: fields, orderBy: { column: 'asc' } }),

    find: (orgId: string, tableId: string, column: string, tx?: Transaction): Promise<StoredFormat | null> =>
      clientIn(db, tx).columnFormat.findUnique({
        where: { orgId_tableId_column: { orgId, tableId, column } },
        select: fields,
      }),

    save: (
      key: { orgId: string; tableId: string; column: string },
      format: { kind: string; options: string; updatedBy: number },
      tx?: Transaction,
    ) =>
      clientIn(db, tx).columnFormat.upsert({
        where: { orgId_tableId_column: key },
        create: { ...key, ...format },
        update: format,
      }),

    remove: (orgId: string, tableId: string, column: string, tx?: Transaction) =>
      clientIn(db, tx).columnFormat.deleteMany({ where: { orgId, tableId, column } }),
  };
}

export type FormatRepository = ReturnType<typeof createFormatRepository>;
