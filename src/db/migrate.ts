// Applies the committed prisma/migrations/* folders (exactly as `prisma migrate deploy` would, recorded in
// `_prisma_migrations`) and diffs databases against schema.prisma. Used at server start-up, by
// scripts/create-migration.ts and by the migration-exactness test.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
    ? (await readdir(migrationsDir, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
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

/**
 * applyMigrations in a short-lived child process (server start-up). Prisma's WebAssembly schema engine
 * grows the heap by tens of MB; in a separate process all of it goes back to the OS when the process exits,
 * which a worker thread does not achieve (the freed memory stays in the server's resident set).
 */
export async function applyMigrationsInChildProcess(dbPath: string, paths: MigrationPaths): Promise<string[]> {
  const { execFile } = await import('node:child_process');
  const fromSource = import.meta.url.endsWith('.ts'); // running under tsx (dev, tests) rather than from dist/
  const script = fileURLToPath(new URL(`./migrate-cli.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  const args = [...(fromSource ? ['--import', 'tsx'] : []), script, JSON.stringify({ dbPath, paths })];
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (err, out, errOut) => {
      if (err) reject(new Error(errOut.trim().split('\n').at(-1) || err.message));
      else resolve(out);
    }),
  );
  return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { applied: string[] }).applied;
}
