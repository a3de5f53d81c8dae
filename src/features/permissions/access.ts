// Effective rights of one user on one table: deny by default, admins have every right, a read-only org
// allows no writes for anyone. Pure functions, so the rules are easy to read and to test.
import type { TableSchema } from '../../genesys/gateway.js';

export const COLUMN_ACCESS = ['hidden', 'read', 'write'] as const;
export type ColumnAccess = (typeof COLUMN_ACCESS)[number];

export interface StoredRights {
  canView: boolean;
  canEdit: boolean;
  canAdd: boolean;
  canDelete: boolean;
  defaultColumnAccess: ColumnAccess;
  columns: Record<string, ColumnAccess>;
}

export const NO_RIGHTS: StoredRights = { canView: false, canEdit: false, canAdd: false, canDelete: false, defaultColumnAccess: 'hidden', columns: {} };

export interface TableAccess {
  canView: boolean;
  canEdit: boolean;
  canAdd: boolean;
  canDelete: boolean;
  /** Why writes are impossible, if they are (for messages). */
  readOnlyReason: string | null;
  /** Access to each column of the schema, already capped by the table rights and the org's read-only flag. */
  columns: Record<string, ColumnAccess>;
}

export function isColumnAccess(v: unknown): v is ColumnAccess {
  return typeof v === 'string' && (COLUMN_ACCESS as readonly string[]).includes(v);
}

/** Columns in the schema's display order, key first. */
export function orderedColumns(schema: TableSchema): string[] {
  return Object.entries(schema.properties)
    .sort(([a, pa], [b, pb]) => (a === 'key' ? -1 : b === 'key' ? 1 : (pa.displayOrder ?? Number.MAX_SAFE_INTEGER) - (pb.displayOrder ?? Number.MAX_SAFE_INTEGER) || (a < b ? -1 : 1)))
    .map(([name]) => name);
}

export function resolveAccess(opts: { isAdmin: boolean; orgReadOnly: boolean; orgName: string; rights: StoredRights | null; schema: TableSchema }): TableAccess {
  const rights = opts.isAdmin ? { canView: true, canEdit: true, canAdd: true, canDelete: true, defaultColumnAccess: 'write' as const, columns: {} } : (opts.rights ?? NO_RIGHTS);
  const canView = rights.canView;
  const writesAllowed = canView && !opts.orgReadOnly;
  const columns: Record<string, ColumnAccess> = {};
  for (const name of orderedColumns(opts.schema)) {
    let access: ColumnAccess = canView ? (rights.columns[name] ?? rights.defaultColumnAccess) : 'hidden';
    if (access === 'write' && !writesAllowed) access = 'read';
    columns[name] = access;
  }
  return {
    canView,
    canEdit: writesAllowed && rights.canEdit,
    canAdd: writesAllowed && rights.canAdd,
    canDelete: writesAllowed && rights.canDelete,
    readOnlyReason: opts.orgReadOnly ? `The org “${opts.orgName}” is read-only: nobody can change its data through this app.` : null,
    columns,
  };
}

export const visibleColumns = (access: TableAccess) => Object.keys(access.columns).filter((c) => access.columns[c] !== 'hidden');
export const writableColumns = (access: TableAccess) => Object.keys(access.columns).filter((c) => access.columns[c] === 'write');
