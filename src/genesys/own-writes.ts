// Read-your-writes over an eventually consistent Genesys (read-after-write.ts; ADR "reads answer the app's own
// updates"): the gateway remembers, for a short while, the rows it created, updated and deleted itself, and what
// each row held before. A read of such a row, or of its table, that still shows an older state is not handed
// back as it is: it would look like a failed write or a vanished row, the row cache would keep it, and a form or
// merge built on it would write the older values back over the app's own edit (data loss).
// - Existence (a new row absent, a deleted one present) is waited for: the read is repeated with back-off.
// - Values (an updated row showing what it held before, or an earlier write of ours) are answered from memory:
//   the read is given the values written. No source says Genesys shows an update at once (§13), and waiting
//   seconds on every read after an edit would stall the next edit.
// - A read showing the written values forgets the write. So does one showing values that are neither ours nor
//   the row's known earlier state: someone else changed the row since, and that is returned as it is (their
//   change must reach the conflict check). Where the earlier state is unknown, any other values count as older.
// Scope: one memory per org gateway, shared by every user of the app (user 2 must not read the row as it was
// before user 1's save). Bounded: a write is remembered for `rememberMs` (the longest the gateway waits for a
// write to show) and at most MAX_REMEMBERED rows at once, the oldest dropped first.
import type { Clock } from '../lib/clock.js';
import { rowHolds, type Row } from './datatable-schema.js';

/** Rows remembered at once, across tables (a bulk edit of a full 5,000-row table fits, four times over). */
const MAX_REMEMBERED = 20_000;
/** Older states kept per row: the one before our first write and our latest few (many edits in one window). */
const MAX_OLDER = 8;

/** `states` without repeats (by meaning), the first kept and the newest after it. */
function distinctStates(states: (Row | null)[]): (Row | null)[] {
  const out: (Row | null)[] = [];
  for (const s of states) if (!out.some((o) => sameRow(o, s))) out.push(s);
  return out.length > MAX_OLDER ? [out[0]!, ...out.slice(-(MAX_OLDER - 1))] : out;
}

interface Written {
  /** The row as written; null = deleted. */
  row: Row | null;
  /** States a read may still show that are older than `row`: the row before our writes and our earlier writes. */
  older: (Row | null)[];
  /** Whether the state before our first write is among `older` (it is when the gateway read the row first). */
  beforeKnown: boolean;
  at: number;
}

/** What a read of one row means, given our recent write to it. */
type Verdict = 'current' | 'older' | 'not-visible';

const sameRow = (a: Row | null | undefined, b: Row | null | undefined): boolean =>
  (a == null && b == null) || (rowHolds(a, b) && rowHolds(b, a));

function judge(seen: Row | null, written: Written): Verdict {
  if (written.row === null) return seen === null ? 'current' : 'not-visible';
  if (seen === null) return 'not-visible';
  if (rowHolds(seen, written.row)) return 'current';
  // Known earlier state or one of our earlier writes: a stale read. Neither: someone else wrote since.
  if (written.older.some((o) => sameRow(seen, o))) return 'older';
  return written.beforeKnown ? 'current' : 'older';
}

/** A read after our writes: the rows to hand back, and whether every write of ours that must show does. */
export interface Resolved<T> {
  value: T;
  settled: boolean;
}

const rowId = (tableId: string, key: string) => `${tableId}\u0000${key}`;

export class OwnWrites {
  /** By table, then key. */
  private readonly tables = new Map<string, Map<string, Written>>();
  /** Rows as last read one by one (getRow), so that an update knows what the row held before it. */
  private readonly lastRead = new Map<string, { row: Row | null; at: number }>();
  private count = 0;

  constructor(
    private readonly clock: Clock,
    /** How long a write is remembered at most; after that, reads return what they see. */
    private readonly rememberMs: number,
  ) {}

  /** The gateway read `row` by its key (null: absent); an update that follows knows what it replaced. */
  noteRead(tableId: string, key: string, row: Row | null): void {
    const id = rowId(tableId, key);
    this.lastRead.delete(id); // re-inserted last: the map's order is oldest first
    this.lastRead.set(id, { row, at: this.clock.now() });
    while (this.lastRead.size > MAX_REMEMBERED) this.lastRead.delete(this.lastRead.keys().next().value!);
  }

