// Eventual consistency (genesys-datatables.md §13, INFERRED from the official Terraform provider, which retries
// reads after a create and polls until a deleted table or row answers 404). Writes always act on the true
// state; reads see it `visibilityDelayMs` late: a new table or a new or imported row stays invisible, a
// deleted one lingers, a row an import replaced (or, with
// updateVisibility 'lagging', a PUT updated) shows its old values. With the delay at 0 nothing is recorded.
import type { Row } from './schema-rules.js';
import { byCodeUnit, sortedKeys, type DataTableState, type OrgState } from './store.js';

/** When a change was made and how long reads lag behind it; `undefined` (seeding, delay 0) = no lag. */
export interface Lag {
  now: number;
  delayMs: number;
}

const lagging = (lag: Lag | undefined): lag is Lag => lag !== undefined && lag.delayMs > 0;

export function markNewTable(table: DataTableState, lag: Lag | undefined): void {
  if (lagging(lag)) table.visibleAfter = lag.now + lag.delayMs;
}

export function lingerDeletedTable(org: OrgState, table: DataTableState, lag: Lag | undefined): void {
  if (lagging(lag) && (table.visibleAfter ?? 0) <= lag.now)
    (org.lingering ??= new Map()).set(table.id, { table, until: lag.now + lag.delayMs });
}

/** The table as reads see it at `now`: a new one not yet, a deleted one still. */
export function visibleTable(org: OrgState, id: string, now: number): DataTableState | undefined {
  const table = org.tables.get(id);
  if (table && (table.visibleAfter ?? 0) <= now) return table;
  const gone = org.lingering?.get(id);
  if (gone && gone.until > now) return gone.table;
  if (gone) org.lingering!.delete(id);
  return undefined;
}

export function visibleTables(org: OrgState, now: number): DataTableState[] {
  const ids = new Set([...org.tables.keys(), ...(org.lingering?.keys() ?? [])]);
  return [...ids].map((id) => visibleTable(org, id, now)).filter((t): t is DataTableState => t !== undefined);
}

/** Records that the row `key` changed from `previous` (undefined = it did not exist); reads keep the older state. */
export function noteRowChange(
  table: DataTableState,
  key: string,
  previous: Row | undefined,
  lag: Lag | undefined,
): void {
  if (!lagging(lag)) return;
  const stale = (table.stale ??= new Map());
  const pending = stale.get(key);
  // A second change inside the window keeps showing the state from before the first one.
  const shown = pending && pending.until > lag.now ? pending.shown : (previous ?? null);
  stale.set(key, { until: lag.now + lag.delayMs, shown });
}

function pruneStale(table: DataTableState, now: number): void {
  if (!table.stale) return;
  for (const [key, s] of table.stale) if (s.until <= now) table.stale.delete(key);
}

export function visibleRow(table: DataTableState, key: string, now: number): Row | undefined {
  const s = table.stale?.get(key);
  if (s && s.until > now) return s.shown ?? undefined;
  return table.rows.get(key);
}

/** Row keys reads see at `now`, in the listing order. */
export function visibleKeys(table: DataTableState, now: number): string[] {
  pruneStale(table, now);
  if (!table.stale?.size) return sortedKeys(table);
  const keys = new Set(sortedKeys(table));
  for (const [key, s] of table.stale) {
    if (s.shown) keys.add(key);
    else keys.delete(key);
  }
  return [...keys].sort(byCodeUnit);
}
