// Child-process entry for applyMigrationsInChildProcess: applies migrations and prints the applied names as
// one JSON line; on failure prints the first line of the error to stderr and exits 1.
import { applyMigrations, type MigrationPaths } from './migrate.js';

const { dbPath, paths } = JSON.parse(process.argv[2] ?? '{}') as { dbPath: string; paths: MigrationPaths };
try {
  const applied = await applyMigrations(dbPath, paths);
  process.stdout.write(`${JSON.stringify({ applied })}\n`);
} catch (err) {
  process.stderr.write(`${(err instanceof Error ? err.message : String(err)).split('\n')[0]}\n`);
  process.exit(1);
}
