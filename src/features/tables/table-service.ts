// What a user may see of an org's tables and rows, and the only path by which rows change. Rights are
// checked from the stored grants before Genesys is called at all; hidden columns are removed here, in the
// service, so no page, export or error can show them. Writes re-read the row from Genesys, lay only the
// permitted changed columns over it, and send the merged row (Genesys replaces whole rows), recorded
// write-ahead in the audit log (intent before the call, outcome after).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Mutex } from 'async-mutex';
import { rowHolds, sameIn } from '../../genesys/datatable-schema.js';
import { GenesysUnavailableError } from '../../genesys/errors.js';
import { isUnaddressableSegment, unaddressableKeyError } from '../../genesys/path-segments.js';
import type { DataTable, DataTableGateway, Row } from '../../genesys/gateway.js';
import type { RowCache } from '../../genesys/row-cache.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { CurrentUser } from '../../lib/current-user.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { resolveAccess, visibleColumns, type TableAccess } from '../permissions/access.js';
import type { PermissionService } from '../permissions/permission-service.js';
import { parseRowForm } from './row-form.js';
import { importRows, type ImportItem, type ImportOutcome } from './row-import.js';
import { assertDistinctKey, fixedKeyNote, keyConfirmed, newKeyProblem } from './key-rules.js';
import { keyOfRef, refOfKey } from './row-ref.js';

export interface UserTable {
  table: DataTable;
  access: TableAccess;
  /** Columns the user may see, in display order (key first when visible). */
  columns: string[];
}

/** A row with only the given columns (own properties: a column may be called `constructor` or `__proto__`). */
/** What an undo or restore writes: changed columns back, a delete, or a row created again. */
export type RevertPlan = { kind: 'update'; values: Row; expected: Row } | { kind: 'delete'; expected: Row } | { kind: 'create'; row: Row };

export function project(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.filter((c) => Object.hasOwn(row, c)).map((c) => [c, row[c]!]));
}

