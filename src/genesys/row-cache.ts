// Rows of a table kept in memory per org+table, so browsing and searching a 5,000-row table does not call
// Genesys per page view. Filled on first use (one load in flight per table), updated by the app's own writes,
// refreshed on demand ("Reload from Genesys") and after a configurable staleness. Writes never trust it: the
// services re-read the row from Genesys right before writing.
//
// The cache holds only what it read from Genesys itself (or rows Genesys returned for the app's own writes):
// its one reader is given at construction, and no caller can hand it rows or a loader of its own. A caller that
// only wants rows when they are at hand asks `peek`, which never loads and never stores.
import type { Clock } from '../lib/clock.js';
import type { Row } from './gateway.js';

/** Reads every row of a table from Genesys (the gateway's readAllRows for the org). */
export type ReadTableRows = (orgId: string, tableId: string) => Promise<Row[]>;

interface Entry {
  rows: Map<string, Row>;
  loadedAt: number;
  /** The rows as an array, rebuilt only after a change (page views read far more often than rows change). */
  list?: Row[];
}

interface Load {
  startedAt: number;
  promise: Promise<Entry>;
}

export interface CachedRows {
  /** Shared with other readers: never modify it. */
  rows: readonly Row[];
  loadedAt: Date;
}

export class RowCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Load>();
  /** Bumped by every change to a table's entry: a load that started before one is not kept (it may miss it). */
  private readonly generations = new Map<string, number>();

  constructor(private readonly opts: { maxAgeMs: number; clock: Clock; readRows: ReadTableRows }) {}

  private key(orgId: string, tableId: string): string {
    return `${orgId}\u0000${tableId}`;
  }

  private view(entry: Entry): CachedRows {
    return { rows: (entry.list ??= [...entry.rows.values()]), loadedAt: new Date(entry.loadedAt) };
  }

  private isFresh(entry: Entry, since: number): boolean {
    return this.opts.clock.now() - entry.loadedAt < this.opts.maxAgeMs && entry.loadedAt >= since;
  }

  private touch(k: string): void {
    this.generations.set(k, (this.generations.get(k) ?? 0) + 1);
  }

  /** The rows if they were read from Genesys within the cache age; never reads, never stores. */
  peek(orgId: string, tableId: string): CachedRows | undefined {
    const entry = this.entries.get(this.key(orgId, tableId));
    return entry && this.isFresh(entry, -Infinity) ? this.view(entry) : undefined;
  }

  /**
   * The table's rows, read from Genesys unless a read within the cache age is at hand. `refresh` reads again
   * in any case; `loadedSince` reads again unless the rows were read at or after that time. A load already in
   * flight is joined only when it started late enough for the caller.
   */
  async get(
    orgId: string,
    tableId: string,
    opts: { refresh?: boolean; loadedSince?: number } = {},
  ): Promise<CachedRows> {
    const k = this.key(orgId, tableId);
    const since = opts.refresh ? this.opts.clock.now() : (opts.loadedSince ?? -Infinity);
    const entry = this.entries.get(k);
    if (entry && !opts.refresh && this.isFresh(entry, since)) return this.view(entry);
    let load = this.loading.get(k);
    if (!load || load.startedAt < since) load = this.startLoad(orgId, tableId);
    return this.view(await load.promise);
  }

  private startLoad(orgId: string, tableId: string): Load {
    const k = this.key(orgId, tableId);
    const startedAt = this.opts.clock.now();
    const generation = this.generations.get(k) ?? 0;
    const promise = this.opts.readRows(orgId, tableId).then((rows) => {
      const entry: Entry = { rows: new Map(rows.map((r) => [String(r.key), r])), loadedAt: startedAt };
      // Kept only when nothing changed the table meanwhile and no later load has been kept already; the
      // caller gets what Genesys answered either way.
      const current = this.entries.get(k);
      if ((this.generations.get(k) ?? 0) === generation && !(current && current.loadedAt > startedAt))
        this.entries.set(k, entry);
      return entry;
    });
    const load = { startedAt, promise };
    this.loading.set(k, load);
    const forget = () => {
      if (this.loading.get(k) === load) this.loading.delete(k);
    };
    void promise.then(forget, forget);
    return load;
  }

  /** Records a row Genesys returned for the app's own write (create or update), if the table is cached. */
  upsert(orgId: string, tableId: string, row: Row): void {
    const k = this.key(orgId, tableId);
    this.touch(k);
    const entry = this.entries.get(k);
    if (!entry) return;
    entry.rows.set(String(row.key), row);
    entry.list = undefined;
  }

  /** Forgets a row the app just deleted in Genesys, if the table is cached. */
  remove(orgId: string, tableId: string, key: string): void {
    const k = this.key(orgId, tableId);
    this.touch(k);
    const entry = this.entries.get(k);
    if (!entry) return;
    entry.rows.delete(key);
    entry.list = undefined;
  }

  /** Forgets a table's rows (or an org's), including a load in flight: the next reader reads Genesys again. */
  invalidate(orgId: string, tableId?: string): void {
    const prefix = `${orgId}\u0000`;
    const keys = tableId
      ? [this.key(orgId, tableId)]
      : [...new Set([...this.entries.keys(), ...this.loading.keys()])].filter((k) => k.startsWith(prefix));
    for (const k of keys) {
      this.touch(k);
      this.entries.delete(k);
      this.loading.delete(k);
    }
  }
}
