// The one check before any row is written (form edits, creates, bulk, undo, restore, imports): the table right
// for the kind of write, and the write right on every column whose value the write sends. The table service
// asks it before parsing a form (for the clearest message); the change engine asks it again, for every
// change, before anything reaches Genesys.
import { ForbiddenError } from '../../lib/errors.js';
import { columnsWritten, type RowChange } from '../changes/row-change.js';
import type { TableAccess } from '../permissions/access.js';
import type { UserTable } from './table-service.js';

export function assertWritable(access: TableAccess, right: 'canEdit' | 'canAdd' | 'canDelete', what: string): void {
  if (access.readOnlyReason) throw new ForbiddenError(access.readOnlyReason);
  if (!access[right]) throw new ForbiddenError(`You may not ${what} in this table.`);
}

/** Columns the user cannot see are never named (a message must not reveal a hidden column). */
export function assertMayWrite(
  t: UserTable,
  kind: 'create' | 'update' | 'delete',
  columns: Iterable<string>,
  doing: string,
): void {
  assertWritable(
    t.access,
    kind === 'create' ? 'canAdd' : kind === 'update' ? 'canEdit' : 'canDelete',
    kind === 'create' ? 'add rows' : kind === 'update' ? 'edit rows' : 'delete rows',
  );
  const refused = [...new Set(columns)].filter((c) => t.access.columns[c] !== 'write');
  if (refused.length === 0) return;
  const named = refused
    .filter((c) => t.columns.includes(c))
    .map((c) => `“${t.table.schema.properties[c]?.title || c}”`);
  const hidden = refused.length > named.length ? ['columns you cannot see'] : [];
  throw new ForbiddenError(`${doing} would change ${[...named, ...hidden].join(' and ')}, which you may not change.`);
}

/** Why `t`'s user may not make `change` (null: she may), by assertMayWrite: pages offer only what would pass. */
export function writeRefusal(t: UserTable, change: RowChange, doing: string): string | null {
  try {
    assertMayWrite(t, change.kind, columnsWritten(change), doing);
    return null;
  } catch (err) {
    if (err instanceof ForbiddenError) return err.message;
    throw err;
  }
}
