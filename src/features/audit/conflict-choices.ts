// The choices of the row conflict page (views/tables/conflict.ejs): "Keep theirs" saves the person's other
// edits (the columns she changed that nobody else did) over the row as it is now, and the page says who made
// the other change, from the audit log (or that it came from outside this app).
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { TableAccess } from '../permissions/access.js';
import type { RowConflictError } from '../tables/table-service.js';
import type { AuditQuery } from './audit-query.js';

const BASELINE_PREFIX = 'o:';

export async function conflictChoices(
  audit: Pick<AuditQuery, 'lastWriterOf'>,
  actor: Actor,
  orgId: string,
  tableId: string,
  body: unknown,
  err: RowConflictError,
  data: { row: Row; columns: string[]; access: TableAccess },
  mine: Row,
): Promise<{ keepMine: string[]; otherWriter: { seq: number; actorName: string; at: Date } | null }> {
  const b = (body ?? {}) as Record<string, unknown>;
  const conflicting = new Set(err.conflicts.map((c) => c.column));
  // Her edits: a writable column whose submitted value differs from the one her form started from, and from
  // the value now (nothing to save otherwise). Compared as text, as the form sent them.
  const keepMine = data.columns.filter((c) => {
    const started = b[`${BASELINE_PREFIX}${c}`];
    return (
      c !== 'key' &&
      !conflicting.has(c) &&
      data.access.columns[c] === 'write' &&
      typeof started === 'string' &&
      mine[c] !== undefined &&
      String(mine[c]) !== started &&
      String(mine[c]) !== String(data.row[c] ?? '')
    );
  });
  // The row's key is named only when she may see it (a hidden key's row is not looked up by key here).
  const key = data.row.key;
  const otherWriter =
    typeof key === 'string' && data.access.columns.key !== 'hidden'
      ? await audit.lastWriterOf(actor, { orgId, tableId, rowKey: key }, err.conflicts)
      : null;
  return { keepMine, otherWriter };
}
