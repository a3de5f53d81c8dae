// Prisma Client 7 over better-sqlite3 (no native Prisma engine needed). The adapter opens one connection,
// so the per-connection PRAGMAs set here hold for every query. synchronous=FULL because the audit log's
// write-ahead intents must survive power loss, not only a process crash (better-sqlite3 defaults WAL to NORMAL).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client.js';

export type Db = PrismaClient;

export const REQUIRED_PRAGMAS = {
  journal_mode: 'wal',
  busy_timeout: 5000,
  foreign_keys: 1,
  synchronous: 2, // FULL
} as const;

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'app.db');
}

export function createDb(dbPath: string): Db {
  mkdirSync(path.dirname(dbPath), { recursive: true });
  const adapter = new PrismaBetterSqlite3({ url: `file:${dbPath}`, timeout: REQUIRED_PRAGMAS.busy_timeout });
  return new PrismaClient({ adapter });
}

async function pragma(db: Db, name: string): Promise<string | number> {
  const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
  const value = Object.values(rows[0] ?? {})[0];
  return typeof value === 'bigint' ? Number(value) : (value as string | number);
}

/** Sets the PRAGMAs this app depends on and asserts they took effect; throws (stopping start-up) otherwise. */
export async function configureDb(db: Db): Promise<void> {
  await db.$queryRawUnsafe(`PRAGMA journal_mode = WAL`);
  await db.$executeRawUnsafe(`PRAGMA busy_timeout = ${REQUIRED_PRAGMAS.busy_timeout}`);
  await db.$executeRawUnsafe(`PRAGMA foreign_keys = ON`);
  await db.$executeRawUnsafe(`PRAGMA synchronous = FULL`);
  const actual = await readPragmas(db);
  const wrong = Object.entries(REQUIRED_PRAGMAS).filter(([k, v]) => String(actual[k]).toLowerCase() !== String(v));
  if (wrong.length) {
    throw new Error(
      `SQLite settings did not take effect: ${wrong.map(([k, v]) => `${k}=${actual[k]} (want ${v})`).join(', ')}`,
    );
  }
}

export async function readPragmas(db: Db): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  for (const name of Object.keys(REQUIRED_PRAGMAS)) out[name] = await pragma(db, name);
  return out;
}

/** Whether the database answers a query (the health check); never throws. */
export async function databaseAnswers(db: Db): Promise<boolean> {
  try {
    await db.$queryRawUnsafe('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
