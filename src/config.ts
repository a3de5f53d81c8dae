// The only module that reads process.env. One zod schema, parsed once at boot, frozen, and handed to the
// rest of the app as plain values. A bad value stops start-up with a message naming the variable.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isRegionKey, REGION_HOSTS } from './genesys/regions.js';

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['', '0', '1', 'true', 'false', 'yes', 'no'].includes(v), 'must be one of 1/0/true/false/yes/no')
  .transform((v) => ['1', 'true', 'yes'].includes(v));

const positiveNumber = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0, `must be a positive number of ${what}`)
    .transform(Number);

const wholeNumber = (what: string, min: number) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d{1,9}$/.test(v) && Number(v) >= min, `must be a whole number of ${what}, at least ${min}`)
    .transform(Number);

/** Express "trust proxy": false, a hop count, or a comma list of addresses/subnets/names (loopback, ...). */
const trustProxy = z
  .string()
  .trim()
  .refine(
    (v) => v === '' || /^(true|false|\d+|[\w.:/,\s-]+)$/i.test(v),
    'must be false, a hop count, or a comma-separated list of addresses (e.g. loopback)',
  )
  .transform((v): false | number | string[] => {
    if (v === '' || v.toLowerCase() === 'false' || v === '0') return false;
    if (/^\d+$/.test(v)) return Number(v);
    if (v.toLowerCase() === 'true') return 1; // "true" would trust any X-Forwarded-For chain; one hop is the sane reading
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  PORT: z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) <= 65535, 'must be a whole number from 0 to 65535')
    .transform(Number)
    .default(3000),
  HOST: z
    .string()
    .trim()
    .refine((v) => /^[\w.:-]+$/.test(v) && v.length > 0, 'must be a host name or IP address')
    .default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./data'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  SESSION_IDLE_MINUTES: positiveNumber('minutes').default(30),
  SESSION_MAX_HOURS: positiveNumber('hours').default(12),
  TRUST_PROXY: trustProxy.default(false),
  SESSION_SECRET_FILE: z.string().trim().min(1).optional(),
  DATA_KEY_FILE: z.string().trim().min(1).optional(),
  PASSWORD_PEPPER_FILE: z.string().trim().min(1).optional(),
  BACKUP_KEY_FILE: z.string().trim().min(1).optional(),
  AUDIT_KEY_FILE: z.string().trim().min(1).optional(),
  OPEN_BROWSER: booleanFlag.default(false),
  GENESYS_CLIENT_ID: z.string().trim().min(1).max(200).optional(),
  GENESYS_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  GENESYS_REGION: z
    .string()
    .trim()
    .refine(isRegionKey, `must be one of ${Object.keys(REGION_HOSTS).join(', ')}`)
    .optional(),
  GENESYS_ORG_NAME: z.string().trim().min(1).max(100).optional(),
  GENESYS_API_OVERRIDE: z
    .string()
    .trim()
    .refine(
      (v) => /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}$/.test(v),
      'must be http://127.0.0.1:<port> (a local Genesys Cloud emulator)',
    )
    .optional(),
  AUDIT_RECONCILE_GRACE_SECONDS: z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v), 'must be a whole number of seconds')
    .transform(Number)
    .default(60),
  AUDIT_RETENTION_DAYS: z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v), 'must be a whole number of days (0 = keep forever)')
    .transform(Number)
    .default(0),
  /** How a restore writes rows: auto = one CSV import job per table when that takes fewer calls; rows = always one call per row. */
  RESTORE_WRITE_METHOD: z.enum(['auto', 'rows']).default('auto'),
  /** Tests only (honoured only with NODE_ENV=test): kill the process at a step of a Genesys write. */
  CRASH_AT: z.enum(['after_intent', 'after_upstream']).optional(),
  /** Tests only (honoured only with NODE_ENV=test): the app's time is real time plus an offset in this file. */
  TEST_CLOCK_FILE: z.string().trim().min(1).optional(),
  ROW_CACHE_MAX_AGE_SECONDS: z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v), 'must be a whole number of seconds')
    .transform(Number)
    .default(300),
  GENESYS_TIMEOUT_SECONDS: z
    .string()
    .trim()
    .refine(
      (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 120,
      'must be a whole number of seconds from 1 to 120',
    )
    .transform(Number)
    .default(16),
  LOG_CONSOLE: booleanFlag.default(true),
  /** Uploaded backup files kept per person (their own uploads; they can delete them). */
  BACKUP_UPLOADS_PER_USER: wholeNumber('files', 1).default(20),
  /** Megabytes of uploaded backup files kept per person. */
  BACKUP_UPLOAD_MB_PER_USER: wholeNumber('megabytes', 1).default(250),
  /** Uploads checked at the same time, server-wide: each holds a file of up to 50 MB in memory while it is parsed. */
  BACKUP_UPLOADS_AT_ONCE: wholeNumber('uploads', 1).default(2),
  /** Uploads one person may have in progress at the same time. */
  BACKUP_UPLOADS_AT_ONCE_PER_USER: wholeNumber('uploads', 1).default(1),
});

