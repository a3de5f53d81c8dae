// Read-your-writes over an eventually consistent Genesys (read-after-write.ts): the gateway remembers, for a
// short while, the rows it created and deleted itself. A read of such a row, or of its table, that still shows
// the state from before (a new row absent, a deleted one present) is repeated with back-off (bounded) instead
// of handing that state back — it would look like a failed write or a vanished row, and the row cache would
// keep it. Only existence is waited for: a row that shows other values was changed by someone else, and is
// returned as it is. Once a read shows a write, it is forgotten: later reads need not wait for it.
import type { Clock } from '../lib/clock.js';
import type { Row } from './datatable-schema.js';

type Written = { exists: boolean; at: number };

/** Whether what a read shows has caught up with the write. */
const shows = (seen: Row | null | undefined, written: Written) => (seen !== null && seen !== undefined) === written.exists;

export class OwnWrites {
  private readonly tables = new Map<string, Map<string, Written>>();

  constructor(
    private readonly clock: Clock,
    /** How long a write is waited for at most; after that, reads return what they see. */
    private readonly rememberMs: number,
  ) {}

  /** The gateway created (`exists`) or deleted a row. */
  note(tableId: string, key: string, exists: boolean): void {
    let rows = this.tables.get(tableId);
    if (!rows) this.tables.set(tableId, (rows = new Map()));
    rows.set(key, { exists, at: this.clock.now() });
  }

  /** Our recent writes to the table, by key (expired ones dropped). */
  private pending(tableId: string): Map<string, Written> | undefined {
    const rows = this.tables.get(tableId);
    if (!rows) return undefined;
    const oldest = this.clock.now() - this.rememberMs;
    for (const [key, w] of rows) if (w.at < oldest) rows.delete(key);
    if (!rows.size) this.tables.delete(tableId);
    return rows.size ? rows : undefined;
  }

  /** True when the row as read shows our recent write to it (or we made none); forgets the write once shown. */
  rowShows(tableId: string, key: string, seen: Row | null): boolean {
    const written = this.pending(tableId)?.get(key);
    if (!written) return true;
    if (!shows(seen, written)) return false;
    this.tables.get(tableId)?.delete(key);
    return true;
  }

  /** True when the table as read shows every recent write of ours to it; forgets those it shows. */
  tableShows(tableId: string, rows: Row[]): boolean {
    const pending = this.pending(tableId);
    if (!pending) return true;
    const byKey = new Map(rows.map((r) => [String(r.key), r]));
    for (const [key, written] of pending) if (shows(byKey.get(key), written)) pending.delete(key);
    return pending.size === 0;
  }

  /** Whether any write of ours to the table is still waiting to show. */
  waitingIn(tableId: string): boolean {
    return this.pending(tableId) !== undefined;
  }
}
