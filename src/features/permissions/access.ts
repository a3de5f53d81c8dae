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
  /** May approve other people's change requests on this table (issue 15). */
  canApprove: boolean;
  /** May run this table's playbooks, even without the edit right. */
  canRunPlaybooks: boolean;
  defaultColumnAccess: ColumnAccess;
  columns: Record<string, ColumnAccess>;
}

export const NO_RIGHTS: StoredRights = {
  canView: false,
  canEdit: false,
  canAdd: false,
  canDelete: false,
  canApprove: false,
  canRunPlaybooks: false,
  defaultColumnAccess: 'hidden',
  columns: columnRecord([]),
};

/**
 * A record indexed by column name, without a prototype: Genesys lets a column be called `constructor`,
 * `toString` or `__proto__`, and on a plain object such a name would find Object.prototype's member instead
 * of "no entry" (a column added after a grant would then escape the grant's default).
 */
export function columnRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [column, value] of entries) out[column] = value;
  return out;
}

/**
 * The one rule for what a stored grant gives on one column, by name (in today's schema or not: audit entries
 * name columns of older snapshots too). `null` rights are an administrator's: everything. Every reader of a
 * column (table pages, exports, audit views, previews) decides through this function.
 */
export function columnAccess(rights: StoredRights | null, column: string): ColumnAccess {
  if (rights === null) return 'write';
  if (!rights.canView) return 'hidden';
  const granted = Object.hasOwn(rights.columns, column) ? rights.columns[column] : undefined;
  return isColumnAccess(granted) ? granted : rights.defaultColumnAccess;
}

export const canSeeColumn = (rights: StoredRights | null, column: string) => columnAccess(rights, column) !== 'hidden';

export interface TableAccess {
  canView: boolean;
  canEdit: boolean;
  canAdd: boolean;
  canDelete: boolean;
  /** Approving change requests and running playbooks write too, so a read-only org allows neither. */
  canApprove: boolean;
  canRunPlaybooks: boolean;
  /** Why writes are impossible, if they are (for messages). */
  readOnlyReason: string | null;
  /**
   * Access to each column of the schema, already capped by the table rights and the org's read-only flag.
   * Built by columnRecord (no prototype): a name that is not a column reads as undefined.
   */
  columns: Record<string, ColumnAccess>;
}

export function isColumnAccess(v: unknown): v is ColumnAccess {
  return typeof v === 'string' && (COLUMN_ACCESS as readonly string[]).includes(v);
}

/** Columns in the schema's display order, key first. */
export function orderedColumns(schema: TableSchema): string[] {
  return Object.entries(schema.properties)
    .sort(([a, pa], [b, pb]) =>
      a === 'key'
        ? -1
        : b === 'key'
          ? 1
          : (pa.displayOrder ?? Number.MAX_SAFE_INTEGER) - (pb.displayOrder ?? Number.MAX_SAFE_INTEGER) ||
            (a < b ? -1 : 1),
    )
    .map(([name]) => name);
}

export function resolveAccess(opts: {
  isAdmin: boolean;
  orgReadOnly: boolean;
  orgName: string;
  rights: StoredRights | null;
  schema: TableSchema;
}): TableAccess {
  const rights = opts.isAdmin ? null : (opts.rights ?? NO_RIGHTS);
  const canView = rights?.canView ?? true;
  const writesAllowed = canView && !opts.orgReadOnly;
  const columns = columnRecord(
    orderedColumns(opts.schema).map((name) => {
      const access = columnAccess(rights, name);
      return [name, access === 'write' && !writesAllowed ? 'read' : access] as const;
    }),
  );
  return {
    canView,
    canEdit: writesAllowed && (rights?.canEdit ?? true),
    canAdd: writesAllowed && (rights?.canAdd ?? true),
    canDelete: writesAllowed && (rights?.canDelete ?? true),
    canApprove: writesAllowed && (rights?.canApprove ?? true),
    canRunPlaybooks: writesAllowed && (rights?.canRunPlaybooks ?? true),
    readOnlyReason: opts.orgReadOnly
      ? `The org “${opts.orgName}” is read-only: nobody can change its data through this app.`
      : null,
    columns,
  };
}

export const visibleColumns = (access: TableAccess) =>
  Object.keys(access.columns).filter((c) => access.columns[c] !== 'hidden');
export const writableColumns = (access: TableAccess) =>
  Object.keys(access.columns).filter((c) => access.columns[c] === 'write');