/** Someone else changed a column this user also changed, since the user opened the form. */
export class RowConflictError extends ConflictError {
  constructor(
    readonly conflicts: { column: string; original: Row[string] | undefined; theirs: Row[string] | undefined; yours: Row[string] }[],
    readonly current: Row,
  ) {
    super(`Someone else changed ${conflicts.map((c) => `“${c.column}”`).join(', ')} while you were editing. Choose which values to keep.`);
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

export interface WriteOptions {
  batchId?: string;
  /** The id the write's audit entries get, so a caller can look up its outcome later (a bulk job's report). */
  changeId?: string;
}

export function createTableService(deps: {
  orgs: OrgService;
  permissions: PermissionService;
  rowCache: RowCache;
  audit: AuditService;
  clock: Clock;
  tableListMaxAgeMs: number;
  /** Test-only: kill the process at a step of a write, to prove the write-ahead log loses nothing. */
  crashAt?: 'after_intent' | 'after_upstream' | null;
}) {
  const crash = (point: 'after_intent' | 'after_upstream') => {
    if (deps.crashAt === point) process.kill(process.pid, 'SIGKILL');
  };
  const tableLists = new Map<string, { tables: DataTable[]; loadedAt: number }>();
  const rowCounts = new Map<string, { count: number; at: number }>();
  const rowLocks = new Map<string, Mutex>();
  // Keys hidden from a user must not appear in their URLs either: such rows are named by an HMAC of the key
  // under a per-process secret (links stay valid until the app restarts).
  const handleSecret = randomBytes(32);
  const keyHandle = (orgId: string, tableId: string, key: string) =>
    HANDLE_PREFIX + createHmac('sha256', handleSecret).update(`${orgId}\u0000${tableId}\u0000${key}`).digest('base64url').slice(0, 27);
  const handleOf = (org: OrgView, tableId: string, key: string) => keyHandle(org.id, tableId, key);
  const refFor = (t: UserTable, org: OrgView, key: string) => (t.access.columns.key === 'hidden' ? handleOf(org, t.table.id, key) : refOfKey(key));

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
    if (!row) throw new NotFoundError('That row does not exist any more, or the link has expired. Go back to the table and try again.');
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

  /** The table as this user may see it. Non-admins without a grant get 404 before anything reaches Genesys. */
  async function open(user: CurrentUser, org: OrgView, tableId: string): Promise<UserTable & { gateway: DataTableGateway }> {
    const rights = user.role === 'ADMIN' ? null : await deps.permissions.rightsOn(user.id, org.id, tableId);
    if (user.role !== 'ADMIN' && !rights?.canView) throw new NotFoundError('That table does not exist or you have no access to it.');
    const gateway = await deps.orgs.gatewayFor(org.id, org);
    let table = (await tablesOf(org)).find((t) => t.id === tableId);
    table ??= (await tablesOf(org, true)).find((t) => t.id === tableId);
    if (!table) throw new NotFoundError("That table does not exist in this org as the app's Genesys OAuth client sees it: it may have been deleted in Genesys Cloud, or be in a division the client's role does not cover (add that division to the role).");
    const access = resolveAccess({ isAdmin: user.role === 'ADMIN', orgReadOnly: org.readOnly, orgName: org.name, rights, schema: table.schema });
    if (!access.canView) throw new NotFoundError('That table does not exist or you have no access to it.');
    return { table, access, columns: visibleColumns(access), gateway };
  }

  function lockFor(org: OrgView, tableId: string, key: string): Mutex {
    const k = `${org.id}\u0000${tableId}\u0000${key}`;
    let m = rowLocks.get(k);
    if (!m) {
      m = new Mutex();
      rowLocks.set(k, m);
    }
    return m;
  }

  /** Serialises writes to one row (two saves from the app never both win), then forgets idle locks. */
  async function withRowLock<T>(org: OrgView, tableId: string, key: string, fn: () => Promise<T>): Promise<T> {
    const k = `${org.id}\u0000${tableId}\u0000${key}`;
    const lock = lockFor(org, tableId, key);
    try {
      return await lock.runExclusive(fn);
    } finally {
      if (!lock.isLocked()) rowLocks.delete(k);
    }
  }

  /** Write-ahead: the intent is committed before the Genesys call, the outcome after it. */
  async function recordedWrite<T>(
    actor: Actor,
    event: { action: string; orgId: string; tableId: string; rowKey: string; before: Row | null; after: Row | null; changed: string[]; reason: string | null; batchId?: string; changeId?: string; extra?: Record<string, unknown> },
    call: () => Promise<T>,
  ): Promise<T> {
    const changeId = event.changeId ?? randomUUID();
    const base = { action: event.action, orgId: event.orgId, tableId: event.tableId, rowKey: event.rowKey, changeId, reason: event.reason, batchId: event.batchId ?? null };
    await deps.audit.record({ ...base, outcome: 'intent', before: event.before ?? undefined, after: event.after ?? undefined, details: { changed: event.changed, ...event.extra } }, actor);
    crash('after_intent');
    try {
      const result = await call();
      crash('after_upstream');
      await deps.audit.record({ ...base, outcome: 'applied' }, actor);
      return result;
    } catch (err) {
      const outcome = err instanceof GenesysUnavailableError && err.mayHaveApplied ? 'unknown' : 'failed';
      // Whether the row changed is not known: the cached rows are not known either, so they are read again.
      if (outcome === 'unknown') deps.rowCache.invalidate(event.orgId, event.tableId);
      await deps.audit.record({ ...base, outcome, details: { message: (err as Error).message } }, actor);
      throw err;
    }
  }

  function assertReason(org: OrgView, reason: string | null): void {
    if (org.requireReason && !reason) throw new ValidationError(`Changes in “${org.name}” need a reason.`, { reason: 'Give a reason for this change; it is kept in the audit log.' });
  }

  function assertWritable(access: TableAccess, right: 'canEdit' | 'canAdd' | 'canDelete', what: string): void {
    if (access.readOnlyReason) throw new ForbiddenError(access.readOnlyReason);
    if (!access[right]) throw new ForbiddenError(`You may not ${what} in this table.`);
  }

  /**
   * The one check before any row is written (form edits, creates, undo, restore, imports): the table right
   * for the kind of write, and the write right on every column whose value the write sends. Columns the
   * user cannot see are never named (a message must not reveal a hidden column).
   */
  function assertMayWrite(t: UserTable, kind: 'create' | 'update' | 'delete', columns: Iterable<string>, doing: string): void {
    assertWritable(t.access, kind === 'create' ? 'canAdd' : kind === 'update' ? 'canEdit' : 'canDelete', kind === 'create' ? 'add rows' : kind === 'update' ? 'edit rows' : 'delete rows');
    const refused = [...new Set(columns)].filter((c) => t.access.columns[c] !== 'write');
    if (refused.length === 0) return;
    const named = refused.filter((c) => t.columns.includes(c)).map((c) => `“${t.table.schema.properties[c]?.title || c}”`);
    const hidden = refused.length > named.length ? ['columns you cannot see'] : [];
    throw new ForbiddenError(`${doing} would change ${[...named, ...hidden].join(' and ')}, which you may not change.`);
  }

  /** The write check of an undo or restore (a re-created row sends every column it holds: each needs the write right). */
  function assertMayRevert(t: UserTable, plan: RevertPlan, restore: boolean): void {
    const doing = restore ? 'Restoring this row' : 'Undoing this change';
    if (plan.kind === 'update') assertMayWrite(t, 'update', Object.keys(plan.values), doing);
    else if (plan.kind === 'create') assertMayWrite(t, 'create', Object.keys(plan.row), doing);
    else assertMayWrite(t, 'delete', [], doing);
  }

  return {
    open,

    /**
     * Why `user` may not apply `plan` now (null: she may), by the same check revert() runs, so pages offer
     * an undo or restore button only when the POST would pass it.
     */
    async revertRefusal(user: CurrentUser, org: OrgView, tableId: string, plan: RevertPlan, restore: boolean): Promise<string | null> {
      try {
        assertMayRevert(await open(user, org, tableId), plan, restore);
        return null;
      } catch (err) {
        if (err instanceof ForbiddenError) return err.message;
        throw err;
      }
    },

    /** The opaque name of a row whose key a reader may not see (the same handle the table pages use). */
    keyHandle,

    async listTables(user: CurrentUser, org: OrgView, opts: { refresh?: boolean } = {}) {
      return deps.permissions.visibleTables(user, org, await tablesOf(org, opts.refresh));
    },

    /**
     * The table's rows from the row cache, for searching and paging. They are full rows: callers may only look
     * at `columns` and must pass rows through `present` (visible columns only) before they leave the service
     * layer; projecting just the shown page keeps a 5,000-row search cheap.
     */
    async rows(user: CurrentUser, org: OrgView, tableId: string, opts: { refresh?: boolean; loadedSince?: number } = {}) {
      const t = await open(user, org, tableId);
      const cached = await deps.rowCache.get(org.id, tableId, opts);
      const present = (row: Row): RowRef => ({ ref: refFor(t, org, String(row.key)), values: project(row, t.columns), fixed: isUnaddressableSegment(String(row.key)) });
      return { table: t.table, access: t.access, columns: t.columns, rows: cached.rows, present, loadedAt: cached.loadedAt };
    },

    /** One row for the edit form, read fresh from Genesys, visible columns only. */
    async row(user: CurrentUser, org: OrgView, tableId: string, ref: string) {
      const t = await open(user, org, tableId);
      const key = await keyOf(t, org, ref);
      const row = await t.gateway.getRow(tableId, key);
      if (!row) throw new NotFoundError(t.columns.includes('key') ? `There is no row “${key}” in ${t.table.name}.` : `That row no longer exists in ${t.table.name}.`);
      return { table: t.table, access: t.access, columns: t.columns, ref, row: project(row, t.columns), fixed: isUnaddressableSegment(key) ? fixedKeyNote(key, t.columns.includes('key')) : null };
    },

    /**
     * Saves the columns a form changed. The form carries the values the user started from: when someone
     * else has since changed a column the user also changed, nothing is written and a RowConflictError says
     * which; changes by others to other columns are kept (the write is merged onto the current row).
     */
    async updateRow(user: CurrentUser, org: OrgView, tableId: string, ref: string, body: unknown, actor: Actor, opts: WriteOptions = {}): Promise<{ changed: string[]; row: Row }> {
      const t = await open(user, org, tableId);
      assertWritable(t.access, 'canEdit', 'edit rows');
      const key = await keyOf(t, org, ref);
      const { values, baseline, reason } = parseRowForm(body, t.table.schema, t.access, 'update');
      assertMayWrite(t, 'update', Object.keys(values), 'This change');
      assertReason(org, reason);
      return withRowLock(org, tableId, key, async () => {
        const current = await t.gateway.getRow(tableId, key);
        if (!current) throw new NotFoundError(`That row no longer exists in ${t.table.name}.`);
        // Compared by meaning (1 = 1.0, trailing spaces Genesys trims): normalisation is not someone's change.
        const same = (c: string, a: Row, b: Row) => sameIn(c, a, b, t.table.schema);
        const conflicts = Object.keys(values)
          .filter((c) => Object.hasOwn(baseline, c) && !same(c, baseline, values) && !same(c, current, baseline) && !same(c, current, values))
          .map((c) => ({ column: c, original: baseline[c], theirs: current[c], yours: values[c]! }));
        if (conflicts.length) throw new RowConflictError(conflicts, project(current, t.columns));
        // A column the user left as they found it is not theirs to write back (someone else may have changed it).
        const changed = Object.keys(values).filter((c) => !same(c, current, values) && !(Object.hasOwn(baseline, c) && same(c, baseline, values)));
        if (changed.length === 0) return { changed, row: project(current, t.columns) };
        const merged: Row = { ...current, ...Object.fromEntries(changed.map((c) => [c, values[c]!])) };
        const saved = await recordedWrite(actor, { action: 'row.updated', orgId: org.id, tableId, rowKey: key, before: current, after: merged, changed, reason, batchId: opts.batchId, changeId: opts.changeId }, () =>
          t.gateway.updateRow(tableId, key, merged),
        );
        deps.rowCache.upsert(org.id, tableId, saved);
        return { changed, row: project(saved, t.columns) };
      });
    },

    /** Renaming a key is a create under the new key and a delete of the old one, audited as one batch. */
    async renameRow(user: CurrentUser, org: OrgView, tableId: string, ref: string, newKey: string, actor: Actor, opts: { confirmed?: boolean } = {}): Promise<void> {
      const t = await open(user, org, tableId);
      assertWritable(t.access, 'canAdd', 'add rows (renaming a key adds a row)');
      assertWritable(t.access, 'canDelete', 'delete rows (renaming a key deletes the old row)');
      if (t.access.columns.key !== 'write') throw new ForbiddenError('You may not change keys in this table.');
      const key = await keyOf(t, org, ref);
      // The old row is deleted after the copy is made: refuse up front a key that cannot be deleted (ADR 004).
      if (isUnaddressableSegment(key)) throw unaddressableKeyError(key, 'delete');
      const target = newKey;
      const problem = newKeyProblem(target) ?? (target === key ? 'The new key is the same as the old one.' : null);
      if (problem) throw new ValidationError('Please correct the highlighted fields.', { newKey: problem });
      assertDistinctKey(target, (await keysOf(t, org)).filter((k) => k !== key), opts.confirmed ?? false, 'newKey');
      const batchId = randomUUID();
      await withRowLock(org, tableId, key, async () => {
        const current = await t.gateway.getRow(tableId, key);
        if (!current) throw new NotFoundError(`That row no longer exists in ${t.table.name}.`);
        const copy: Row = { ...current, key: target };
        // Both keys in the details too: a reader who may not see keys gets both replaced in the reasons.
        const extra = { from: key, to: target };
        const created = await recordedWrite(actor, { action: 'row.created', orgId: org.id, tableId, rowKey: target, before: null, after: copy, changed: Object.keys(copy), reason: `Rename of “${key}”`, batchId, extra }, () => t.gateway.createRow(tableId, copy));
        deps.rowCache.upsert(org.id, tableId, created);
        await recordedWrite(actor, { action: 'row.deleted', orgId: org.id, tableId, rowKey: key, before: current, after: null, changed: [], reason: `Renamed to “${target}”`, batchId, extra }, () => t.gateway.deleteRow(tableId, key));
        deps.rowCache.remove(org.id, tableId, key);
      });
      await deps.audit.record({ action: 'row.renamed', orgId: org.id, tableId, rowKey: target, batchId, details: { from: key, to: target } }, actor);
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

    async createRow(user: CurrentUser, org: OrgView, tableId: string, body: unknown, actor: Actor): Promise<Row> {
      const t = await open(user, org, tableId);
      assertWritable(t.access, 'canAdd', 'add rows');
      const { values, reason } = parseRowForm(body, t.table.schema, t.access, 'create');
      assertMayWrite(t, 'create', Object.keys(values), 'This row');
      assertReason(org, reason);
      const key = String(values.key);
      assertDistinctKey(key, await keysOf(t, org), keyConfirmed(body, key), 'key');
      return withRowLock(org, tableId, key, async () => {
        const saved = await recordedWrite(actor, { action: 'row.created', orgId: org.id, tableId, rowKey: key, before: null, after: values, changed: Object.keys(values), reason }, () => t.gateway.createRow(tableId, values));
        deps.rowCache.upsert(org.id, tableId, saved);
        return project(saved, t.columns);
      });
    },

    /** Deletes a row; `name` is its key as the user may see it (null where the key is hidden from her). */
    async deleteRow(user: CurrentUser, org: OrgView, tableId: string, ref: string, actor: Actor, reason: string | null = null, opts: WriteOptions = {}): Promise<{ name: string | null }> {
      const t = await open(user, org, tableId);
      assertWritable(t.access, 'canDelete', 'delete rows');
      assertReason(org, reason);
      const key = await keyOf(t, org, ref);
      await withRowLock(org, tableId, key, async () => {
        const current = await t.gateway.getRow(tableId, key);
        if (!current) throw new NotFoundError(`That row no longer exists in ${t.table.name}.`);
        await recordedWrite(actor, { action: 'row.deleted', orgId: org.id, tableId, rowKey: key, before: current, after: null, changed: [], reason, batchId: opts.batchId, changeId: opts.changeId }, () => t.gateway.deleteRow(tableId, key));
        deps.rowCache.remove(org.id, tableId, key);
      });
      return { name: t.columns.includes('key') ? key : null };
    },

    /**
     * Undoes a recorded change through the same checks as an edit (the user needs the rights now). `expected`
     * is what the change wrote; if the row no longer holds it, nothing is written and the current row is
     * returned as a conflict, unless `force` (admins only, checked by the caller).
     */
    async revert(
      user: CurrentUser,
      org: OrgView,
      tableId: string,
      key: string,
      plan: RevertPlan,
      actor: Actor,
      opts: { reverts: number; force: boolean; batchId?: string; restore?: boolean; reason?: string; extra?: Record<string, unknown> },
    ): Promise<{ conflict: Row | null; noop?: boolean }> {
      const t = await open(user, org, tableId);
      assertMayRevert(t, plan, opts.restore ?? false);
      const extra = opts.extra ?? (opts.restore ? { restoresTo: opts.reverts } : { reverts: opts.reverts, ...(opts.force ? { forced: true } : {}) });
      const batchId = opts.batchId;
      const reason = opts.reason ?? (opts.restore ? `Restore to the row as it was after change #${opts.reverts}` : `Undo of change #${opts.reverts}${opts.force ? ' (forced)' : ''}`);
      return withRowLock(org, tableId, key, async () => {
        const current = await t.gateway.getRow(tableId, key);
        if (plan.kind === 'update') {
          if (!current) return { conflict: null, noop: true };
          if (!opts.force && !rowHolds(current, plan.expected, t.table.schema)) return { conflict: current };
          const merged: Row = { ...current, ...plan.values };
          const saved = await recordedWrite(actor, { action: 'row.updated', orgId: org.id, tableId, rowKey: key, before: current, after: merged, changed: Object.keys(plan.values), reason, extra, batchId }, () => t.gateway.updateRow(tableId, key, merged));
          deps.rowCache.upsert(org.id, tableId, saved);
        } else if (plan.kind === 'delete') {
          if (!current) return { conflict: null, noop: true };
          if (!opts.force && !rowHolds(current, plan.expected, t.table.schema)) return { conflict: current };
          await recordedWrite(actor, { action: 'row.deleted', orgId: org.id, tableId, rowKey: key, before: current, after: null, changed: [], reason, extra, batchId }, () => t.gateway.deleteRow(tableId, key));
          deps.rowCache.remove(org.id, tableId, key);
        } else {
          if (current && !opts.force) return { conflict: current };
          const saved = current
            ? await recordedWrite(actor, { action: 'row.updated', orgId: org.id, tableId, rowKey: key, before: current, after: plan.row, changed: Object.keys(plan.row), reason, extra, batchId }, () => t.gateway.updateRow(tableId, key, plan.row))
            : await recordedWrite(actor, { action: 'row.created', orgId: org.id, tableId, rowKey: key, before: null, after: plan.row, changed: Object.keys(plan.row), reason, extra, batchId }, () => t.gateway.createRow(tableId, plan.row));
          deps.rowCache.upsert(org.id, tableId, saved);
        }
        return { conflict: null };
      });
    },

    /**
     * Many rows in one Genesys CSV import job (fewer calls than one write per row for large batches), with
     * the same rights checks and per-row audit entries as single writes.
     */
    async importRows(user: CurrentUser, org: OrgView, tableId: string, items: ImportItem[], actor: Actor, opts: { batchId?: string; reason: string | null; extra?: Record<string, unknown> }): Promise<ImportOutcome> {
      const t = await open(user, org, tableId);
      for (const kind of ['create', 'update'] as const) {
        const of = items.filter((i) => i.kind === kind);
        if (of.length) assertMayWrite(t, kind, of.flatMap((i) => Object.keys(i.kind === 'create' ? i.row : i.values)), 'This import');
      }
      try {
        return await importRows({ gateway: t.gateway, audit: deps.audit }, t.table, org.id, items, actor, opts);
      } finally {
        deps.rowCache.invalidate(org.id, tableId);
      }
    },

    /** Admins only: a new table in Genesys Cloud (a restore creating a table its backup has). */
    async createTable(user: CurrentUser, org: OrgView, table: { name: string; description: string; divisionId?: string; schema: DataTable['schema'] }, actor: Actor): Promise<DataTable> {
      if (user.role !== 'ADMIN') throw new ForbiddenError('Only administrators may create tables.');
      if (org.readOnly) throw new ForbiddenError(`“${org.name}” is read-only in this app.`);
      const gateway = await deps.orgs.gatewayFor(org.id, org);
      const created = await gateway.createTable(table);
      await deps.audit.record({ action: 'table.created', orgId: org.id, tableId: created.id, details: { name: created.name, columns: Object.keys(created.schema.properties) } }, actor);
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
