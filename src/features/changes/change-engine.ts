// The only code that changes rows in Genesys. Every writer (form edits, the grid, bulk actions, undo of one
// change, a batch or to a point in time, restores, imports) builds a ChangeSet and hands it here. For each
// set: changes whose intent an earlier apply already recorded are settled, never written twice (a job resumed
// after a crash); the user's rights are checked for every column every change writes, before anything
// reaches Genesys; each row is locked while it is read and written; each write is recorded write-ahead
// (write-ahead.ts); and the rows are written with the fewest calls: a few changes read their row each, many
// changes in one table read the table once (pages) and then go one call per row or as one CSV import job.
import { sameIn, rowHolds } from '../../genesys/datatable-schema.js';
import { GenesysUnavailableError } from '../../genesys/errors.js';
import type { DataTableGateway, Row, TableSchema } from '../../genesys/gateway.js';
import type { RowCache } from '../../genesys/row-cache.js';
import type { Actor } from '../../lib/actor.js';
import { AppError, ForbiddenError } from '../../lib/errors.js';
import type { AuditService } from '../audit/audit-service.js';
import type { ChangeOutcomes } from '../audit/change-outcomes.js';
import type { OrgView } from '../orgs/org-service.js';
import type { UserTable } from '../tables/table-service.js';
import { assertMayRunPlaybook, assertMayWrite } from '../tables/write-rights.js';
import { mayBypassApproval } from '../permissions/policy.js';
import type { ChangePolicy } from '../requests/request-types.js';
import type { Reconciler } from './reconciler.js';
import { hidingTerms, withoutHiddenTerms } from './hidden-terms.js';
import { RowLocks } from './row-locks.js';
import {
  columnsWritten,
  derivedChangeId,
  type ApplyOptions,
  type ApplyReport,
  type ChangeResult,
  type ChangeSet,
  type RowChange,
} from './row-change.js';
import { createWriteAhead, type CrashPoint, type PlannedWrite } from './write-ahead.js';
import { canonicalChange, formatRefusal, type FormatRules } from '../formats/format-enforcement.js';
import type { TableFormats } from '../formats/format-types.js';
import { chooseAfterRead, importable, pagesOf } from './write-method.js';
import { WriteJournal } from './write-journal.js';

type OpenTable = UserTable & { gateway: DataTableGateway };
/** A table being written to, with the column formats its values are checked against (loaded once per apply). */
type WriteTable = OpenTable & { formats?: FormatRules };

/** What the engine makes of a change given the row as it is now: a write, or a result without one. */
type Decision = { write: PlannedWrite } | { result: ChangeResult };

/**
 * The id of a change's next attempt: after its import upload was refused (the row is then written on its
 * own), or, when the set is applied again, after a write that was refused or found not applied. Each attempt
 * has its own intent and outcome, so the reconciler can settle every one.
 */
const nextAttempt = (changeId: string) => derivedChangeId(changeId, 'next-attempt');
/** Attempts followed when an apply is resumed (more would mean a change that keeps being cut off). */
const MAX_ATTEMPTS = 5;

/**
 * The change as a write (or why none is needed), given `current`: the row now (null: no such row; undefined:
 * not read, which only a create without `ifExists` allows).
 */
