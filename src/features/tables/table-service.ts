// What a user may see of an org's tables and rows, and the only path by which rows change. Rights are
// checked from the stored grants before Genesys is called at all; hidden columns are removed here, in the
// service, so no page, export or error can show them. Writes re-read the row from Genesys, lay only the
// permitted changed columns over it, and send the merged row (Genesys replaces whole rows), as changes the
// change engine applies (src/features/changes/: rights, row locks, write-ahead audit, cache).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { isUnaddressableSegment, unaddressableKeyError } from '../../genesys/path-segments.js';
import type { DataTable, DataTableGateway, Row } from '../../genesys/gateway.js';
import type { RowCache } from '../../genesys/row-cache.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditService } from '../audit/audit-service.js';
import type { ChangeEngine } from '../changes/change-engine.js';
import { newChangeId, type ColumnConflict, type RowChange } from '../changes/row-change.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { visibleColumns, type TableAccess } from '../permissions/access.js';
import type { PermissionService } from '../permissions/permission-service.js';
import { parseRowForm } from './row-form.js';
import { assertDistinctKey, fixedKeyNote, keyConfirmed, newKeyProblem } from './key-rules.js';
import { keyOfRef, refOfKey } from './row-ref.js';
import { assertMayWrite, assertWritable, renameRefusal } from './write-rights.js';
import { mayCreateTables, needsTableGrants, rightsOf, tableAccess } from '../permissions/policy.js';

export interface UserTable {
  table: DataTable;
  access: TableAccess;
  /** Columns the user may see, in display order (key first when visible). */
  columns: string[];
}

/** A row with only the given columns (own properties: a column may be called `constructor` or `__proto__`). */
export function project(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.filter((c) => Object.hasOwn(row, c)).map((c) => [c, row[c]!]));
}

/** Someone else changed a column this user also changed, since the user opened the form. */
export class RowConflictError extends ConflictError {
  constructor(
    readonly conflicts: ColumnConflict[],
    readonly current: Row,
  ) {
    super(
      `Someone else changed ${conflicts.map((c) => `“${c.column}”`).join(', ')} while you were editing. Choose which values to keep.`,
    );
    this.name = 'RowConflictError';
  }
}

/** How pages name a row: its key when the user may see the key, else an opaque handle (see refFor). */
export interface RowRef {
  ref: string;
  values: Row;
  /** Its key is `.` or `..`: Genesys cannot address it, so it cannot be changed or deleted (ADR 004). */
  fixed: boolean;
}

const HANDLE_PREFIX = 'h.';