export interface AppConfig {
  env: 'production' | 'development' | 'test';
  port: number;
  host: string;
  dataDir: string;
  logLevel: string;
  logConsole: boolean;
  sessionIdleMs: number;
  sessionMaxMs: number;
  trustProxy: false | number | string[];
  /** Cookies get Secure and the __Host- prefix: we are behind a TLS-terminating proxy we trust. */
  secureCookies: boolean;
  secretFiles: { sessionSecret: string; dataKey: string; passwordPepper: string; backupKey: string; auditKey: string };
  openBrowser: boolean;
  version: string;
  /** An org defined by GENESYS_* variables (headless deployments); it overrides stored settings of that org. */
  envOrg: { name: string; region: string; clientId: string; clientSecret: string } | null;
  rowCacheMaxAgeMs: number;
  /** Intents older than this without an outcome are checked against Genesys by the reconciler. */
  auditReconcileGraceMs: number;
  /** Audit entries older than this many days are pruned (0 = never). */
  auditRetentionDays: number;
  restoreWriteMethod: 'auto' | 'rows';
  /** Test-only crash point (see src/features/tables/table-service.ts). */
  crashAt: 'after_intent' | 'after_upstream' | null;
  /** Tests only: the app's clock is real time plus the offset in this file (lib/clock.ts fileOffsetClock). */
  testClockFile: string | null;
  genesysTimeoutMs: number;
  /** Limits on uploaded backup files: kept per person (count, bytes) and uploads in progress at once. */
  backupUploads: { perUser: number; bytesPerUser: number; atOnce: number; atOncePerUser: number };
  /** Development only: every region's API traffic goes to a local emulator instead of Genesys Cloud. */
  genesysApiOverride: { host: string; port: number; protocol: 'http' } | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses environment variables into a frozen AppConfig, or throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv, opts: { cwd?: string; version?: string } = {}): AppConfig {
  const cwd = opts.cwd ?? process.cwd();
  // Treat empty strings as "not set" so `PORT=` in a .env file means the default.
  const input = Object.fromEntries(
    Object.keys(envSchema.shape).flatMap((k) => (env[k] !== undefined && env[k] !== '' ? [[k, env[k]]] : [])),
  );
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? 'environment');
        const got = env[name] === undefined ? '' : ` (got ${JSON.stringify(env[name])})`;
        return `${name}: ${i.message}${got}`;
      }),
    );
  }
  const e = parsed.data;
  const envOrgVars = [e.GENESYS_CLIENT_ID, e.GENESYS_CLIENT_SECRET, e.GENESYS_REGION];
  if (envOrgVars.some(Boolean) && !envOrgVars.every(Boolean)) {
    const missing = ['GENESYS_CLIENT_ID', 'GENESYS_CLIENT_SECRET', 'GENESYS_REGION'].filter((_, i) => !envOrgVars[i]);
    throw new ConfigError(
      missing.map(
        (name) =>
          `${name}: is required when any GENESYS_* variable is set (an org defined by the environment needs id, secret and region)`,
      ),
    );
  }
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const secretsDir = path.join(dataDir, 'secrets');
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    logLevel: e.LOG_LEVEL,
    logConsole: e.LOG_CONSOLE,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    trustProxy: e.TRUST_PROXY,
    secureCookies: e.TRUST_PROXY !== false,
    secretFiles: Object.freeze({
      sessionSecret: path.resolve(cwd, e.SESSION_SECRET_FILE ?? path.join(secretsDir, 'session-secret')),
      dataKey: path.resolve(cwd, e.DATA_KEY_FILE ?? path.join(secretsDir, 'data-key')),
      passwordPepper: path.resolve(cwd, e.PASSWORD_PEPPER_FILE ?? path.join(secretsDir, 'password-pepper')),
      backupKey: path.resolve(cwd, e.BACKUP_KEY_FILE ?? path.join(secretsDir, 'backup-key')),
      auditKey: path.resolve(cwd, e.AUDIT_KEY_FILE ?? path.join(secretsDir, 'audit-key')),
    }),
    openBrowser: e.OPEN_BROWSER,
    version: opts.version ?? '0.0.0',
    envOrg:
      e.GENESYS_CLIENT_ID && e.GENESYS_CLIENT_SECRET && e.GENESYS_REGION
        ? Object.freeze({
            name: e.GENESYS_ORG_NAME ?? 'Genesys Cloud',
            region: e.GENESYS_REGION,
            clientId: e.GENESYS_CLIENT_ID,
            clientSecret: e.GENESYS_CLIENT_SECRET,
          })
        : null,
    rowCacheMaxAgeMs: e.ROW_CACHE_MAX_AGE_SECONDS * 1000,
    auditReconcileGraceMs: e.AUDIT_RECONCILE_GRACE_SECONDS * 1000,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    restoreWriteMethod: e.RESTORE_WRITE_METHOD,
    crashAt: e.NODE_ENV === 'test' ? (e.CRASH_AT ?? null) : null,
    testClockFile: e.NODE_ENV === 'test' ? (e.TEST_CLOCK_FILE ?? null) : null,
    genesysTimeoutMs: e.GENESYS_TIMEOUT_SECONDS * 1000,
    backupUploads: Object.freeze({
      perUser: e.BACKUP_UPLOADS_PER_USER,
      bytesPerUser: e.BACKUP_UPLOAD_MB_PER_USER * 1024 * 1024,
      atOnce: e.BACKUP_UPLOADS_AT_ONCE,
      atOncePerUser: e.BACKUP_UPLOADS_AT_ONCE_PER_USER,
    }),
    genesysApiOverride: e.GENESYS_API_OVERRIDE
      ? {
          host: new URL(e.GENESYS_API_OVERRIDE).hostname,
          port: Number(new URL(e.GENESYS_API_OVERRIDE).port),
          protocol: 'http' as const,
        }
      : null,
  });
}

/** Loads KEY=VALUE lines from `.env` in the working directory, if present, without overriding real env vars. */
export function loadDotEnv(cwd = process.cwd()): void {
  const file = path.join(cwd, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Environment for the server process, read in exactly one place. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
