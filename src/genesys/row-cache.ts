// Rows of a table kept in memory per org+table, so browsing and searching a 5,000-row table does not call
// Genesys per page view. Filled on first use (one load in flight per table), updated by the app's own writes,
// refreshed on demand ("Reload from Genesys") and after a configurable staleness. Writes never trust it: the
// services re-read the row from Genesys right before writing.
import type { Clock } from '../lib/clock.js';
import type { Row } from './gateway.js';

interface Entry {
  rows: Map<string, Row>;
  loadedAt: number;
  /** The rows as an array, rebuilt only after a change (page views read far more often than rows change). */
  list?: Row[];
}

export interface CachedRows {
  /** Shared with other readers: never modify it. */
  rows: readonly Row[];
  loadedAt: Date;
}

export class RowCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(private readonly opts: { maxAgeMs: number; clock: Clock }) {}

  private key(orgId: string, tableId: string): string {
    return `${orgId}\u0000${tableId}`;
  }

  /** `refresh` reads again in any case; `loadedSince` reads again unless the rows were read at or after that time. */
  async get(orgId: string, tableId: string, load: () => Promise<Row[]>, opts: { refresh?: boolean; loadedSince?: number } = {}): Promise<CachedRows> {
    const k = this.key(orgId, tableId);
    const entry = this.entries.get(k);
    const fresh = entry && this.opts.clock.now() - entry.loadedAt < this.opts.maxAgeMs && entry.loadedAt >= (opts.loadedSince ?? -Infinity);
    if (entry && fresh && !opts.refresh) return { rows: (entry.list ??= [...entry.rows.values()]), loadedAt: new Date(entry.loadedAt) };
    let pending = this.loading.get(k);
    if (!pending) {
      const loadedAt = this.opts.clock.now();
      pending = load()
        .then((rows) => {
          const e = { rows: new Map(rows.map((r) => [String(r.key), r])), loadedAt };
          this.entries.set(k, e);
          return e;
        })
        .finally(() => this.loading.delete(k));
      this.loading.set(k, pending);
    }
    const loaded = await pending;
    return { rows: (loaded.list ??= [...loaded.rows.values()]), loadedAt: new Date(loaded.loadedAt) };
  }

  /** Records a row the app just wrote (create or update), if the table is cached. */
  upsert(orgId: string, tableId: string, row: Row): void {
    const entry = this.entries.get(this.key(orgId, tableId));
    if (!entry) return;
    entry.rows.set(String(row.key), row);
    entry.list = undefined;
  }

  remove(orgId: string, tableId: string, key: string): void {
    const entry = this.entries.get(this.key(orgId, tableId));
    if (!entry) return;
    entry.rows.delete(key);
    entry.list = undefined;
  }

  invalidate(orgId: string, tableId?: string): void {
    if (tableId) {
      this.entries.delete(this.key(orgId, tableId));
      return;
    }
    for (const k of [...this.entries.keys()]) if (k.startsWith(`${orgId}\u0000`)) this.entries.delete(k);
  }

  isCached(orgId: string, tableId: string): boolean {
    return this.entries.has(this.key(orgId, tableId));
  }
}
