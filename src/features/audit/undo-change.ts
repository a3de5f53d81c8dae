// The row change that undoes a recorded one (undo-service.ts applies it, undo-preview.ts shows it).
import type { AuditEvent } from '../../db/generated/client.js';
import type { Row } from '../../genesys/gateway.js';
import { newChangeId, type RowChange } from '../changes/row-change.js';
import { project } from '../tables/table-service.js';

/** A row's value in a column, own properties only (a column may be called `constructor`). */
export const cell = (row: Row | null, column: string) => (row && Object.hasOwn(row, column) ? row[column] : undefined);

/** Whether a recorded write's outcome says it reached Genesys. */
export const wasApplied = (state: string | undefined) => state === 'applied' || state === 'reconciled-applied';

/**
 * The change that undoes entry `e`: an update's changed columns back (while the row holds what it wrote), a
 * create deleted (likewise), a delete re-created (while no row has its key). Forced: not checked.
 */
export function undoOf(e: AuditEvent, opts: { force?: boolean; id?: string } = {}): RowChange {
  const force = opts.force ?? false;
  const before = e.before ? (JSON.parse(e.before) as Row) : null;
  const after = e.after ? (JSON.parse(e.after) as Row) : null;
  const changed = ((e.details ? (JSON.parse(e.details) as { changed?: string[] }).changed : undefined) ?? []).filter(
    (c) => c !== 'key',
  );
  const base = {
    id: opts.id ?? newChangeId(),
    tableId: e.tableId!,
    key: e.rowKey!,
    reason: `Undo of change #${e.seq}${force ? ' (forced)' : ''}`,
    details: { reverts: e.seq, ...(force ? { forced: true } : {}) },
  };
  if (e.action === 'row.updated') {
    const pick = (r: Row | null): Row => (r ? project(r, changed) : {});
    return { ...base, kind: 'update', write: pick(before), ...(force ? {} : { expect: pick(after) }) };
  }
  if (e.action === 'row.created') return { ...base, kind: 'delete', ...(force ? {} : { expect: after! }) };
  return { ...base, kind: 'create', write: before!, ifExists: force ? 'replace' : 'conflict' };
}