export function decide(c: RowChange, current: Row | null | undefined, schema: TableSchema, changeId = c.id): Decision {
  const write = (op: PlannedWrite['op'], before: Row | null, after: Row | null, changed: string[]): Decision => ({
    write: { change: c, changeId, op, before, after, changed },
  });
  const conflict = (row: Row | null): Decision => ({ result: { status: 'conflict', current: row, conflicts: [] } });
  if (c.kind === 'create') {
    if (!current) return write('create', null, c.write, Object.keys(c.write));
    if (c.ifExists === 'conflict') return conflict(current);
    if (c.ifExists !== 'replace') return write('create', null, c.write, Object.keys(c.write)); // Genesys refuses it
    return rowHolds(current, c.write, schema)
      ? { result: { status: 'unchanged', row: current } }
      : write('update', current, c.write, Object.keys(c.write));
  }
  if (!current) return { result: { status: 'gone' } };
  if (c.kind === 'delete')
    return c.expect && !rowHolds(current, c.expect, schema) ? conflict(current) : write('delete', current, null, []);
  if (c.expect && !rowHolds(current, c.expect, schema)) return conflict(current);
  // Compared by meaning (1 = 1.0, trailing spaces Genesys trims): normalisation is not someone's change.
  const same = (col: string, a: Row, b: Row) => sameIn(col, a, b, schema);
  const columns = Object.keys(c.write);
  let changed = columns.filter((col) => !same(col, current, c.write));
  if (c.baseline) {
    const baseline = c.baseline;
    const conflicts = columns
      .filter(
        (col) =>
          Object.hasOwn(baseline, col) &&
          !same(col, baseline, c.write) &&
          !same(col, current, baseline) &&
          !same(col, current, c.write),
      )
      .map((col) => ({ column: col, original: baseline[col], theirs: current[col], yours: c.write[col]! }));
    if (conflicts.length) return { result: { status: 'conflict', current, conflicts } };
    // A column the user left as they found it is not theirs to write back (someone else may have changed it).
    changed = changed.filter((col) => !(Object.hasOwn(baseline, col) && same(col, baseline, c.write)));
  } else if (changed.length) changed = columns; // an undo or restore writes (and records) every column it names
  if (changed.length === 0) return { result: { status: 'unchanged', row: current } };
  return write(
    'update',
    current,
    { ...current, ...Object.fromEntries(changed.map((col) => [col, c.write[col]!])) },
    changed,
  );
}

