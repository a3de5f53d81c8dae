// Write-ahead audit of Genesys writes: the intent (before/after) is committed before the call, the outcome
// after it. A process stopped in between leaves an intent without an outcome, which the reconciler
// (reconciler.ts) settles from the row as Genesys holds it. One row at a time, or many rows as one CSV import
// job (Append: rows in the file are added or replaced, others kept), whose outcome per row is decided from a
// read of the table after it: the job reports only counts. That read tolerates Genesys' visibility delay: it
// is repeated with back-off (bounded) until as many rows hold their values as the job says it wrote.
import { rowHolds } from '../../genesys/datatable-schema.js';
import { GenesysUnavailableError } from '../../genesys/errors.js';
import type { DataTable, DataTableGateway, Row } from '../../genesys/gateway.js';
import type { RowCache } from '../../genesys/row-cache.js';
import type { RowChangeAction } from '../audit/audit-events.js';
import type { AuditService } from '../audit/audit-service.js';
import type { ChangeSet, RowChange } from './row-change.js';
import { csvOf } from './write-method.js';

/** One Genesys write the engine decided on: what the row was, what it will be. */
export interface PlannedWrite {
  change: RowChange;
  /** The audit change id (the change's, or a derived one for a row written on its own after a refused import). */
  changeId: string;
  op: 'create' | 'update' | 'delete';
  before: Row | null;
  after: Row | null;
  changed: string[];
}

export type CrashPoint = 'after_intent' | 'after_upstream';

export interface ImportWriteResult {
  applied: { w: PlannedWrite; row: Row }[];
  failed: { w: PlannedWrite; message: string }[];
  /** The upload was refused or the job did not work: these go one row at a time, and `fallback` says why. */
  handedBack: PlannedWrite[];
  fallback?: string;
}

const ACTION = { create: 'row.created', update: 'row.updated', delete: 'row.deleted' } as const satisfies Record<
  PlannedWrite['op'],
  RowChangeAction
>;

