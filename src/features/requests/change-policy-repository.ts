// The one place that reads and writes TableChangePolicy rows: a table's own change policy, overriding its
// org's. Writes take the caller's transaction, so a policy change and its audit entry commit together.
import type { Db } from '../../db/database.js';
import { clientIn, type Transaction } from '../../db/transaction.js';

export interface StoredTablePolicy {
  tableId: string;
  tableName: string;
  /** As stored: 'direct' | 'approval' (anything else is read as approval by change-policy.ts: fail closed). */
  changePolicy: string;
  approvalsNeeded: number;
}

const fields = { tableId: true, tableName: true, changePolicy: true, approvalsNeeded: true } as const;

export function createChangePolicyRepository(db: Db) {
  return {
    find: (orgId: string, tableId: string, tx?: Transaction): Promise<StoredTablePolicy | null> =>
      clientIn(db, tx).tableChangePolicy.findUnique({ where: { orgId_tableId: { orgId, tableId } }, select: fields }),

    /** The overrides among `tableIds` (tables without one follow the org). */
    forTables: (orgId: string, tableIds: string[]): Promise<StoredTablePolicy[]> =>
      db.tableChangePolicy.findMany({ where: { orgId, tableId: { in: [...new Set(tableIds)] } }, select: fields }),

    /** Every override in the org (the policies page). */
    listInOrg: (orgId: string): Promise<StoredTablePolicy[]> =>
      db.tableChangePolicy.findMany({ where: { orgId }, select: fields, orderBy: { tableName: 'asc' } }),

    save: (orgId: string, policy: StoredTablePolicy, tx?: Transaction) =>
      clientIn(db, tx).tableChangePolicy.upsert({
        where: { orgId_tableId: { orgId, tableId: policy.tableId } },
        create: { orgId, ...policy },
        update: {
          tableName: policy.tableName,
          changePolicy: policy.changePolicy,
          approvalsNeeded: policy.approvalsNeeded,
        },
      }),

    remove: (orgId: string, tableId: string, tx?: Transaction) =>
      clientIn(db, tx).tableChangePolicy.deleteMany({ where: { orgId, tableId } }),
  };
}

export type ChangePolicyRepository = ReturnType<typeof createChangePolicyRepository>;
