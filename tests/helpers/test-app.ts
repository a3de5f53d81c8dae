// Builds the real app on a fresh SQLite file in a temporary DATA_DIR (one per test file), with a manual clock
// and an in-memory log transport. Nothing is mocked: migrations, PRAGMAs, sessions and CSRF are the real ones.
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { configureDb, createDb, databasePath } from '../../src/db/database.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger, logDirectory } from '../../src/lib/logger.js';
import { projectRoot } from '../../src/lib/paths.js';
import { Redactor } from '../../src/lib/redact.js';
import { loadAppSecrets } from '../../src/lib/secret-files.js';
import { createServices } from '../../src/services.js';
import type { ThrottleLimits } from '../../src/features/auth/login-throttle.js';
import { actorFor, type Actor } from '../../src/lib/actor.js';
import { TEST_BCRYPT_COST, type BcryptEngine } from '../../src/lib/passwords.js';
import { profileEmulatorOptions, profileGatewayTime } from './emulator-profile.js';
import { eventually } from './eventually.js';
import { memoBcrypt } from './memo-bcrypt.js';
import { MemoryTransport } from './memory-transport.js';
import type { GatewaySettings } from '../../src/genesys/gateway-registry.js';

export const ADMIN = { email: 'admin@example.com', displayName: 'Ada Admin', password: 'correct horse battery staple' };
/** ADMIN (the first account, id 1) as services see who acts, for tests that call services directly. */
export const ADMIN_ACTOR: Actor = actorFor({ id: 1, ...ADMIN, role: 'ADMIN' });

/** An account of the test database as services see who acts (as a route would build it, without a request). */
export async function actorOfUser(t: { db: TestApp['db'] }, id: number): Promise<Actor> {
  return actorFor(await t.db.user.findUniqueOrThrow({ where: { id } }));
}

export interface TestAppOptions {
  env?: Record<string, string>;
  throttleLimits?: ThrottleLimits;
  gatewaySettings?: Partial<GatewaySettings>;
  /** Wraps bcrypt, e.g. to count comparisons (tests/helpers/counting-bcrypt.ts). */
  bcrypt?: BcryptEngine;
  /**
   * The bcrypt cost of new hashes: TEST_BCRYPT_COST unless a test is about the cost itself (BCRYPT_COST). The
   * hashing, pepper and checks are the real ones either way; only the work factor is smaller.
   */
  bcryptCost?: number;
}

/**
 * Where test apps keep their DATA_DIR: a memory file system when the machine has one (/dev/shm on Linux). The app
 * runs SQLite with synchronous=FULL, so every commit waits for an fsync; on a disk that blocked a test world for
 * about 1.5 s of wall time (and more when others use the disk). The PRAGMAs, files and code are the same; only
 * the fsync is instant. Each app's directory is removed by close().
 */
export const testDataRoot = (() => {
  const memory = '/dev/shm';
  try {
    accessSync(memory, constants.W_OK);
    const { bavail, bsize } = statfsSync(memory);
    if (bavail * bsize >= 1024 ** 3) return memory; // not a container's 64 MB default
  } catch {
    // no such file system here
  }
  return os.tmpdir();
})();

const migrationsDir = path.join(projectRoot, 'prisma', 'migrations');
const schemaPath = path.join(projectRoot, 'prisma', 'schema.prisma');

/** A hash of the schema and every migration file: a new migration makes a new template. */
function migrationsHash(): string {
  const hash = createHash('sha256').update(readFileSync(schemaPath));
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  for (const file of walk(migrationsDir).sort())
    hash.update(path.relative(migrationsDir, file)).update('\0').update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

// Every test app starts from the same migrated database: the migrations are applied by the real schema engine
// once per set of migrations (the file is kept in the system temp directory, named by their hash, and shared by
// every test file and worker), and the file is copied for each app instead of running the engine again.
let template: Promise<string> | undefined;
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const kept = path.join(os.tmpdir(), 'dtm-test-templates', `${migrationsHash()}.db`);
    if (existsSync(kept)) return kept;
    const file = databasePath(mkdtempSync(path.join(testDataRoot, 'dtm-template-')));
    await applyMigrations(file, { schemaPath, migrationsDir });
    if (existsSync(`${file}-wal`))
      throw new Error('the migrated template database left a WAL file; copying it alone would lose data');
    // Copied beside the kept name, then renamed: a worker racing this one sees no file or a whole one.
    mkdirSync(path.dirname(kept), { recursive: true });
    const partial = `${kept}.${process.pid}.tmp`;
    copyFileSync(file, partial);
    renameSync(partial, kept);
    rmSync(path.dirname(file), { recursive: true, force: true });
    return kept;
  })();
  return template;
}