  /**
   * A whole table as Genesys showed it: rows read one by one before keep their latest state. Without this, a
   * row read singly long ago (A), changed since (B, seen only in table reads), then updated by us (C) would
   * take A as "before our write", and a lagging read showing B would pass for someone else's newer change.
   */
  noteTableRead(tableId: string, rows: Row[]): void {
    if (!this.lastRead.size) return;
    const byKey = new Map(rows.map((r) => [String(r.key), r]));
    const prefix = rowId(tableId, '');
    const now = this.clock.now();
    for (const [id, read] of this.lastRead) {
      if (!id.startsWith(prefix)) continue;
      read.row = byKey.get(id.slice(prefix.length)) ?? null;
      read.at = now;
    }
  }

  /** The gateway created (`row`, `absentBefore`), updated (`row`) or deleted (null) a row. */
  note(tableId: string, key: string, row: Row | null, opts: { absentBefore?: boolean } = {}): void {
    let rows = this.tables.get(tableId);
    if (!rows) this.tables.set(tableId, (rows = new Map()));
    const now = this.clock.now();
    const previous = this.live(rows.get(key), now);
    const read = this.lastRead.get(rowId(tableId, key));
    const before = opts.absentBefore ? [null] : read && read.at >= now - this.rememberMs ? [read.row] : [];
    const older = distinctStates(previous ? [...previous.older, previous.row, ...before] : before);
    if (!rows.has(key)) this.count++;
    rows.delete(key); // re-inserted last: the oldest write is dropped first
    // What counts is the state before our first write in the window: after that, `before` is only our own write.
    rows.set(key, { row, older, beforeKnown: previous ? previous.beforeKnown : before.length > 0, at: now });
    this.trim();
  }

  private live(w: Written | undefined, now: number): Written | undefined {
    return w && w.at >= now - this.rememberMs ? w : undefined;
  }

  /** Drops the oldest writes beyond the size bound (their rows may then read stale, as without this memory). */
  private trim(): void {
    for (const [tableId, rows] of this.tables) {
      if (this.count <= MAX_REMEMBERED) return;
      for (const key of rows.keys()) {
        if (this.count <= MAX_REMEMBERED) break;
        this.forget(tableId, key);
      }
    }
  }

  /**
   * A write of ours to the row whose outcome is unknown (the answer was lost): what we remember may no longer
   * be the newest state, so reads show the row as Genesys does until the reconciler settles it.
   */
  unsure(tableId: string, key: string): void {
    this.forget(tableId, key);
    this.lastRead.delete(rowId(tableId, key));
  }

  private forget(tableId: string, key: string): void {
    const rows = this.tables.get(tableId);
    if (!rows?.delete(key)) return;
    this.count--;
    if (!rows.size) this.tables.delete(tableId);
  }

  /** Our recent writes to the table, by key (expired ones dropped). */
  private pending(tableId: string): Map<string, Written> | undefined {
    const rows = this.tables.get(tableId);
    if (!rows) return undefined;
    const now = this.clock.now();
    for (const [key, w] of rows) if (!this.live(w, now)) this.forget(tableId, key);
    return this.tables.get(tableId);
  }

  /** Whether any write of ours to the table is still remembered. */
  waitingIn(tableId: string): boolean {
    return this.pending(tableId) !== undefined;
  }

  /** A row as read, made to show our recent write to it; not settled while its existence does not show yet. */
  resolveRow(tableId: string, key: string, seen: Row | null): Resolved<Row | null> {
    const written = this.pending(tableId)?.get(key);
    if (!written) return { value: seen, settled: true };
    const verdict = judge(seen, written);
    if (verdict === 'not-visible') return { value: seen, settled: false };
    if (verdict === 'older') return { value: written.row, settled: true };
    this.forget(tableId, key);
    this.noteRead(tableId, key, seen); // the state a next write of ours replaces
    return { value: seen, settled: true };
  }

  /** A table's rows as read, each made to show our recent writes; not settled while a row's existence lags. */
  resolveTable(tableId: string, rows: Row[]): Resolved<Row[]> {
    const pending = this.pending(tableId);
    if (!pending) return { value: rows, settled: true };
    const byKey = new Map(rows.map((r) => [String(r.key), r]));
    let settled = true;
    const replaced = new Map<string, Row>();
    for (const key of [...pending.keys()]) {
      const { value, settled: shows } = this.resolveRow(tableId, key, byKey.get(key) ?? null);
      if (!shows) settled = false;
      else if (value && value !== byKey.get(key)) replaced.set(key, value);
    }
    const value = replaced.size ? rows.map((r) => replaced.get(String(r.key)) ?? r) : rows;
    return { value, settled };
  }
}
