// The one check before any row is written (form edits, creates, bulk, undo, restore, imports): the table right
// for the kind of write, and the write right on every column whose value the write sends. The table service
// asks it before parsing a form (for the clearest message); the change engine asks it again, for every
// change, before anything reaches Genesys.
import { ForbiddenError } from '../../lib/errors.js';
import { columnsWritten, type RowChange } from '../changes/row-change.js';
import type { Row } from '../../genesys/gateway.js';
import type { TableAccess } from '../permissions/access.js';
import { mayRunPlaybooksOn } from '../permissions/policy.js';
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

/**
 * A playbook run (ChangeSet via 'playbook'): the run-playbooks right on the table stands in for the edit, add,
 * delete and column rights (an administrator approved the playbook's content); never in a read-only org.
 */
export function assertMayRunPlaybook(t: UserTable): void {
  if (t.access.readOnlyReason) throw new ForbiddenError(t.access.readOnlyReason);
  if (!mayRunPlaybooksOn(t.access)) throw new ForbiddenError('You may not run playbooks on this table.');
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

/**
 * Why `t`'s user may not rename the row `key` whose values are `current` (null: she may). A rename copies
 * the whole row under the new key (table service, renameRow), so it needs the write right on every column
 * the row has a value in, hidden ones too: the row page offers it only then, not after the key is typed.
 */
export function renameRefusal(t: UserTable, key: string, current: Row): string | null {
  const { access } = t;
  if (access.readOnlyReason) return access.readOnlyReason;
  if (!(access.canAdd && access.canDelete && access.columns.key === 'write'))
    return 'Renaming a key needs the add and delete rights and write access to the key.';
  return writeRefusal(t, { id: '', kind: 'create', tableId: t.table.id, key, write: current }, 'This rename');
}
