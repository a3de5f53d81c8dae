// startEmulator(options) -> a running Genesys Cloud emulator on 127.0.0.1: the sandbox org the app offers,
// and the ground every Genesys test runs on. State lives in memory, optionally persisted to a JSON file.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FaultInjector, type FaultRule } from './faults.js';
import { createEmulatorServer, type EmulatorRuntime, type RequestLogEntry } from './http-server.js';
import { processExport } from './jobs-api.js';
import { TokenIssuer } from './oauth.js';
import {
  DEFAULT_BEHAVIOUR,
  DEFAULT_LIMITS,
  type EmulatorBehaviour,
  type EmulatorLimits,
  type EmulatorOptions,
} from './options.js';
import { FULL_ROLE, type Role } from './permissions.js';
import { PROFILES, type ProfileName } from './profiles.js';
import { TokenRateLimiter } from './rate-limiter.js';
import { seedDemoData } from './seed.js';
import { createOrg, deserialiseOrgs, serialiseOrgs, type OrgSeed, type OrgState } from './store.js';

export interface StartEmulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** One org per OAuth client; default: a single "Sandbox" org with generated credentials. */
  clients?: OrgSeed[];
  /** 'demo' fills every org that has no tables yet with the contact-centre demo tables. */
  seed?: 'demo' | 'none';
  limits?: Partial<EmulatorLimits>;
  behaviour?: Partial<EmulatorBehaviour>;
  faults?: FaultRule[];
  /** A named set of knobs (profiles.ts) applied under `behaviour` and, for clients without a role, `role`. */
  profile?: ProfileName;
  /** The role of every client that is not given its own (default: the profile's, else every permission everywhere). */
  role?: Role;
  /** Keep the state in this JSON file: loaded at start, saved (atomically) after every change. */
  persistFile?: string;
  /** Load persistFile but never write it (a second reader, e.g. a command-line tool, beside the server). */
  readOnlyState?: boolean;
  /** Clock for token expiry and rate-limit windows (tests move it). */
  now?: () => number;
  maxLogEntries?: number;
}

export interface EmulatorClient {
  clientId: string;
  clientSecret: string;
  orgId: string;
  orgName: string;
}

export interface RunningEmulator {
  url: string;
  port: number;
  host: string;
  clients: EmulatorClient[];
  orgs: OrgState[];
  options: EmulatorOptions;
  faults: FaultInjector;
  requestLog: RequestLogEntry[];
  setBehaviour(patch: Partial<EmulatorBehaviour>): void;
  setLimits(patch: Partial<EmulatorLimits>): void;
  /** Adds an org (OAuth client) while running; optionally with the demo tables. */
  addClient(seed: OrgSeed, opts?: { seedDemo?: boolean }): EmulatorClient;
  /** Whether a bearer token is still accepted (issued, not expired, not revoked). */
  acceptsToken(token: string): boolean;
  /** Forgets every issued token of a client (forces re-authentication). */
  revokeTokens(clientId: string): void;
  /** Replaces an org's tables with the demo data. */
  resetToDemo(orgId: string): void;
  /** Writes the state file now (when persisting) and waits for it. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

function clientOf(org: OrgState): EmulatorClient {
  return { clientId: org.clientId, clientSecret: org.clientSecret, orgId: org.id, orgName: org.name };
}

export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const now = opts.now ?? Date.now;
  const profile = PROFILES[opts.profile ?? 'default'];
  const options: EmulatorOptions = {
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    behaviour: { ...DEFAULT_BEHAVIOUR, ...profile.behaviour, ...opts.behaviour },
  };
  const defaultRole = opts.role ?? profile.role ?? FULL_ROLE;
  let orgs: OrgState[] = [];
  if (opts.persistFile && existsSync(opts.persistFile))
    orgs = deserialiseOrgs(JSON.parse(readFileSync(opts.persistFile, 'utf8')));
  const seeds = (
    opts.clients ?? [
      {
        name: 'Sandbox',
        clientId: `sandbox-${randomBytes(4).toString('hex')}`,
        clientSecret: randomBytes(24).toString('base64url'),
      },
    ]
  ).map((seed) => ({ ...seed, role: seed.role ?? defaultRole }));
  for (const seed of seeds) {
    const existing = orgs.find((o) => o.clientId === seed.clientId);
    if (existing) Object.assign(existing, { clientSecret: seed.clientSecret, role: seed.role });
    else orgs.push(createOrg(seed));
  }
  if (opts.seed === 'demo') for (const org of orgs) if (org.tables.size === 0) seedDemoData(org, options);

  let saveTimer: NodeJS.Timeout | undefined;
  const writeState = () => {
    if (!opts.persistFile || opts.readOnlyState) return;
    mkdirSync(path.dirname(opts.persistFile), { recursive: true });
    const tmp = `${opts.persistFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(serialiseOrgs(orgs)), { mode: 0o600 });
    renameSync(tmp, opts.persistFile);
  };
  const onChange = () => {
    if (!opts.persistFile || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      writeState();
    }, 200);
  };
  writeState();

  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, options.behaviour.jobDelayMs);
    timers.add(t);
  };
  const faults = new FaultInjector();
  if (opts.faults) faults.set(opts.faults);
  const rt: EmulatorRuntime = {
    orgs,
    options,
    tokens: new TokenIssuer(now),
    limiter: new TokenRateLimiter(options.behaviour.rateLimitPerMinute, now),
    faults,
    requestLog: [],
    maxLogEntries: opts.maxLogEntries ?? 100_000,
    onChange,
    scheduleExport: (org, tableId, jobId) =>
      later(() => {
        const table = org.tables.get(tableId);
        const job = table?.exportJobs.find((j) => j.id === jobId);
        if (table && job) processExport(table, job, options, now());
      }),
    scheduleImport: later,
    now,
  };
  const server = createEmulatorServer(rt);
  const host = opts.host ?? '127.0.0.1';
  server.listen(opts.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    port,
    host,
    get clients() {
      return orgs.map(clientOf);
    },
    orgs,
    options,
    faults,
    requestLog: rt.requestLog,
    setBehaviour(patch) {
      Object.assign(options.behaviour, patch);
      if (patch.rateLimitPerMinute !== undefined) rt.limiter.setLimit(patch.rateLimitPerMinute);
    },
    setLimits(patch) {
      Object.assign(options.limits, patch);
    },
    addClient(seed, addOpts) {
      const org = createOrg({ ...seed, role: seed.role ?? defaultRole });
      orgs.push(org);
      if (addOpts?.seedDemo) seedDemoData(org, options);
      onChange();
      return clientOf(org);
    },
    acceptsToken(token) {
      const issued = rt.tokens.tokens.get(token);
      return issued !== undefined && issued.expiresAt > now();
    },
    revokeTokens(clientId) {
      rt.tokens.revokeClient(clientId);
    },
    resetToDemo(orgId) {
      const org = orgs.find((o) => o.id === orgId);
      if (!org) throw new Error(`no org ${orgId}`);
      org.tables.clear();
      seedDemoData(org, options);
      onChange();
    },
    async flush() {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
      writeState();
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      if (saveTimer) {
        clearTimeout(saveTimer);
        writeState();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
