// A playbook as one person may see it: each row's values, with the columns (and keys) hidden from that person
// masked, so the list and the playbook page show what a run writes without revealing what the grants hide.
import type { RowValue } from '../../genesys/gateway.js';
import { columnAccess, type StoredRights } from '../permissions/access.js';
import { contentRows, type PlaybookRowKind } from './playbook-content.js';
import type { Playbook } from './playbook-repository.js';

export interface ShownValue {
  column: string;
  /** null when hidden from the viewer. */
  value: RowValue | null;
  hidden: boolean;
}

export interface ShownRow {
  tableId: string;
  tableName: string;
  kind: PlaybookRowKind;
  /** null when the key column is hidden from the viewer. */
  key: string | null;
  values: ShownValue[];
  /** Columns hidden from the viewer that the row writes (counted, never named). */
  hiddenCount: number;
}

export interface PlaybookView {
  id: string;
  name: string;
  description: string;
  durationMinutes: number | null;
  version: number;
  /** Approved content exists: it can run. */
  approved: boolean;
  /** New content waits for approval (runs still write the approved version). */
  pendingRequestId: string | null;
  mayRun: boolean;
  rows: ShownRow[];
  tables: string[];
}

/** `grant(tableId)`: the viewer's stored rights on a table (null: an administrator's, everything). */
export function presentPlaybook(
  p: Playbook,
  grant: (tableId: string) => StoredRights | null,
  mayRun: boolean,
): PlaybookView {
  const rows = contentRows(p.content).map((r): ShownRow => {
    const rights = grant(r.tableId);
    const seen = (column: string) => columnAccess(rights, column) !== 'hidden';
    const values = Object.entries(r.requested ?? {})
      .filter(([column]) => column !== 'key')
      .map(([column, value]) => ({ column, value: seen(column) ? value : null, hidden: !seen(column) }));
    return {
      tableId: r.tableId,
      tableName: r.tableName,
      kind: r.kind,
      key: seen('key') ? r.key : null,
      values: values.filter((v) => !v.hidden),
      hiddenCount: values.filter((v) => v.hidden).length,
    };
  });
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    durationMinutes: p.durationMinutes,
    version: p.version,
    approved: p.version > 0,
    pendingRequestId: p.pendingRequestId,
    mayRun,
    rows,
    tables: [...new Set(rows.map((r) => r.tableName))],
  };
}
