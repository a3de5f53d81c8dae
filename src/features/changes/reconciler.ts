// Resolves Genesys writes whose outcome is not known: the process stopped between the intent and the
// outcome, or the call timed out. Re-reads the row: equal to what the change wrote -> applied; equal to what
// it replaced -> not applied; neither -> a conflict for an admin to look at. Runs at start-up and
// periodically; only intents older than the grace period (longer than a request can take) are touched.
import { Mutex } from 'async-mutex';
import { rowHolds } from '../../genesys/datatable-schema.js';
import type { Row, TableSchema } from '../../genesys/gateway.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { AuditReaderRepository } from '../audit/audit-reader-repository.js';
import { rowChangeAction, type RowChangeAction } from '../audit/audit-events.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgService } from '../orgs/org-service.js';

export type ReconciledOutcome = 'reconciled-applied' | 'reconciled-not-applied' | 'reconciled-conflict';

/** Compares by meaning (datatable-schema.ts sameValue): a row Genesys normalised still holds what was written. */
export function decideOutcome(
  action: RowChangeAction,
  current: Row | null,
  before: Row | null,
  after: Row | null,
  schema?: TableSchema,
): ReconciledOutcome {
  const holds = (wanted: Row | null) => rowHolds(current, wanted, schema);
  if (action === 'row.deleted')
    return current === null ? 'reconciled-applied' : holds(before) ? 'reconciled-not-applied' : 'reconciled-conflict';
  if (action === 'row.created')
    return current === null ? 'reconciled-not-applied' : holds(after) ? 'reconciled-applied' : 'reconciled-conflict';
  return holds(after) ? 'reconciled-applied' : holds(before) ? 'reconciled-not-applied' : 'reconciled-conflict';
}

/** Open changes settled per periodic pass (the next pass takes the rest). */
const PASS_LIMIT = 500;
/** Above this many open changes in one table, the whole table is read once instead of row by row. */
const WHOLE_TABLE_READ_FROM = 20;

/** An intent of a row written by a CSV import job (write-ahead.ts records `via: 'csv-import'`). */
const viaImport = (details: string | null): boolean =>
  details !== null && (JSON.parse(details) as { via?: string }).via === 'csv-import';

export function createReconciler(deps: {
  log: AuditReaderRepository;
  orgs: OrgService;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  graceMs: number;
}) {
  // One run at a time: two overlapping runs would both settle the same change.
  const running = new Mutex();

  async function settle(opts: { batchId?: string; changeIds?: string[]; now?: boolean }): Promise<number> {
    const cutoff = new Date(deps.clock.now() - (opts.now ? 0 : deps.graceMs));
    const open = await deps.log.openIntents({
      batchId: opts.batchId,
      changeIds: opts.changeIds,
      recordedBy: cutoff,
      limit: PASS_LIMIT,
    });
    // A CSV import stopped midway leaves thousands of open rows in one table: read such a table once.
    const perTable = new Map<string, number>();
    for (const i of open)
      perTable.set(`${i.orgId}\u0000${i.tableId}`, (perTable.get(`${i.orgId}\u0000${i.tableId}`) ?? 0) + 1);
    // Genesys shows imported rows a while after the job (§13), and a restart can be quicker: a table with open
    // rows of an import is read as the write-ahead reads it after a job, again with back-off (bounded) until
    // they show. Read plainly, a row the import did write looks not applied, and a resumed job uploads it again.
    const imported = new Map<string, { key: string; after: Row }[]>();
    for (const i of open) {
      if (!i.after || !viaImport(i.details)) continue;
      const id = `${i.orgId}\u0000${i.tableId}`;
      if (!imported.has(id)) imported.set(id, []);
      imported.get(id)!.push({ key: i.rowKey!, after: JSON.parse(i.after) as Row });
    }
    const tables = new Map<string, Promise<Map<string, Row>>>();
    const currentRow = async (orgId: string, tableId: string, key: string): Promise<Row | null> => {
      const gateway = await deps.orgs.gatewayFor(orgId);
      const id = `${orgId}\u0000${tableId}`;
      const awaited = imported.get(id);
      if (!awaited && (perTable.get(id) ?? 0) < WHOLE_TABLE_READ_FROM)
        return gateway.getRow(tableId, key, { mode: 'background' });
      if (!tables.has(id)) {
        const shown = (rows: Row[]) => {
          const byKey = new Map(rows.map((r) => [String(r.key), r]));
          return awaited!.every((w) => rowHolds(byKey.get(w.key), w.after));
        };
        const rows = awaited
          ? gateway.readAllRowsAfterWrite(tableId, shown, { mode: 'background' })
          : gateway.readAllRows(tableId, { mode: 'background' });
        const read = rows.then((rows) => new Map(rows.map((r) => [String(r.key), r])));
        read.catch(() => tables.delete(id)); // a failed read is tried again for the next change
        tables.set(id, read);
      }
      return (await tables.get(id)!).get(key) ?? null;
    };
    let resolved = 0;
    for (const intent of open) {
      try {
        const current = await currentRow(intent.orgId!, intent.tableId!, intent.rowKey!);
        const action = rowChangeAction(intent.action);
        const outcome = decideOutcome(
          action,
          current,
          intent.before ? JSON.parse(intent.before) : null,
          intent.after ? JSON.parse(intent.after) : null,
        );
        await deps.audit.record(
          {
            action,
            orgId: intent.orgId,
            tableId: intent.tableId,
            rowKey: intent.rowKey,
            changeId: intent.changeId,
            batchId: intent.batchId,
            outcome,
            details: { reconciledSeq: intent.seq, current },
          },
          null,
        );
        deps.logger[outcome === 'reconciled-conflict' ? 'warn' : 'info']('reconciled a Genesys write', {
          event: 'audit.reconciled',
          seq: intent.seq,
          outcome,
        });
        resolved++;
      } catch (err) {
        deps.logger.warn('could not reconcile a Genesys write yet', {
          event: 'audit.reconcile_failed',
          seq: intent.seq,
          reason: (err as Error).message,
        });
      }
    }
    return resolved;
  }

  return {
    /** Returns how many changes were resolved. Errors on one change do not stop the others. */
    run(): Promise<number> {
      return running.runExclusive(() => settle({}));
    },

    /**
     * Settles every open change of one batch now, without the grace period: for a job resuming after a
     * restart, whose changes cannot still be in flight.
     */
    settleBatch(batchId: string): Promise<number> {
      return running.runExclusive(() => settle({ batchId, now: true }));
    },

    /** Settles these open changes now (the change engine applying a set again after a crash). */
    async settleChanges(changeIds: string[]): Promise<number> {
      let settled = 0;
      for (let i = 0; i < changeIds.length; i += PASS_LIMIT) {
        const ids = changeIds.slice(i, i + PASS_LIMIT);
        settled += await running.runExclusive(() => settle({ changeIds: ids, now: true }));
      }
      return settled;
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
