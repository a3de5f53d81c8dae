// The committed migrations produce exactly what schema.prisma describes, apply once, and the database runs
// with the PRAGMAs the app depends on.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureDb, createDb, readPragmas, REQUIRED_PRAGMAS } from '../../src/db/database.js';
import { applyMigrations, diffDatabaseAgainstSchema } from '../../src/db/migrate.js';
import { openSchemaEngine } from '../../src/db/schema-engine.js';
import { projectRoot } from '../../src/lib/paths.js';

const schemaPath = path.join(projectRoot, 'prisma', 'schema.prisma');
const migrationsDir = path.join(projectRoot, 'prisma', 'migrations');
const freshDb = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'dtm-db-')), 'app.db');

describe('migrations', () => {
  it('produce exactly the database schema.prisma describes', async () => {
    const dbPath = freshDb();
    const applied = await applyMigrations(dbPath, { schemaPath, migrationsDir });
    expect(applied.length).toBeGreaterThan(0);
    const diff = await diffDatabaseAgainstSchema(dbPath, schemaPath);
    expect(diff.script.trim()).toBe('');
    expect(diff.exitCode).toBe(0);
  });

  it('apply nothing the second time', async () => {
    const dbPath = freshDb();
    await applyMigrations(dbPath, { schemaPath, migrationsDir });
    expect(await applyMigrations(dbPath, { schemaPath, migrationsDir })).toEqual([]);
  });

  it('detect a database that does not match the schema', async () => {
    const dbPath = freshDb();
    await applyMigrations(dbPath, { schemaPath, migrationsDir });
    const db = createDb(dbPath);
    await db.$executeRawUnsafe('DROP INDEX "Session_expiresAt_idx"');
    await db.$disconnect();
    const diff = await diffDatabaseAgainstSchema(dbPath, schemaPath);
    expect(diff.exitCode).toBe(2);
    expect(diff.script).toContain('Session_expiresAt_idx');
  });
});

describe('schema engine loader', () => {
  it('loads the pinned WebAssembly engine and reports the SQLite version', async () => {
    const { engine, close } = await openSchemaEngine(freshDb(), [
      { path: schemaPath, content: 'datasource db { provider = "sqlite" }' },
    ]);
    try {
      expect(await engine.version()).toMatch(/\d/);
    } finally {
      await close();
    }
  });
});

describe('SQLite settings', () => {
  it('runs with WAL, busy_timeout, foreign_keys and synchronous=FULL', async () => {
    const dbPath = freshDb();
    await applyMigrations(dbPath, { schemaPath, migrationsDir });
    const db = createDb(dbPath);
    await configureDb(db);
    expect(await readPragmas(db)).toEqual({ journal_mode: 'wal', busy_timeout: 5000, foreign_keys: 1, synchronous: 2 });
    expect(REQUIRED_PRAGMAS.synchronous).toBe(2);
    await expect(
      db.session.create({ data: { sid: 'x', userId: 999, data: '{}', expiresAt: new Date() } }),
    ).rejects.toThrow();
    await db.$disconnect();
  });
});