export function createTableService(deps: {
  orgs: OrgService;
  permissions: PermissionService;
  rowCache: RowCache;
  audit: AuditService;
  /** Applies every row change (given lazily: the engine asks this service which tables a user may write). */
  engine: () => ChangeEngine;
  clock: Clock;
  tableListMaxAgeMs: number;
}) {
  const tableLists = new Map<string, { tables: DataTable[]; loadedAt: number }>();
  const rowCounts = new Map<string, { count: number; at: number }>();
  // Keys hidden from a user must not appear in their URLs either: such rows are named by an HMAC of the key
  // under a per-process secret (links stay valid until the app restarts).
  const handleSecret = randomBytes(32);
  const keyHandle = (orgId: string, tableId: string, key: string) =>
    HANDLE_PREFIX +
    createHmac('sha256', handleSecret).update(`${orgId}\u0000${tableId}\u0000${key}`).digest('base64url').slice(0, 27);
  const handleOf = (org: OrgView, tableId: string, key: string) => keyHandle(org.id, tableId, key);
  const refFor = (t: UserTable, org: OrgView, key: string) =>
    t.access.columns.key === 'hidden' ? handleOf(org, t.table.id, key) : refOfKey(key);

  /** The row key behind a page's row reference; a raw key is refused when the user may not see keys. */
  async function keyOf(t: UserTable & { gateway: DataTableGateway }, org: OrgView, ref: string): Promise<string> {
    if (t.access.columns.key !== 'hidden') {
      const key = keyOfRef(ref);
      if (key === null) throw new NotFoundError('That row does not exist or you have no access to it.');
      return key;
    }
    if (!ref.startsWith(HANDLE_PREFIX)) throw new NotFoundError('That row does not exist or you have no access to it.');
    const cached = await deps.rowCache.get(org.id, t.table.id);
    const row = cached.rows.find((r) => handleOf(org, t.table.id, String(r.key)) === ref);
    if (!row)
      throw new NotFoundError(
        'That row does not exist any more, or the link has expired. Go back to the table and try again.',
      );
    return String(row.key);
  }

  /** The table's keys (row cache), to warn about a new key that looks like one of them. */
  async function keysOf(t: UserTable & { gateway: DataTableGateway }, org: OrgView): Promise<string[]> {
    return (await deps.rowCache.get(org.id, t.table.id)).rows.map((r) => String(r.key));
  }

  async function tablesOf(org: OrgView, refresh = false): Promise<DataTable[]> {
    const cached = tableLists.get(org.id);
    if (cached && !refresh && deps.clock.now() - cached.loadedAt < deps.tableListMaxAgeMs) return cached.tables;
    const tables = await (await deps.orgs.gatewayFor(org.id)).listTables();
    tableLists.set(org.id, { tables, loadedAt: deps.clock.now() });
    return tables;
  }

  /** The table as this actor may see it. Non-admins without a grant get 404 before anything reaches Genesys. */
  async function open(actor: Actor, org: OrgView, tableId: string): Promise<UserTable & { gateway: DataTableGateway }> {
    const stored = needsTableGrants(actor) ? await deps.permissions.rightsOn(actor.userId, org.id, tableId) : null;
    if (rightsOf(actor, stored)?.canView === false)
      throw new NotFoundError('That table does not exist or you have no access to it.');
    const gateway = await deps.orgs.gatewayFor(org.id, org);
    let table = (await tablesOf(org)).find((t) => t.id === tableId);
    table ??= (await tablesOf(org, true)).find((t) => t.id === tableId);
    if (!table)
      throw new NotFoundError(
        "That table does not exist in this org as the app's Genesys OAuth client sees it: it may have been deleted in Genesys Cloud, or be in a division the client's role does not cover (add that division to the role).",
      );
    const access = tableAccess(actor, { orgReadOnly: org.readOnly, orgName: org.name, stored, schema: table.schema });
    if (!access.canView) throw new NotFoundError('That table does not exist or you have no access to it.');
    return { table, access, columns: visibleColumns(access), gateway };
  }

  function assertReason(org: OrgView, reason: string | null): void {
    if (org.requireReason && !reason)
      throw new ValidationError(`Changes in “${org.name}” need a reason.`, {
        reason: 'Give a reason for this change; it is kept in the audit log.',
      });
  }

  /**
   * The change a row form asks for, read and checked as a direct save reads and checks it (rights, values,
   * reason, a key too like another), without applying it: a direct save applies it at once, a change request
   * keeps it for later. A delete form's body carries only its reason.
   */
  async function formChange(
    actor: Actor,
    org: OrgView,
    tableId: string,
    kind: RowChange['kind'],
    ref: string | null,
    body: unknown,
  ): Promise<{ t: UserTable & { gateway: DataTableGateway }; change: RowChange; reason: string | null }> {
    const t = await open(actor, org, tableId);
    if (kind === 'delete') {
      assertWritable(t.access, 'canDelete', 'delete rows');
      const typed = (body as Record<string, unknown> | undefined)?.reason;
      const reason = typeof typed === 'string' && typed.trim() ? typed.trim().slice(0, 500) : null;
      assertReason(org, reason);
      const key = await keyOf(t, org, ref ?? '');
      return { t, reason, change: { id: newChangeId(), kind: 'delete', tableId, key } };
    }
    if (kind === 'update') {
      assertWritable(t.access, 'canEdit', 'edit rows');
      const key = await keyOf(t, org, ref ?? '');
      const { values, baseline, reason } = parseRowForm(body, t.table.schema, t.access, 'update');
      assertMayWrite(t, 'update', Object.keys(values), 'This change');
      assertReason(org, reason);
      return { t, reason, change: { id: newChangeId(), kind: 'update', tableId, key, write: values, baseline } };
    }
    assertWritable(t.access, 'canAdd', 'add rows');
    const { values, reason } = parseRowForm(body, t.table.schema, t.access, 'create');
    assertMayWrite(t, 'create', Object.keys(values), 'This row');
    assertReason(org, reason);
    const key = String(values.key);
    assertDistinctKey(key, await keysOf(t, org), keyConfirmed(body, key), 'key');
    return { t, reason, change: { id: newChangeId(), kind: 'create', tableId, key, write: values } };
  }

  return {
    open,

    formChange,

    /** The opaque name of a row whose key a reader may not see (the same handle the table pages use). */
    keyHandle,

    async listTables(actor: Actor, org: OrgView, opts: { refresh?: boolean } = {}) {
      return deps.permissions.visibleTables(actor, org, await tablesOf(org, opts.refresh));
    },

    /**
     * The table's rows from the row cache, for searching and paging. They are full rows: callers may only look
     * at `columns` and must pass rows through `present` (visible columns only) before they leave the service
     * layer; projecting just the shown page keeps a 5,000-row search cheap.
     */
    async rows(actor: Actor, org: OrgView, tableId: string, opts: { refresh?: boolean; loadedSince?: number } = {}) {
      const t = await open(actor, org, tableId);
      const cached = await deps.rowCache.get(org.id, tableId, opts);
      const present = (row: Row): RowRef => ({
        ref: refFor(t, org, String(row.key)),
        values: project(row, t.columns),
        fixed: isUnaddressableSegment(String(row.key)),
      });
      return {
        table: t.table,
        access: t.access,
        columns: t.columns,
        rows: cached.rows,
        present,
        loadedAt: cached.loadedAt,
      };
    },

    /** One row for the edit form, read fresh from Genesys, visible columns only. */
    async row(actor: Actor, org: OrgView, tableId: string, ref: string) {
      const t = await open(actor, org, tableId);
      const key = await keyOf(t, org, ref);
      const row = await t.gateway.getRow(tableId, key);
      if (!row)
        throw new NotFoundError(
          t.columns.includes('key')
            ? `There is no row “${key}” in ${t.table.name}.`
            : `That row no longer exists in ${t.table.name}.`,
        );
      return {
        table: t.table,
        access: t.access,
        columns: t.columns,
        ref,
        row: project(row, t.columns),
        fixed: isUnaddressableSegment(key) ? fixedKeyNote(key, t.columns.includes('key')) : null,
        renameRefusal: renameRefusal(t, key, row),
      };
    },

    /**
     * Saves the columns a form changed. The form carries the values the user started from: when someone
     * else has since changed a column the user also changed, nothing is written and a RowConflictError says
     * which; changes by others to other columns are kept (the write is merged onto the current row).
     */
    async updateRow(
      actor: Actor,
      org: OrgView,
      tableId: string,
      ref: string,
      body: unknown,
    ): Promise<{ changed: string[]; row: Row }> {
      const { t, change, reason } = await formChange(actor, org, tableId, 'update', ref, body);
      const r = await deps
        .engine()
        .applyOne({ actor, org, batchId: null, reason, doing: 'This change', changes: [change] });
      if (r.status === 'gone') throw new NotFoundError(`That row no longer exists in ${t.table.name}.`);
      if (r.status === 'conflict') throw new RowConflictError(r.conflicts, project(r.current!, t.columns));
      if (r.status === 'unchanged') return { changed: [], row: project(r.row, t.columns) };
      return { changed: r.changed, row: project(r.row!, t.columns) };
    },

    /** Renaming a key is a create under the new key and a delete of the old one, audited as one batch. */
    async renameRow(
      actor: Actor,
      org: OrgView,
      tableId: string,
      ref: string,
      newKey: string,
      opts: { confirmed?: boolean } = {},
    ): Promise<void> {
      const t = await open(actor, org, tableId);
      assertWritable(t.access, 'canAdd', 'add rows (renaming a key adds a row)');
      assertWritable(t.access, 'canDelete', 'delete rows (renaming a key deletes the old row)');
      if (t.access.columns.key !== 'write') throw new ForbiddenError('You may not change keys in this table.');
      const key = await keyOf(t, org, ref);
      // The old row is deleted after the copy is made: refuse up front a key that cannot be deleted (ADR 004).
      if (isUnaddressableSegment(key)) throw unaddressableKeyError(key, 'delete');
      const target = newKey;
      const problem = newKeyProblem(target) ?? (target === key ? 'The new key is the same as the old one.' : null);
      if (problem) throw new ValidationError('Please correct the highlighted fields.', { newKey: problem });
      assertDistinctKey(
        target,
        (await keysOf(t, org)).filter((k) => k !== key),
        opts.confirmed ?? false,
        'newKey',
      );
      const batchId = randomUUID();
      const engine = deps.engine();
      // The old row stays locked from the read that copies it to its delete: no edit of it can be lost between.
      await engine.withRowLock(org.id, tableId, key, async () => {
        const current = await t.gateway.getRow(tableId, key);
        if (!current) throw new NotFoundError(`That row no longer exists in ${t.table.name}.`);
        // Both keys in the details too: a reader who may not see keys gets both replaced in the reasons.
        const details = { from: key, to: target };
        const { results } = await engine.apply(
          {
            actor,
            org,
            batchId,
            reason: null,
            doing: 'This rename',
            changes: [
              {
                id: newChangeId(),
                kind: 'create',
                tableId,
                key: target,
                write: { ...current, key: target },
                reason: `Rename of “${key}”`,
                details,
              },
              { id: newChangeId(), kind: 'delete', tableId, key, reason: `Renamed to “${target}”`, details },
            ],
          },
          { stopAfterProblem: true },
        );
        const problem = results.find((r) => r.status === 'failed' || r.status === 'unknown');
        if (problem && 'error' in problem) throw problem.error;
        if (results[1]!.status === 'gone') throw new NotFoundError(`That row no longer exists in ${t.table.name}.`);
      });
      await deps.audit.record(
        { action: 'row.renamed', orgId: org.id, tableId, rowKey: target, batchId, details: { from: key, to: target } },
        actor,
      );
    },

    /**
     * Row counts of tables: the cached rows' count while they are fresh (it follows the app's own writes),
     * else one small call per table, cached like the table list. Never reads or fills the row cache.
     */
    async rowCount(org: OrgView, tableId: string): Promise<number | null> {
      const fresh = deps.rowCache.peek(org.id, tableId);
      if (fresh) return fresh.rows.length;
      const cached = rowCounts.get(`${org.id}\u0000${tableId}`);
      if (cached && deps.clock.now() - cached.at < deps.tableListMaxAgeMs) return cached.count;
      try {
        const count = await (await deps.orgs.gatewayFor(org.id)).countRows(tableId);
        rowCounts.set(`${org.id}\u0000${tableId}`, { count, at: deps.clock.now() });
        return count;
      } catch {
        return null;
      }
    },

    async createRow(actor: Actor, org: OrgView, tableId: string, body: unknown): Promise<Row> {
      const { t, change, reason } = await formChange(actor, org, tableId, 'create', null, body);
      const r = await deps
        .engine()
        .applyOne({ actor, org, batchId: null, reason, doing: 'This row', changes: [change] });
      if (r.status !== 'applied') throw new ConflictError(`A row with the key “${change.key}” exists already.`);
      return project(r.row!, t.columns);
    },

    /** Deletes a row; `name` is its key as the user may see it (null where the key is hidden from her). */
    async deleteRow(
      actor: Actor,
      org: OrgView,
      tableId: string,
      ref: string,
      reason: string | null = null,
    ): Promise<{ name: string | null }> {
      const { t, change } = await formChange(actor, org, tableId, 'delete', ref, { reason });
      const r = await deps.engine().applyOne({
        actor,
        org,
        batchId: null,
        reason,
        doing: 'Deleting this row',
        changes: [change],
      });
      if (r.status === 'gone') throw new NotFoundError(`That row no longer exists in ${t.table.name}.`);
      return { name: t.columns.includes('key') ? change.key : null };
    },

    /** Admins only: a new table in Genesys Cloud (a restore creating a table its backup has). */
    async createTable(
      actor: Actor,
      org: OrgView,
      table: { name: string; description: string; divisionId?: string; schema: DataTable['schema'] },
    ): Promise<DataTable> {
      if (!mayCreateTables(actor)) throw new ForbiddenError('Only administrators may create tables.');
      if (org.readOnly) throw new ForbiddenError(`“${org.name}” is read-only in this app.`);
      const gateway = await deps.orgs.gatewayFor(org.id, org);
      const created = await gateway.createTable(table);
      await deps.audit.record(
        {
          action: 'table.created',
          orgId: org.id,
          tableId: created.id,
          details: { name: created.name, columns: Object.keys(created.schema.properties) },
        },
        actor,
      );
      tableLists.delete(org.id);
      return created;
    },

    invalidate(orgId: string): void {
      tableLists.delete(orgId);
      for (const k of [...rowCounts.keys()]) if (k.startsWith(`${orgId}\u0000`)) rowCounts.delete(k);
      deps.rowCache.invalidate(orgId);
    },
  };
}

export type TableService = ReturnType<typeof createTableService>;
