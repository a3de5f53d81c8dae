// The one place that reads and writes TablePermission / ColumnPermission rows. Saving takes the caller's
// transaction, so a change of rights and its audit entry commit together.
import type { Db } from '../../db/database.js';
import { clientIn, within, type Transaction } from '../../db/transaction.js';
import { columnRecord, isColumnAccess, type StoredRights } from './access.js';

type Loaded = {
  tableId: string;
  tableName: string;
  canView: boolean;
  canEdit: boolean;
  canAdd: boolean;
  canDelete: boolean;
  canApprove: boolean;
  canRunPlaybooks: boolean;
  defaultColumnAccess: string;
  columns: { column: string; access: string }[];
  userId: number;
};

export function toRights(p: Loaded): StoredRights {
  return {
    canView: p.canView,
    canEdit: p.canEdit,
    canAdd: p.canAdd,
    canDelete: p.canDelete,
    canApprove: p.canApprove,
    canRunPlaybooks: p.canRunPlaybooks,
    defaultColumnAccess: isColumnAccess(p.defaultColumnAccess) ? p.defaultColumnAccess : 'hidden',
    // An unreadable stored access hides its column (fail closed) rather than falling back to the default.
    columns: columnRecord(p.columns.map((c) => [c.column, isColumnAccess(c.access) ? c.access : 'hidden'] as const)),
  };
}

export function createPermissionRepository(db: Db) {
  const include = { columns: { select: { column: true, access: true } } } as const;
  return {
    async forTable(userId: number, orgId: string, tableId: string, tx?: Transaction): Promise<StoredRights | null> {
      const p = await clientIn(db, tx).tablePermission.findUnique({
        where: { userId_orgId_tableId: { userId, orgId, tableId } },
        include,
      });
      return p ? toRights(p) : null;
    },

    async forUserInOrg(userId: number, orgId: string): Promise<Map<string, StoredRights & { tableName: string }>> {
      const rows = await db.tablePermission.findMany({ where: { userId, orgId }, include });
      return new Map(rows.map((p) => [p.tableId, { ...toRights(p), tableName: p.tableName }]));
    },

    async forTableAllUsers(orgId: string, tableId: string) {
      const rows = await db.tablePermission.findMany({
        where: { orgId, tableId },
        include: { ...include, user: { select: { id: true, displayName: true, email: true, disabled: true } } },
      });
      return rows.map((p) => ({ user: p.user, rights: toRights(p) }));
    },

    /** Every table of every org the user may view, with the rights on it (what their audit log covers). */
    async viewableBy(userId: number): Promise<{ orgId: string; tableId: string; rights: StoredRights }[]> {
      const rows = await db.tablePermission.findMany({ where: { userId, canView: true }, include });
      return rows.map((p) => ({ orgId: p.orgId, tableId: p.tableId, rights: toRights(p) }));
    },

    /** The orgs in which the user may view at least one table. */
    async orgIdsViewableBy(userId: number): Promise<Set<string>> {
      const rows = await db.tablePermission.findMany({
        where: { userId, canView: true },
        select: { orgId: true },
        distinct: ['orgId'],
      });
      return new Set(rows.map((r) => r.orgId));
    },

    async allForUser(userId: number) {
      return db.tablePermission.findMany({ where: { userId }, include });
    },

    /** Replaces one user's rights on one table (or removes them when `rights` is null). */
    async save(
      userId: number,
      orgId: string,
      tableId: string,
      tableName: string,
      rights: StoredRights | null,
      inTx?: Transaction,
    ): Promise<void> {
      await within(db, inTx, async (tx) => {
        await tx.tablePermission.deleteMany({ where: { userId, orgId, tableId } });
        if (!rights) return;
        await tx.tablePermission.create({
          data: {
            userId,
            orgId,
            tableId,
            tableName,
            canView: rights.canView,
            canEdit: rights.canEdit,
            canAdd: rights.canAdd,
            canDelete: rights.canDelete,
            canApprove: rights.canApprove,
            canRunPlaybooks: rights.canRunPlaybooks,
            defaultColumnAccess: rights.defaultColumnAccess,
            columns: { create: Object.entries(rights.columns).map(([column, access]) => ({ column, access })) },
          },
        });
      });
    },

    async countForOrg(orgId: string): Promise<number> {
      return db.tablePermission.count({ where: { orgId } });
    },
  };
}

export type PermissionRepository = ReturnType<typeof createPermissionRepository>;
