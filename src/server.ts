// Boot: config -> data dir & secrets -> logger -> database (PRAGMAs asserted) -> migrations -> services -> app
// -> listen on HOST:PORT -> (open the browser when launched by run.sh/run.bat). Ctrl+C / SIGTERM stop cleanly.
import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { createApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv, processEnv, type AppConfig } from './config.js';
import { configureDb, createDb, databasePath, type Db } from './db/database.js';
import { applyMigrationsInChildProcess } from './db/migrate.js';
import { openBrowser } from './lib/open-browser.js';
import { createLogger, logDirectory, type Logger } from './lib/logger.js';
import { appVersion, projectRoot } from './lib/paths.js';
import { Redactor } from './lib/redact.js';
import { loadAppSecrets, SecretFileError } from './lib/secret-files.js';
import { AuditKeyMismatchError } from './features/audit/audit-repository.js';
import { assertStoredSecretsReadable } from './features/orgs/data-key-check.js';
import { createOrgRepository } from './features/orgs/org-repository.js';
import { fileOffsetClock, systemClock } from './lib/clock.js';
import { createServices } from './services.js';

class DatabaseStartError extends Error {}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();

export async function prepareDatabase(config: AppConfig, logger: Logger): Promise<Db> {
  const dbPath = databasePath(config.dataDir);
  let applied: string[];
  try {
    applied = await applyMigrationsInChildProcess(dbPath, {
      schemaPath: path.join(projectRoot, 'prisma', 'schema.prisma'),
      migrationsDir: path.join(projectRoot, 'prisma', 'migrations'),
    });
  } catch (err) {
    logger.debug('migration failure detail', { err });
    throw new DatabaseStartError(
      `cannot open or migrate the database ${dbPath}: ${firstLine(err)}. If the file is damaged, restore the data directory from a backup.`,
    );
  }
  if (applied.length) logger.info('database migrated', { event: 'db.migrated', applied });
  const db = createDb(dbPath);
  await configureDb(db);
  return db;
}

function listen(app: ReturnType<typeof createApp>['app'], config: AppConfig): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(config.port, config.host);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new Error(
            `Port ${config.port} on ${config.host} is already in use. Stop the other program or start with a different port, e.g. PORT=3001 ./run.sh`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new Error(`Not allowed to listen on ${config.host}:${config.port}. Choose a port above 1024 with PORT=...`),
        );
      } else reject(err);
    });
  });
}

/**
 * Prints the one-time setup token on the console only (process.stdout, not the logger): the JSON log files
 * are read by more people and may be shipped elsewhere; the console belongs to whoever started the server.
 */
async function announceSetupToken(
  services: ReturnType<typeof createServices>,
  url: string,
  logger: Logger,
): Promise<void> {
  const token = services.setup.setupTokenToAnnounce();
  if (!token || (await services.setup.isAdminCreated())) return;
  process.stdout.write(
    `\n  This server is reachable from the network and has no administrator yet.\n` +
      `  Open ${url}setup and enter this one-time setup token:\n\n      ${token}\n\n` +
      `  (It is shown only here, changes at every start, and stops working once the administrator exists.)\n\n`,
  );
  logger.warn('setup token required: printed on the console, not in this log', { event: 'setup.token_printed' });
}

async function main(): Promise<void> {
  loadDotEnv();
  let config: AppConfig;
  try {
    config = loadConfig(processEnv(), { version: appVersion() });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      console.error('See .env.example for every setting and its allowed values.');
      process.exit(78);
    }
    throw err;
  }
  mkdirSync(config.dataDir, { recursive: true });
  // Uploads being checked when the process stopped are abandoned: nothing refers to them.
  rmSync(path.join(config.dataDir, 'incoming'), { recursive: true, force: true });
  const redactor = new Redactor();
  const logger = createLogger({
    level: config.logLevel,
    dir: logDirectory(config.dataDir),
    console: config.logConsole,
    redactor,
  });
  const started = performance.now();
  try {
    const secrets = loadAppSecrets(config.secretFiles);
    redactor.addSecret(secrets.sessionSecret);
    redactor.addSecret(secrets.dataKey.toString('base64'));
    redactor.addSecret(secrets.passwordPepper.toString('base64'));
    redactor.addSecret(secrets.backupKey.toString('base64'));
    redactor.addSecret(secrets.auditKey.toString('base64'));
    const db = await prepareDatabase(config, logger);
    await assertStoredSecretsReadable(createOrgRepository(db), secrets, config.secretFiles.dataKey);
    redactor.addSecret(config.envOrg?.clientSecret);
    const clock = config.testClockFile ? fileOffsetClock(config.testClockFile) : systemClock;
    const services = createServices({ config, db, logger, secrets, clock, redactor });
    // A signed checkpoint of the audit chain (DATA_DIR/audit-checkpoints.jsonl and the application log) at
    // start-up (before anything is audited), whenever the head moved since the last one, and at a clean stop:
    // a copy outside the database that shows entries removed from the end (the chain alone cannot show that).
    // The first one also records the switch to keyed hashes and refuses an audit key that did not sign it.
    await services.auditCheckpoints.record({ always: true });
    await services.orgs.syncEnvOrg();
    if (config.genesysApiOverride) {
      logger.warn('GENESYS_API_OVERRIDE is set: every org talks to a local emulator, not Genesys Cloud', {
        event: 'app.api_override',
        port: config.genesysApiOverride.port,
      });
    }
    const { app } = createApp(config, services);
    const server = await listen(app, config);
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/`;
    logger.info(`Data Table Manager ${config.version} listening on ${url}`, {
      event: 'app.start',
      startupMs: Math.round(performance.now() - started),
      dataDir: config.dataDir,
    });
    await announceSetupToken(services, url, logger);
    // Jobs stopped by a restart carry on; the periodic work (reconciler, scheduled backups, audit retention
    // and checkpoints, session pruning: src/jobs/background-work.ts) starts, all stopped by services.shutdown().
    await services.startBackgroundWork();
    if (config.openBrowser) openBrowser(url, logger);

    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { event: 'app.stop', signal });
      server.close(() => {
        // Background work first (running jobs stop at their next step and resume at the next start), then the
        // last checkpoint, so it covers every entry they wrote.
        void services
          .shutdown()
          .catch(() => undefined)
          .then(() => services.auditCheckpoints.record())
          .catch(() => undefined)
          .then(() => db.$disconnect())
          .finally(() => process.exit(0));
      });
      server.closeAllConnections();
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  } catch (err) {
    const known =
      err instanceof SecretFileError ||
      err instanceof AuditKeyMismatchError ||
      err instanceof DatabaseStartError ||
      (err as Error).message?.startsWith('Port ');
    logger.error(`start-up failed: ${known ? (err as Error).message : firstLine(err)}`, { event: 'app.start_failed' });
    if (!known) logger.debug('start-up failure detail', { err });
    await new Promise((r) => setTimeout(r, 100)); // let the log transports flush
    process.exit(1);
  }
}

await main();
