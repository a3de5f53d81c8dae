// The one place that reads and writes SavedView and GridLayout records (ADR 016). Every query is scoped by
// user, org and table: a view id alone never finds a record (another person's id answers "not found").
import type { Db } from '../../db/database.js';
import type { SavedView } from '../../db/generated/client.js';

export type { SavedView };

export interface ViewScope {
  userId: number;
  orgId: string;
  tableId: string;
}

export function createViewRepository(db: Db) {
  const own = (scope: ViewScope, id: string) => ({ id, ...scope });
  return {
    /** This person's views of the table, by name. */
    list: (scope: ViewScope) => db.savedView.findMany({ where: scope, orderBy: { name: 'asc' }, take: 200 }),

    count: (scope: ViewScope) => db.savedView.count({ where: scope }),

    /** The view `id` if it is this person's view of this table, else null. */
    find: (scope: ViewScope, id: string) => db.savedView.findFirst({ where: own(scope, id) }),

    findDefault: (scope: ViewScope) => db.savedView.findFirst({ where: { ...scope, isDefault: true } }),

    findByName: (scope: ViewScope, name: string) => db.savedView.findFirst({ where: { ...scope, name } }),

    /** A new view; when `isDefault`, the person's other views of the table stop being the default. */
    create: (scope: ViewScope, data: { id: string; name: string; settings: string; isDefault: boolean }) =>
      db.$transaction(async (tx) => {
        if (data.isDefault) await tx.savedView.updateMany({ where: scope, data: { isDefault: false } });
        return tx.savedView.create({ data: { ...scope, ...data } });
      }),

    /** Renames this person's view; false when it is not theirs (or gone). */
    rename: async (scope: ViewScope, id: string, name: string) =>
      (await db.savedView.updateMany({ where: own(scope, id), data: { name } })).count === 1,

    /** Deletes this person's view; false when it is not theirs (or gone). */
    delete: async (scope: ViewScope, id: string) =>
      (await db.savedView.deleteMany({ where: own(scope, id) })).count === 1,

    /**
     * Makes `id` the view the table opens with for this person (null: none), in one transaction, so at most one
     * is the default; false when `id` is not theirs.
     */
    setDefault: (scope: ViewScope, id: string | null) =>
      db.$transaction(async (tx) => {
        if (id !== null && !(await tx.savedView.findFirst({ where: own(scope, id) }))) return false;
        await tx.savedView.updateMany({ where: scope, data: { isDefault: false } });
        if (id !== null) await tx.savedView.updateMany({ where: own(scope, id), data: { isDefault: true } });
        return true;
      }),

    /** The stored grid layout JSON of this person and table, or null. */
    layout: async (scope: ViewScope) =>
      (await db.gridLayout.findUnique({ where: { userId_orgId_tableId: scope } }))?.layout ?? null,

    saveLayout: (scope: ViewScope, layout: string) =>
      db.gridLayout.upsert({
        where: { userId_orgId_tableId: scope },
        create: { ...scope, layout },
        update: { layout },
      }),

    resetLayout: (scope: ViewScope) => db.gridLayout.deleteMany({ where: scope }),
  };
}

export type ViewRepository = ReturnType<typeof createViewRepository>;
