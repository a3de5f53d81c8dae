// Which rows the engine wrote while a table read of its own was in use. A set of many changes reads the table
// once and then writes row after row for minutes; a form edit of one of those rows meanwhile goes through the
// engine too, so the engine knows the read no longer shows that row and reads it again before writing it.
// Remembered only while such a read is in use.
export class WriteJournal {
  private tick = 0;
  private readonly lastWrite = new Map<string, number>();
  private readonly reads = new Map<number, number>();
  private nextRead = 0;

  private static id(orgId: string, tableId: string, key: string): string {
    return `${orgId}\u0000${tableId}\u0000${key}`;
  }

  /** A table read starts: returns its handle (writes from now on are "since" it). */
  open(): number {
    const handle = this.nextRead++;
    this.reads.set(handle, this.tick);
    return handle;
  }

  close(handle: number): void {
    this.reads.delete(handle);
    if (this.reads.size === 0) this.lastWrite.clear();
  }

  wrote(orgId: string, tableId: string, key: string): void {
    if (this.reads.size) this.lastWrite.set(WriteJournal.id(orgId, tableId, key), ++this.tick);
  }

  /** The engine may have changed the row after the read `handle` began. */
  wroteSince(handle: number, orgId: string, tableId: string, key: string): boolean {
    return (this.lastWrite.get(WriteJournal.id(orgId, tableId, key)) ?? -1) > (this.reads.get(handle) ?? Infinity);
  }
}
