// An import plan as row changes, the same for the apply job and for a change request: adds are creates that
// refuse to overwrite a row someone added meanwhile, updates write only the changed columns and expect the
// values the dry run saw, deletes expect the row as the dry run saw it. Nothing the dry run did not see is
// written, and a row that changed since the dry run is a conflict, not overwritten.
import type { TableAccess } from '../permissions/access.js';
import type { RowChange } from '../changes/row-change.js';
import { project } from '../tables/table-service.js';
import type { ImportPlan } from './import-types.js';

/** The plan's changes in a fixed order (adds, updates, deletes); `idOf(i)` gives the i-th change's id. */
export function changesOf(plan: ImportPlan, tableId: string, idOf: (i: number) => string): RowChange[] {
  const changes: RowChange[] = [];
  const next = () => idOf(changes.length);
  for (const a of plan.adds)
    changes.push({ id: next(), tableId, key: a.key, kind: 'create', write: a.row, ifExists: 'conflict' });
  for (const u of plan.updates)
    changes.push({
      id: next(),
      tableId,
      key: u.key,
      kind: 'update',
      write: project(u.after, u.changed),
      expect: u.before,
    });
  for (const d of plan.deletes) changes.push({ id: next(), tableId, key: d.key, kind: 'delete', expect: d.before });
  return changes;
}

export const changeCount = (plan: ImportPlan): number => plan.adds.length + plan.updates.length + plan.deletes.length;

/** The file line of the i-th change (adds and updates; a delete has none: the row is not in the file). */
export function lineOf(plan: ImportPlan, i: number): number | null {
  if (i < plan.adds.length) return plan.adds[i]!.line;
  const u = i - plan.adds.length;
  return u < plan.updates.length ? plan.updates[u]!.line : null;
}

/**
 * Why all-or-nothing cannot promise to put the table back for this person (null: it can). Putting it back
 * writes the inverse of what was applied, with her rights like any write: added rows are deleted again,
 * deleted rows added again.
 */
export function rollbackRefusal(plan: ImportPlan, access: TableAccess): string | null {
  if (plan.adds.length && !access.canDelete)
    return 'All or nothing needs the right to delete rows in this table: putting the table back deletes the rows the import added.';
  if (plan.deletes.length && !access.canAdd)
    return 'All or nothing needs the right to add rows in this table: putting the table back adds the deleted rows again.';
  return null;
}
