// createServices: wires repositories and services from explicit dependencies. The only composition root
// besides server.ts; tests call it with a temporary database, a manual clock and a capturing logger.
import type { AppConfig } from './config.js';
import type { Db } from './db/database.js';
import { createAuthService } from './features/auth/auth-service.js';
import { createLoginThrottle, type ThrottleLimits } from './features/auth/login-throttle.js';
import { createSetupRepository } from './features/setup/setup-repository.js';
import { createSetupService } from './features/setup/setup-service.js';
import { createUserRepository } from './features/users/user-repository.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import { createPasswordHasher } from './lib/passwords.js';
import type { AppSecrets } from './lib/secret-files.js';
import { PrismaSessionStore } from './lib/session-store.js';

export interface ServiceDeps {
  config: AppConfig;
  db: Db;
  logger: Logger;
  secrets: AppSecrets;
  clock: Clock;
  throttleLimits?: ThrottleLimits;
}

export function createServices(deps: ServiceDeps) {
  const { config, db, logger, secrets, clock } = deps;
  const hasher = createPasswordHasher(secrets.passwordPepper);
  const users = createUserRepository(db);
  const throttle = createLoginThrottle(deps.throttleLimits);
  const sessionStore = new PrismaSessionStore(db, { idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs }, clock);
  return {
    db,
    logger,
    secrets,
    clock,
    hasher,
    users,
    throttle,
    sessionStore,
    setup: createSetupService({ repo: createSetupRepository(db), hasher, clock, logger }),
    auth: createAuthService({ users, hasher, throttle, clock, logger }),
  };
}

export type Services = ReturnType<typeof createServices>;
