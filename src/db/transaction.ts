// Transactions as services see them: a handle to pass to repositories and `audit.record`, so a local change
// and its audit entry commit together or not at all (ADR 016). Services never
// query through it; only repositories unwrap it (`clientIn`, `within`). The adapter runs one transaction at a
// time on its one connection, so work inside one sees no other writer between its reads and its writes; never
// hold one across a network call or bcrypt (every other database user waits for it).
import type { Db } from './database.js';
import type { Prisma } from './generated/client.js';

export interface Transaction {
  /** Runs `fn` once the transaction has committed (never if it rolls back): log lines about what it wrote. */
  afterCommit(fn: () => void): void;
}

/** The client behind a Transaction; only repositories reach it, through clientIn/within. */
interface OpenTransaction extends Transaction {
  readonly client: Prisma.TransactionClient;
}

/** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
export type Transact = <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>;

export function createTransact(db: Db): Transact {
  return async (work) => {
    const committed: (() => void)[] = [];
    const result = await db.$transaction((client) => {
      const tx: OpenTransaction = { client, afterCommit: (fn) => committed.push(fn) };
      return work(tx);
    });
    for (const fn of committed) fn();
    return result;
  };
}

/** The client a repository queries with: the caller's transaction, or the database itself. */
export function clientIn(db: Db, tx: Transaction | undefined): Prisma.TransactionClient {
  return tx ? (tx as OpenTransaction).client : db;
}

/** Runs `work` inside the caller's transaction, or in a transaction of its own when there is none. */
export function within<T>(
  db: Db,
  tx: Transaction | undefined,
  work: (client: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  return tx ? work((tx as OpenTransaction).client) : db.$transaction(work);
}