export function createChangeEngine(deps: {
  /** The table as this actor may see and change it (table-service `open`): the rights the engine checks. */
  open(actor: Actor, org: OrgView, tableId: string): Promise<OpenTable>;
  /** The table's row count, cheaply (cached, or one brief call): whether one read of it beats a read per row. */
  rowCount(org: OrgView, tableId: string): Promise<number | null>;
  rowCache: RowCache;
  audit: AuditService;
  outcomes: ChangeOutcomes;
  reconciler: Reconciler;
  crashAt?: CrashPoint | null;
  /** The change policy of a table (change-policy.ts `for`): direct writes under 'approval' are refused. */
  policyFor(org: OrgView, tableId: string): Promise<ChangePolicy>;
  /** The column formats of a table (format-service `forTable`): read afresh for every apply. */
  formatsFor(orgId: string, tableId: string): Promise<TableFormats>;
}) {
  const locks = new RowLocks();
  const journal = new WriteJournal();
  const writeAhead = createWriteAhead({
    audit: deps.audit,
    rowCache: deps.rowCache,
    crashAt: deps.crashAt,
    wrote: (o, t, k) => journal.wrote(o, t, k),
  });

  /** The rights a change needs: a playbook run's right on the table, else the write rights on its columns. */
  function assertMayMake(set: ChangeSet, t: OpenTable, c: RowChange): void {
    if (set.via === 'playbook') assertMayRunPlaybook(t);
    else assertMayWrite(t, c.kind, columnsWritten(c), set.doing);
  }

  /**
   * A direct change to a table whose changes need approval goes through a change request instead (one place
   * for every writer: forms, grid, bulk, undo, restore, imports). Administrators may still write directly.
   */
  async function assertNeedsNoApproval(set: ChangeSet, t: OpenTable): Promise<void> {
    if ((set.via ?? 'direct') !== 'direct' || mayBypassApproval(set.actor)) return;
    if ((await deps.policyFor(set.org, t.table.id)).mode === 'approval')
      throw new ForbiddenError(`Changes to ${t.table.name} need approval: save them as a change request.`);
  }

  /**
   * `decide`, and the formats on top: a write that would put a value breaking its column's format into a row is
   * refused (nothing sent), checked only for the columns it really changes (format-enforcement.ts).
   */
  function judge(t: WriteTable, c: RowChange, current: Row | null | undefined, changeId: string): Decision {
    const d = decide(c, current, t.table.schema, changeId);
    if (!('write' in d) || d.write.op === 'delete') return d;
    const refusal = formatRefusal(t.formats, d.write.op === 'create' ? null : d.write.before, d.write.after!);
    return refusal ? { result: { status: 'failed', error: refusal, changeId } } : d;
  }

  /** Throws the rights refusal of the first change the user may not make (nothing is written then). */
  async function checkRights(set: ChangeSet, changes: RowChange[]): Promise<Map<string, OpenTable>> {
    const tables = new Map<string, OpenTable>();
    for (const c of changes) {
      let t = tables.get(c.tableId);
      if (!t) {
        tables.set(c.tableId, (t = await deps.open(set.actor, set.org, c.tableId)));
        assertMayMake(set, t, c);
        await assertNeedsNoApproval(set, t);
      } else assertMayMake(set, t, c);
    }
    return tables;
  }

  /**
   * The rights of this moment for one change about to be written: a grant revoked (or an org made read-only)
   * while a set is being applied refuses the change and stops what is left, so a long bulk job never goes on
   * writing for someone who may no longer. One database read per row, against a Genesys call of 200 ms or more.
   * A CSV import is one call: its rows are checked once, just before it (checkRights).
   */
  async function refusedNow(set: ChangeSet, c: RowChange, changeId: string): Promise<ChangeResult | null> {
    try {
      assertMayMake(set, await deps.open(set.actor, set.org, c.tableId), c);
      return null;
    } catch (err) {
      if (!(err instanceof AppError) || !err.expose) throw err;
      return { status: 'failed', error: err, changeId };
    }
  }

  /**
   * What an earlier apply of the same changes recorded, following each change's attempts: open intents are
   * settled from Genesys first (the reconciler, without its grace period: nothing of a crashed apply is still
   * in flight). An attempt found applied (or in conflict, for an administrator) is the change's result,
   * never written again; one known not to have been applied (refused, settled as not applied, or handed back
   * by a refused import) is tried again under its next attempt's id; a change with no recorded attempt is
   * written under its own id.
   */
  async function recorded(
    changes: RowChange[],
  ): Promise<{ done: Map<number, ChangeResult>; ids: Map<number, string> }> {
    const done = new Map<number, ChangeResult>();
    const ids = new Map(changes.map((c, i) => [i, c.id]));
    let asking = [...ids.keys()];
    for (let attempt = 0; attempt < MAX_ATTEMPTS && asking.length; attempt++) {
      const of = () => deps.outcomes.of(asking.map((i) => ids.get(i)!));
      let known = await of();
      const open = [...known].filter(([, o]) => o.state === 'unknown').map(([id]) => id);
      if (open.length) {
        await deps.reconciler.settleChanges(open);
        known = await of();
      }
      const next: number[] = [];
      for (const i of asking) {
        const id = ids.get(i)!;
        const o = known.get(id);
        if (!o) continue; // never attempted: written under this id
        if (o.handedBack || o.state === 'failed' || o.state === 'reconciled-not-applied') {
          ids.set(i, nextAttempt(id));
          next.push(i);
        } else
          done.set(i, {
            status: 'recorded',
            state: o.state,
            changeId: id,
            ...(o.message ? { message: o.message } : {}),
          });
      }
      asking = next;
    }
    return { done, ids };
  }

  /** Reading the whole table once costs fewer calls than reading each changed row. */
  async function readsTable(
    set: ChangeSet,
    t: OpenTable,
    changes: RowChange[],
    method: ApplyOptions['method'],
  ): Promise<boolean> {
    const reads = changes.filter((c) => c.kind !== 'create' || c.ifExists).length;
    if (method === 'import' && changes.some((c) => c.kind !== 'delete')) return true;
    if (reads < 2) return false;
    const rows = await deps.rowCount(set.org, t.table.id);
    return rows !== null && pagesOf(rows) < reads;
  }

  async function apply(asked: ChangeSet, opts: ApplyOptions = {}): Promise<ApplyReport> {
    const total = asked.changes.length;
    const results: (ChangeResult | undefined)[] = new Array(total);
    const notes: string[] = [];
    let done = 0;
    const report = async (i: number, r: ChangeResult) => {
      results[i] = r;
      done++;
      await opts.onProgress?.(done, total, { index: i, result: r });
    };
    const before = await recorded(asked.changes);
    const pending: number[] = [];
    for (const i of asked.changes.keys()) {
      const r = before.done.get(i);
      if (r) await report(i, r);
      else pending.push(i);
    }
    const tables: Map<string, WriteTable> = await checkRights(
      asked,
      pending.map((i) => asked.changes[i]!),
    );
    for (const [tableId, t] of tables)
      t.formats = { formats: await deps.formatsFor(asked.org.id, tableId), schema: t.table.schema, visible: t.columns };
    // Values in canonical form from here on (2026-1-5 is written, and compared, as 2026-01-05).
    const set: ChangeSet = {
      ...asked,
      changes: asked.changes.map((c, i) =>
        before.done.has(i) ? c : canonicalChange(c, tables.get(c.tableId)?.formats),
      ),
    };
    let stopped = false;
    /** Reports one change's outcome; false when the apply must not go on. */
    const settle = async (i: number, r: ChangeResult): Promise<boolean> => {
      // Not done: a job that stops here resumes with this change (its intent, if any, is settled then).
      if (opts.throwWhenUnavailable && 'error' in r && r.error instanceof GenesysUnavailableError) throw r.error;
      await report(i, r);
      if (opts.stopAfterProblem && (r.status === 'failed' || r.status === 'unknown' || r.status === 'conflict'))
        stopped = true;
      return !stopped;
    };
    const mayGoOn = () => !stopped && !(opts.shouldStop?.() ?? false);
    /** Writes one change unless the actor's rights no longer allow it (then the rest of the set stops). */
    const writeIfStillAllowed = async (
      i: number,
      changeId: string,
      write: () => Promise<ChangeResult>,
    ): Promise<ChangeResult> => {
      const refused = await refusedNow(set, set.changes[i]!, changeId);
      if (!refused) return write();
      stopped = true;
      return refused;
    };

    for (const [tableId, t] of tables) {
      const indices = pending.filter((i) => set.changes[i]!.tableId === tableId);
      const idOf = (i: number) => before.ids.get(i)!;
      const changes = indices.map((i) => set.changes[i]!);
      if (!(await readsTable(set, t, changes, opts.method))) {
        for (const i of indices) {
          if (!mayGoOn()) break;
          const c = set.changes[i]!;
          const r = await writeIfStillAllowed(i, idOf(i), () =>
            locks.run(set.org.id, tableId, c.key, async () => {
              const current = c.kind === 'create' && !c.ifExists ? undefined : await t.gateway.getRow(tableId, c.key);
              return writeOne(set, t, judge(t, c, current, idOf(i)));
            }),
          );
          if (!(await settle(i, r))) break;
        }
        continue;
      }
      await applyByTableRead(set, t, indices, idOf, opts, { settle, mayGoOn, writeIfStillAllowed }, notes);
    }
    for (let i = 0; i < total; i++) results[i] ??= { status: 'stopped' };
    return { results: results as ChangeResult[], notes };
  }

  /** One decided change: its write (recorded write-ahead), or the result that needs none. */
  async function writeOne(set: ChangeSet, t: OpenTable, d: Decision): Promise<ChangeResult> {
    if ('result' in d) return d.result;
    try {
      const row = await writeAhead.single(set, t.gateway, d.write);
      return { status: 'applied', row, changed: d.write.changed, changeId: d.write.changeId };
    } catch (err) {
      return {
        status: err instanceof GenesysUnavailableError && err.mayHaveApplied ? 'unknown' : 'failed',
        // (The audit entry, recorded write-ahead, keeps the message whole.)
        error: hidingTerms(err as Error, t, [d.write.before, d.write.after]),
        changeId: d.write.changeId,
      };
    }
  }

  /**
   * Many changes of one table: the table is read once (pages), then the rows go as one CSV import job (when
   * that takes fewer calls, and for every row a CSV can carry) and the rest one call each. Under each row's
   * lock the row is taken from that read, unless the engine itself wrote it since (then it is read again).
   */
  async function applyByTableRead(
    set: ChangeSet,
    t: WriteTable,
    indices: number[],
    idOf: (i: number) => string,
    opts: ApplyOptions,
    steps: {
      settle: (i: number, r: ChangeResult) => Promise<boolean>;
      mayGoOn: () => boolean;
      writeIfStillAllowed: (i: number, changeId: string, write: () => Promise<ChangeResult>) => Promise<ChangeResult>;
    },
    notes: string[],
  ): Promise<void> {
    const { settle, mayGoOn } = steps;
    const tableId = t.table.id;
    const schema = t.table.schema;
    const since = journal.open();
    try {
      const rows = new Map(
        (await t.gateway.readAllRows(tableId, { mode: 'background' })).map((r) => [String(r.key), r]),
      );
      const currentOf = async (key: string): Promise<Row | null> =>
        journal.wroteSince(since, set.org.id, tableId, key)
          ? await t.gateway.getRow(tableId, key, { mode: 'background' })
          : (rows.get(key) ?? null);
      const keyCount = new Map<string, number>();
      for (const i of indices) keyCount.set(set.changes[i]!.key, (keyCount.get(set.changes[i]!.key) ?? 0) + 1);
      // Rows a CSV import can carry: a create or update of a row no other change of the set touches.
      const candidates = indices.filter((i) => {
        const c = set.changes[i]!;
        if (c.kind === 'delete' || keyCount.get(c.key) !== 1) return false;
        const d = judge(t, c, rows.get(c.key) ?? null, idOf(i));
        return (
          'write' in d &&
          d.write.op !== 'delete' &&
          importable(d.write.after!, schema) &&
          !(d.write.op === 'create' && c.kind === 'create' && !c.ifExists && rows.has(c.key))
        );
      });
      const method =
        opts.method === 'import'
          ? 'import'
          : opts.method === 'rows'
            ? 'rows'
            : chooseAfterRead(candidates.length, rows.size);
      const viaImport = new Set(method === 'import' && candidates.length ? candidates : []);
      const later: number[] = [];
      if (viaImport.size && mayGoOn()) {
        const keys = [...viaImport].map((i) => set.changes[i]!.key);
        const handedBack = await locks.runAll(set.org.id, tableId, keys, async () => {
          const writes: PlannedWrite[] = [];
          const byId = new Map<string, number>();
          for (const i of viaImport) {
            const d = judge(t, set.changes[i]!, await currentOf(set.changes[i]!.key), idOf(i));
            if ('result' in d) await settle(i, d.result);
            else {
              writes.push(d.write);
              byId.set(d.write.changeId, i);
            }
          }
          if (!writes.length) return [];
          let outcome;
          try {
            outcome = await writeAhead.viaImport(set, t.gateway, t.table, writes);
          } catch (err) {
            if (opts.throwWhenUnavailable && err instanceof GenesysUnavailableError) throw err;
            for (const w of writes)
              await settle(byId.get(w.changeId)!, { status: 'unknown', error: err as Error, changeId: w.changeId });
            return [];
          }
          for (const { w, row } of outcome.applied) {
            rows.set(w.change.key, row);
            await settle(byId.get(w.changeId)!, { status: 'applied', row, changed: w.changed, changeId: w.changeId });
          }
          for (const { w, message } of outcome.failed)
            await settle(byId.get(w.changeId)!, {
              status: 'failed',
              error: new Error(withoutHiddenTerms(message, t, [w.before, w.after])),
              changeId: w.changeId,
            });
          if (outcome.fallback) notes.push(outcome.fallback);
          return outcome.handedBack.map((w) => byId.get(w.changeId)!);
        });
        for (const i of handedBack) later.push(i);
      }
      const own = new Set(later);
      for (const i of indices.filter((i) => !viaImport.has(i)).concat(later)) {
        if (!mayGoOn()) break;
        const c = set.changes[i]!;
        const changeId = own.has(i) ? nextAttempt(idOf(i)) : idOf(i);
        const r = await steps.writeIfStillAllowed(i, changeId, () =>
          locks.run(set.org.id, tableId, c.key, async () =>
            writeOne(set, t, judge(t, c, await currentOf(c.key), changeId)),
          ),
        );
        if (r.status === 'applied') {
          if (r.row) rows.set(c.key, r.row);
          else rows.delete(c.key);
        }
        if (!(await settle(i, r))) break;
      }
    } finally {
      journal.close(since);
    }
  }

  return {
    apply,

    /**
     * A set of one new change (a form edit): its refusal, failure or lost answer is thrown; otherwise its
     * result. A change whose id is already recorded is not new: that is a caller's mistake, and thrown.
     */
    async applyOne(
      set: ChangeSet,
    ): Promise<Extract<ChangeResult, { status: 'applied' | 'unchanged' | 'conflict' | 'gone' }>> {
      const { results } = await apply(set, { stopAfterProblem: true });
      const r = results[0]!;
      if ('error' in r) throw r.error;
      if (r.status === 'recorded' || r.status === 'stopped')
        throw new Error(`change ${set.changes[0]!.id} is not a new change (${r.status})`);
      return r;
    },

    /** Holds a row's lock across a read and an apply (a rename copies the row it deletes). */
    withRowLock<T>(orgId: string, tableId: string, key: string, fn: () => Promise<T>): Promise<T> {
      return locks.run(orgId, tableId, key, fn);
    },
  };
}

export type ChangeEngine = ReturnType<typeof createChangeEngine>;