export async function createTestApp(options: TestAppOptions = {}) {
  const dataDir = mkdtempSync(path.join(testDataRoot, 'dtm-test-'));
  const config: AppConfig = loadConfig(
    { DATA_DIR: dataDir, NODE_ENV: 'test', LOG_CONSOLE: 'false', ...options.env },
    { version: '0.0.0-test' },
  );
  const memory = new MemoryTransport();
  const redactor = new Redactor();
  const logger = createLogger({
    level: 'debug',
    dir: logDirectory(dataDir),
    console: false,
    redactor,
    transports: [memory],
  });
  const secrets = loadAppSecrets(config.secretFiles);
  redactor.addSecret(secrets.sessionSecret);
  const dbPath = databasePath(dataDir);
  copyFileSync(await migratedTemplate(), dbPath);
  const db = createDb(dbPath);
  await configureDb(db);
  const clock = new ManualClock(Date.parse('2026-01-15T09:00:00Z'));
  const services = createServices({
    config,
    db,
    logger,
    secrets,
    clock,
    redactor,
    throttleLimits: options.throttleLimits,
    bcrypt: options.bcrypt ?? memoBcrypt,
    bcryptCost: options.bcryptCost ?? TEST_BCRYPT_COST,
    // The sandbox runs the emulator profile of this test run (emulator-profile.ts), its gateway waits on its clock.
    gatewaySettings: { jobPollIntervalMs: 20, ...profileGatewayTime(), ...options.gatewaySettings },
    sandboxEmulator: profileEmulatorOptions(),
  });
  // As at server start-up: the first audit checkpoint, which records the switch to the keyed audit chain.
  await services.auditCheckpoints.record({ always: true });
  const { app, routes } = createApp(config, services);
  return {
    app,
    routes,
    config,
    services,
    db,
    clock,
    logs: memory,
    redactor,
    dataDir,
    agent: () => supertest.agent(app),
    async close() {
      await services.shutdown();
      await db.$disconnect();
      logger.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
export type Agent = ReturnType<TestApp['agent']>;

/** The CSRF token in the first form of the page at `url` (fetched with the agent's session). */
export async function csrfFrom(agent: Agent, url: string): Promise<string> {
  const res = await agent.get(url);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match?.[1]) throw new Error(`No CSRF token on ${url} (status ${res.status})`);
  return match[1];
}

/** Runs the setup wizard over HTTP; returns the agent, signed in as the new admin. */
export async function completeSetup(t: TestApp, account = ADMIN): Promise<Agent> {
  const agent = t.agent();
  const token = await csrfFrom(agent, '/setup');
  const setupToken = t.services.setup.setupTokenToAnnounce() ?? undefined; // needed when HOST is not loopback
  const res = await agent
    .post('/setup')
    .type('form')
    .send({ _csrf: token, ...account, passwordConfirm: account.password, setupToken });
  if (res.status !== 303) throw new Error(`setup failed: ${res.status} ${res.text.slice(0, 500)}`);
  const connectToken = await csrfFrom(agent, '/setup/connect');
  await agent.post('/setup/connect').type('form').send({ _csrf: connectToken }).expect(303);
  return agent;
}

export async function signIn(t: TestApp, email: string, password: string, agent = t.agent()) {
  const token = await csrfFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, email, password });
  return { agent, res };
}

/** Creates a user directly in the database (for tests of features other than user management). */
export async function createUser(
  t: TestApp,
  user: { email: string; displayName: string; password: string; role?: 'ADMIN' | 'USER'; disabled?: boolean },
) {
  return t.db.user.create({
    data: {
      email: user.email,
      displayName: user.displayName,
      passwordHash: await t.services.hasher.hash(user.password),
      role: user.role ?? 'USER',
      disabled: user.disabled ?? false,
    },
  });
}

/**
 * The JSON log files in DATA_DIR/logs, once they hold every line logged so far: the file transport writes in the
 * background, and each line also reaches the in-memory transport, which counts them.
 */
export async function flushedLogFiles(t: TestApp): Promise<{ name: string; text: string }[]> {
  const dir = logDirectory(t.dataDir);
  return eventually('the log files to hold every logged line', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));
    const written = files.reduce((n, f) => n + f.text.split('\n').filter(Boolean).length, 0);
    return written >= t.logs.lines.length && files;
  });
}
