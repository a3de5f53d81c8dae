// Builds the real app on a fresh SQLite file in a temporary DATA_DIR (one per test file), with a manual clock
// and an in-memory log transport. Nothing is mocked: migrations, PRAGMAs, sessions and CSRF are the real ones.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
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
import type { Actor } from '../../src/lib/actor.js';
import type { BcryptEngine } from '../../src/lib/passwords.js';
import { profileEmulatorOptions, profileGatewayTime } from './emulator-profile.js';
import { memoBcrypt } from './memo-bcrypt.js';
import { MemoryTransport } from './memory-transport.js';
import type { GatewaySettings } from '../../src/genesys/gateway-registry.js';

export const ADMIN = { email: 'admin@example.com', displayName: 'Ada Admin', password: 'correct horse battery staple' };
/** ADMIN (the first account, id 1) as services see who acts, for tests that call services directly. */
export const ADMIN_ACTOR: Actor = { userId: 1, name: `${ADMIN.displayName} <${ADMIN.email}>`, role: 'ADMIN' };

export interface TestAppOptions {
  env?: Record<string, string>;
  throttleLimits?: ThrottleLimits;
  gatewaySettings?: Partial<GatewaySettings>;
  /** Wraps bcrypt, e.g. to count comparisons (tests/helpers/counting-bcrypt.ts). */
  bcrypt?: BcryptEngine;
}

// Every test app starts from the same migrated database: the migrations are applied once per test process (by
// the real schema engine) and the file is copied, instead of running the engine for every app.
let template: Promise<string> | undefined;
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const file = databasePath(mkdtempSync(path.join(os.tmpdir(), 'dtm-template-')));
    await applyMigrations(file, { schemaPath: path.join(projectRoot, 'prisma', 'schema.prisma'), migrationsDir: path.join(projectRoot, 'prisma', 'migrations') });
    if (existsSync(`${file}-wal`)) throw new Error('the migrated template database left a WAL file; copying it alone would lose data');
    return file;
  })();
  return template;
}

export async function createTestApp(options: TestAppOptions = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-test-'));
  const config: AppConfig = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', LOG_CONSOLE: 'false', ...options.env }, { version: '0.0.0-test' });
  const memory = new MemoryTransport();
  const redactor = new Redactor();
  const logger = createLogger({ level: 'debug', dir: logDirectory(dataDir), console: false, redactor, transports: [memory] });
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
  const res = await agent.post('/setup').type('form').send({ _csrf: token, ...account, passwordConfirm: account.password, setupToken });
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
export async function createUser(t: TestApp, user: { email: string; displayName: string; password: string; role?: 'ADMIN' | 'USER'; disabled?: boolean }) {
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
