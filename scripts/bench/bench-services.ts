// The app's services in this process on a fresh SQLite database, against an emulator at Genesys' budget, for the
// benches that drive services directly (no HTTP): an administrator and one org connected to the emulator.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningEmulator } from '../../src/emulator/emulator.js';
import { loadConfig } from '../../src/config.js';
import { configureDb, createDb, databasePath } from '../../src/db/database.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger, logDirectory } from '../../src/lib/logger.js';
import { projectRoot } from '../../src/lib/paths.js';
import { Redactor } from '../../src/lib/redact.js';
import { loadAppSecrets } from '../../src/lib/secret-files.js';
import { createServices } from '../../src/services.js';
import { actorFor } from '../../src/lib/actor.js';

/** `clientId`/`clientSecret`: the emulator client the org connects with; `perMinute`: the org's pace. */
export async function benchServices(
  emu: RunningEmulator,
  opts: { name: string; clientId: string; clientSecret: string; perMinute: number },
) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `dtm-bench-${opts.name.toLowerCase()}-`));
  const redactor = new Redactor();
  const config = loadConfig(
    {
      DATA_DIR: dataDir,
      LOG_CONSOLE: 'false',
      LOG_LEVEL: 'warn',
      GENESYS_API_OVERRIDE: `http://127.0.0.1:${emu.port}`,
    },
    { version: 'bench' },
  );
  const logger = createLogger({ level: 'warn', dir: logDirectory(dataDir), console: false, redactor });
  const dbPath = databasePath(dataDir);
  await applyMigrations(dbPath, {
    schemaPath: path.join(projectRoot, 'prisma', 'schema.prisma'),
    migrationsDir: path.join(projectRoot, 'prisma', 'migrations'),
  });
  const db = createDb(dbPath);
  await configureDb(db);
  const services = createServices({
    config,
    db,
    logger,
    secrets: loadAppSecrets(config.secretFiles),
    clock: systemClock,
    redactor,
  });
  const admin = await db.user.create({
    data: { email: 'admin@example.com', displayName: 'Admin', passwordHash: 'x', role: 'ADMIN' },
  });
  const actor = actorFor(admin);
  const org = await services.orgs.create(actor, {
    name: opts.name,
    region: 'us_east_1',
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    color: 'blue',
    requestsPerMinute: String(opts.perMinute),
  });
  return {
    services,
    db,
    actor,
    org,
    async close() {
      await services.shutdown();
      await db.$disconnect();
      logger.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
