// Many row writes as one Genesys CSV import job (Append: rows in the file are added or replaced, others
// kept), with the same per-row audit entries as single writes: every row's intent (before/after) is
// committed before the job, and each row's outcome is decided after it from a fresh read of the table —
// the job reports only counts, not which rows failed. That read tolerates Genesys' visibility delay: it is
// repeated with back-off (bounded) until as many rows hold their values as the job says it wrote. A refused
// upload imported nothing: its rows are handed back for single-row writes. A process stopped mid-job leaves
// intents that the reconciler settles from the table's actual state.
import { randomUUID } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { rowHolds } from '../../genesys/datatable-schema.js';
import type { DataTable, DataTableGateway, Row, TableSchema } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { AuditService } from '../audit/audit-service.js';

export type ImportItem = { kind: 'create'; key: string; row: Row } | { kind: 'update'; key: string; values: Row };

export interface ImportOutcome {
  applied: number;
  /** Rows that already held what was asked (nothing written). */
  unchanged: number;
  failures: { key: string; message: string }[];
  /** Rows a CSV cannot carry (see importable), or the whole file when its upload was refused: left for the caller to write one at a time. */
  leftOver: ImportItem[];
  /** Why the import was given up for single-row writes, in plain words (for the job's report). */
  fallback?: string;
}

/**
 * Whether a row survives the CSV round trip: Genesys reads an empty cell as "use the column's default", so
 * an empty string can only go in a CSV for a column whose default is empty too.
 */
export const importable = (row: Row, schema: TableSchema) =>
  Object.entries(row).every(([c, v]) => v !== '' || (schema.properties[c]?.default ?? '') === '');

export function csvOf(table: DataTable, rows: Row[]): string {
  const columns = Object.keys(table.schema.properties).sort((a, b) => (a === 'key' ? -1 : b === 'key' ? 1 : 0));
  return stringify(
    rows.map((r) => columns.map((c) => (r[c] === undefined ? '' : String(r[c])))),
    { header: true, columns, quoted_match: /^\s|\s$/ },
  );
}

export async function importRows(
  deps: { gateway: DataTableGateway; audit: AuditService },
  table: DataTable,
  orgId: string,
  items: ImportItem[],
  actor: Actor,
  opts: { batchId?: string; reason: string | null; extra?: Record<string, unknown> },
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { applied: 0, unchanged: 0, failures: [], leftOver: [] };
  const current = new Map((await deps.gateway.readAllRows(table.id, { mode: 'background' })).map((r) => [String(r.key), r]));
  const writes: { item: ImportItem; key: string; before: Row | null; after: Row; changed: string[]; changeId: string }[] = [];
  for (const item of items) {
    const { key } = item;
    const before = current.get(key) ?? null;
    const wanted = item.kind === 'create' ? item.row : item.values;
    if (item.kind === 'update' && !before) {
      outcome.failures.push({ key, message: 'The row no longer exists in Genesys Cloud.' });
      continue;
    }
    if (rowHolds(before, wanted, table.schema)) {
      outcome.unchanged++;
      continue;
    }
    // Genesys replaces whole rows: an update sends the current row with the changed columns laid over it.
    const after = before ? { ...before, ...wanted } : wanted;
    if (!importable(after, table.schema)) outcome.leftOver.push(item);
    else writes.push({ item, key, before, after, changed: Object.keys(wanted), changeId: randomUUID() });
  }
  if (!writes.length) return outcome;
  const entry = (w: (typeof writes)[number]) => ({
    action: w.before ? 'row.updated' : 'row.created',
    orgId,
    tableId: table.id,
    rowKey: w.key,
    changeId: w.changeId,
    reason: opts.reason,
    batchId: opts.batchId ?? null,
  });
  await deps.audit.recordMany(
    writes.map((w) => ({ ...entry(w), outcome: 'intent', before: w.before ?? undefined, after: w.after, details: { changed: w.changed, via: 'csv-import', ...opts.extra } })),
    actor,
  );
  let jobMessage = '';
  /** Rows the job says it did not write: the read below waits until no more than these are missing. */
  let expectedMisses = 0;
  try {
    const result = await deps.gateway.importCsv(table.id, csvOf(table, writes.map((w) => w.after)), 'Append');
    if (result.nothingImported) return await handBack(deps.audit, writes.map((w) => ({ entry: entry(w), item: w.item })), outcome, result.message!, actor);
    if (result.status !== 'Succeeded') jobMessage = result.message ?? 'Genesys Cloud could not process the import.';
    expectedMisses = result.status === 'Succeeded' ? result.failed : writes.length;
  } catch (err) {
    jobMessage = (err as Error).message; // some rows may still have been written: the read below decides
  }
  const misses = (rows: Map<string, Row>) => writes.filter((w) => !rowHolds(rows.get(w.key), w.after)).length;
  let after: Map<string, Row>;
  try {
    const settled = (rows: Row[]) => misses(new Map(rows.map((r) => [String(r.key), r]))) <= expectedMisses;
    after = new Map((await deps.gateway.readAllRowsAfterWrite(table.id, settled, { mode: 'background' })).map((r) => [String(r.key), r]));
  } catch (err) {
    // Outcomes cannot be known now; the reconciler settles them from the table later.
    await deps.audit.recordMany(writes.map((w) => ({ ...entry(w), outcome: 'unknown', details: { message: (err as Error).message } })), actor);
    throw err;
  }
  // By meaning: a row Genesys stored as 1.0 or without trailing spaces holds what was written.
  const applied = writes.filter((w) => rowHolds(after.get(w.key), w.after, table.schema));
  const failed = writes.filter((w) => !rowHolds(after.get(w.key), w.after, table.schema));
  const message = jobMessage || 'Genesys Cloud did not accept this row in the import (check it against the table schema).';
  await deps.audit.recordMany([...applied.map((w) => ({ ...entry(w), outcome: 'applied' })), ...failed.map((w) => ({ ...entry(w), outcome: 'failed', details: { message } }))], actor);
  outcome.applied = applied.length;
  outcome.failures.push(...failed.map((w) => ({ key: w.key, message })));
  return outcome;
}

/**
 * The upload was refused, so the job never ran: each row's intent is closed as failed (with why, and that it
 * is written on its own instead) and the rows go back to the caller for single-row writes.
 */
async function handBack(
  audit: AuditService,
  rows: { entry: Record<string, unknown> & { action: string }; item: ImportItem }[],
  outcome: ImportOutcome,
  refused: string,
  actor: Actor,
): Promise<ImportOutcome> {
  const fallback = `${refused} Its ${rows.length} row(s) were written one at a time instead.`;
  await audit.recordMany(
    rows.map((r) => ({ ...r.entry, outcome: 'failed', details: { message: `${refused} This row is written on its own instead.` } })),
    actor,
  );
  outcome.leftOver.push(...rows.map((r) => r.item));
  outcome.fallback = fallback;
  return outcome;
}
