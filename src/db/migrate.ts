// Applies the committed prisma/migrations/* folders (exactly as `prisma migrate deploy` would, recorded in
// `_prisma_migrations`) and diffs databases against schema.prisma. Used at server start-up, by
// scripts/create-migration.ts and by the migration-exactness test.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { openSchemaEngine, type SchemaFiles } from './schema-engine.js';

export interface MigrationPaths {
  schemaPath: string;
  migrationsDir: string;
}

const noFilters = { externalTables: [], externalEnums: [] };

export async function readSchemaFiles(schemaPath: string): Promise<SchemaFiles> {
  return [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }];
}

async function loadMigrationsList(migrationsDir: string) {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const lockContent = existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null;
  const names = existsSync(migrationsDir)
    ? (await readdir(migrationsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8') },
      },
    })),
  );
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** Applies pending migrations to the database file; returns the names applied (empty when up to date). */
export async function applyMigrations(dbPath: string, paths: MigrationPaths): Promise<string[]> {
  const { engine, close } = await openSchemaEngine(dbPath, await readSchemaFiles(paths.schemaPath));
  try {
    const migrationsList = await loadMigrationsList(paths.migrationsDir);
    const result = await engine.applyMigrations({ migrationsList, filters: noFilters } as never);
    return result.appliedMigrationNames;
  } finally {
    await close();
  }
}

/**
 * Diffs the live database against schema.prisma. `exitCode` 0 means they match; 2 means `script` holds the
 * SQL that would make the database match the schema.
 */
export async function diffDatabaseAgainstSchema(
  dbPath: string,
  schemaPath: string,
): Promise<{ exitCode: number; script: string }> {
  const files = await readSchemaFiles(schemaPath);
  const { engine, close } = await openSchemaEngine(dbPath, files);
  try {
    const result = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: path.dirname(schemaPath) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: noFilters,
    } as never);
    const exitCode = result.exitCode ?? 0;
    // With nothing to do the engine still prints a "-- This is an empty migration." comment.
    return { exitCode, script: exitCode === 0 ? '' : (result.stdout ?? '') };
  } finally {
    await close();
  }
}