export function createWriteAhead(deps: {
  audit: AuditService;
  rowCache: RowCache;
  /** Test-only: kill the process at a step of a write, to prove the write-ahead log loses nothing. */
  crashAt?: CrashPoint | null;
  /** Told of every row the engine may have changed (see WriteJournal). */
  wrote(orgId: string, tableId: string, key: string): void;
}) {
  const crash = (point: CrashPoint) => {
    if (deps.crashAt === point) process.kill(process.pid, 'SIGKILL');
  };

  const entry = (set: ChangeSet, w: PlannedWrite) => ({
    action: ACTION[w.op],
    orgId: set.org.id,
    tableId: w.change.tableId,
    rowKey: w.change.key,
    changeId: w.changeId,
    reason: w.change.reason !== undefined ? w.change.reason : set.reason,
    batchId: set.batchId,
  });
  const intent = (set: ChangeSet, w: PlannedWrite, via?: 'csv-import') => ({
    ...entry(set, w),
    outcome: 'intent',
    before: w.before ?? undefined,
    after: w.after ?? undefined,
    details: { changed: w.changed, ...(via ? { via } : {}), ...w.change.details },
  });

  return {
    /** One row: intent, the call, its outcome; the row cache follows what Genesys answered. */
    async single(set: ChangeSet, gateway: DataTableGateway, w: PlannedWrite): Promise<Row | null> {
      const { tableId, key } = w.change;
      const orgId = set.org.id;
      await deps.audit.record(intent(set, w), set.actor);
      crash('after_intent');
      deps.wrote(orgId, tableId, key);
      try {
        const saved =
          w.op === 'delete'
            ? (await gateway.deleteRow(tableId, key), null)
            : w.op === 'create'
              ? await gateway.createRow(tableId, w.after!)
              : await gateway.updateRow(tableId, key, w.after!);
        crash('after_upstream');
        await deps.audit.record({ ...entry(set, w), outcome: 'applied' }, set.actor);
        if (saved) deps.rowCache.upsert(orgId, tableId, saved);
        else deps.rowCache.remove(orgId, tableId, key);
        return saved;
      } catch (err) {
        const outcome = err instanceof GenesysUnavailableError && err.mayHaveApplied ? 'unknown' : 'failed';
        // Whether the row changed is not known: the cached rows are not known either, so they are read again.
        if (outcome === 'unknown') deps.rowCache.invalidate(orgId, tableId);
        await deps.audit.record({ ...entry(set, w), outcome, details: { message: (err as Error).message } }, set.actor);
        throw err;
      } finally {
        deps.wrote(orgId, tableId, key); // again: a table read that began while the call was in flight may miss it
      }
    },

    /** Many creates/updates of one table as one CSV import job, every row's intent committed before it. */
    async viaImport(
      set: ChangeSet,
      gateway: DataTableGateway,
      table: DataTable,
      writes: PlannedWrite[],
    ): Promise<ImportWriteResult> {
      const result: ImportWriteResult = { applied: [], failed: [], handedBack: [] };
      await deps.audit.recordMany(
        writes.map((w) => intent(set, w, 'csv-import')),
        set.actor,
      );
      crash('after_intent');
      for (const w of writes) deps.wrote(set.org.id, table.id, w.change.key);
      let jobMessage = '';
      /** Rows the job says it did not write: the read below waits until no more than these are missing. */
      let expectedMisses = 0;
      try {
        const job = await gateway.importCsv(
          table.id,
          csvOf(
            table,
            writes.map((w) => w.after!),
          ),
          'Append',
        );
        if (job.nothingImported) {
          // The upload was refused, so the job never ran: each row's intent is closed as failed (with why, and
          // that it is written on its own instead) and the rows go back to the engine for single-row writes.
          const refused = job.message!;
          result.fallback = `${refused} Its ${writes.length} row(s) were written one at a time instead.`;
          await deps.audit.recordMany(
            writes.map((w) => ({
              ...entry(set, w),
              outcome: 'failed',
              details: { message: `${refused} This row is written on its own instead.`, handedBack: true },
            })),
            set.actor,
          );
          result.handedBack = writes;
          return result;
        }
        if (job.status !== 'Succeeded') jobMessage = job.message ?? 'Genesys Cloud could not process the import.';
        expectedMisses = job.status === 'Succeeded' ? job.failed : writes.length;
      } catch (err) {
        jobMessage = (err as Error).message; // some rows may still have been written: the read below decides
      } finally {
        deps.rowCache.invalidate(set.org.id, table.id);
        for (const w of writes) deps.wrote(set.org.id, table.id, w.change.key);
      }
      crash('after_upstream');
      const misses = (rows: Map<string, Row>) =>
        writes.filter((w) => !rowHolds(rows.get(w.change.key), w.after)).length;
      let after: Map<string, Row>;
      try {
        const settled = (rows: Row[]) => misses(new Map(rows.map((r) => [String(r.key), r]))) <= expectedMisses;
        after = new Map(
          (await gateway.readAllRowsAfterWrite(table.id, settled, { mode: 'background' })).map((r) => [
            String(r.key),
            r,
          ]),
        );
      } catch (err) {
        // Outcomes cannot be known now; the reconciler settles them from the table later.
        await deps.audit.recordMany(
          writes.map((w) => ({ ...entry(set, w), outcome: 'unknown', details: { message: (err as Error).message } })),
          set.actor,
        );
        throw err;
      }
      // By meaning: a row Genesys stored as 1.0 or without trailing spaces holds what was written.
      const message =
        jobMessage || 'Genesys Cloud did not accept this row in the import (check it against the table schema).';
      const missing: PlannedWrite[] = [];
      for (const w of writes) {
        const row = after.get(w.change.key);
        if (row && rowHolds(row, w.after, table.schema)) result.applied.push({ w, row });
        else missing.push(w);
      }
      // The job as a whole did not work (it could not be started, a connection broke, Genesys failed it): the
      // rows it did not write are not bad rows, so they go one at a time instead, as after a refused upload.
      // Rows a job that worked left out were refused by Genesys one by one: writing them again would not help.
      const handBack = jobMessage !== '' && missing.length > 0;
      if (handBack) {
        result.fallback = `The CSV import did not complete: ${jobMessage} Its ${missing.length} unwritten row(s) were written one at a time instead.`;
        result.handedBack = missing;
      } else result.failed.push(...missing.map((w) => ({ w, message })));
      await deps.audit.recordMany(
        [
          ...result.applied.map(({ w }) => ({ ...entry(set, w), outcome: 'applied' })),
          ...result.failed.map(({ w }) => ({ ...entry(set, w), outcome: 'failed', details: { message } })),
          ...result.handedBack.map((w) => ({
            ...entry(set, w),
            outcome: 'failed',
            details: { message: `${jobMessage} This row is written on its own instead.`, handedBack: true },
          })),
        ],
        set.actor,
      );
      return result;
    },
  };
}

export type WriteAhead = ReturnType<typeof createWriteAhead>;
