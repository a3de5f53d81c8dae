// One lock per row (org, table, key): two writes from the app to the same row never interleave their read and
// their write. Locks are re-entrant within one async call chain, so a caller that must read a row and then
// change it (a rename copies the row it is about to delete) can hold the row across the engine's own locking.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Mutex } from 'async-mutex';

export class RowLocks {
  private readonly locks = new Map<string, Mutex>();
  private readonly held = new AsyncLocalStorage<ReadonlySet<string>>();

  private static id(orgId: string, tableId: string, key: string): string {
    return `${orgId}\u0000${tableId}\u0000${key}`;
  }

  /** Runs `fn` holding the lock of one row, then forgets the lock if nobody waits for it. */
  run<T>(orgId: string, tableId: string, key: string, fn: () => Promise<T>): Promise<T> {
    return this.runAll(orgId, tableId, [key], fn);
  }

  /** Holds the locks of many rows (taken in sorted order, so two callers never wait on each other). */
  async runAll<T>(orgId: string, tableId: string, keys: string[], fn: () => Promise<T>): Promise<T> {
    const mine = this.held.getStore() ?? new Set<string>();
    const ids = [...new Set(keys.map((k) => RowLocks.id(orgId, tableId, k)))].filter((id) => !mine.has(id)).sort();
    const taken: [string, Mutex][] = [];
    try {
      for (const id of ids) {
        let lock = this.locks.get(id);
        if (!lock) {
          lock = new Mutex();
          this.locks.set(id, lock);
        }
        await lock.acquire();
        taken.push([id, lock]);
      }
      return await this.held.run(new Set([...mine, ...ids]), fn);
    } finally {
      for (const [id, lock] of taken) {
        lock.release();
        if (!lock.isLocked()) this.locks.delete(id);
      }
    }
  }
}
