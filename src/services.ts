// createServices: wires repositories and services from explicit dependencies. The only composition root
// besides server.ts; tests call it with a temporary database, a manual clock and a capturing logger.
import type { Actor } from './lib/actor.js';
import type { AppConfig } from './config.js';
import { databaseAnswers, type Db } from './db/database.js';
import { createTransact } from './db/transaction.js';
import { createAuthService } from './features/auth/auth-service.js';
import { createLoginThrottle, type ThrottleLimits } from './features/auth/login-throttle.js';
import { createAccountSlowdown } from './features/auth/account-slowdown.js';
import { createSignInAddresses } from './features/auth/sign-in-address-repository.js';
import { createSetupRepository } from './features/setup/setup-repository.js';
import { createSetupService } from './features/setup/setup-service.js';
import { createSetupToken, isLoopbackHost } from './features/setup/setup-token.js';
import { createUserRepository } from './features/users/user-repository.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import { BCRYPT_COST, createPasswordHasher, type BcryptEngine } from './lib/passwords.js';
import type { AppSecrets } from './lib/secret-files.js';
import { PrismaSessionStore } from './lib/session-store.js';
import { createSessionRepository } from './lib/session-repository.js';
import { GatewayRegistry, type GatewaySettings } from './genesys/gateway-registry.js';
import { RowCache } from './genesys/row-cache.js';
import { createOrgRepository } from './features/orgs/org-repository.js';
import { createOrgService } from './features/orgs/org-service.js';
import { SandboxManager, type SandboxEmulatorOptions } from './features/orgs/sandbox.js';
import type { Redactor } from './lib/redact.js';
import { createAuditRepository } from './features/audit/audit-repository.js';
import { createAuditReaderRepository } from './features/audit/audit-reader-repository.js';
import { checkpointFilePath, createCheckpointWriter } from './features/audit/audit-checkpoints.js';
import { verifyAuditChain } from './features/audit/audit-verify.js';
import { createAuditService } from './features/audit/audit-service.js';
import { createAuditQuery } from './features/audit/audit-query.js';
import { createAuditExport } from './features/audit/audit-export.js';
import { createAuditTables } from './features/audit/audit-tables.js';
import { createUndoService } from './features/audit/undo-service.js';
import { createChangeEngine, type ChangeEngine } from './features/changes/change-engine.js';
import { createReconciler } from './features/changes/reconciler.js';
import { createReadinessService } from './features/orgs/readiness-service.js';
import { createReadinessRepository } from './features/orgs/readiness-repository.js';
import { createAuditRetention } from './features/audit/audit-retention.js';
import { createChangeOutcomes } from './features/audit/change-outcomes.js';
import { createBackupService } from './features/backups/backup-service.js';
import { createBackupRepository } from './features/backups/backup-repository.js';
import { createRestoreService } from './features/backups/restore-service.js';
import { createBackupScheduler } from './features/backups/backup-scheduler.js';
import { createJobRepository } from './jobs/job-repository.js';
import { createJobRunner } from './jobs/job-runner.js';
import { createPeriodicWork } from './jobs/periodic-work.js';
import { registerBackgroundWork } from './jobs/background-work.js';
import { UploadGate } from './features/backups/upload-gate.js';
import { createPermissionRepository } from './features/permissions/permission-repository.js';
import { createPermissionService } from './features/permissions/permission-service.js';
import { createTableService } from './features/tables/table-service.js';
import { createImportRepository } from './features/imports/import-repository.js';
import { createImportService } from './features/imports/import-service.js';
import { createBulkService } from './features/tables/bulk-service.js';
import { createTableExport } from './features/tables/export-service.js';
import { createViewRepository } from './features/views/view-repository.js';
import { createViewService } from './features/views/view-service.js';
import { createUserService } from './features/users/user-service.js';
import { createRequestRepository } from './features/requests/request-repository.js';
import { createChangePolicies } from './features/requests/change-policy.js';
import { createChangePolicyRepository } from './features/requests/change-policy-repository.js';
import { createScheduledChanges } from './features/requests/scheduled-changes.js';
import { createRequestApplier } from './features/requests/request-apply.js';
import { createRequestScheduler } from './features/requests/request-scheduler.js';
import { createRequestService } from './features/requests/request-service.js';
import { createPlaybookRepository } from './features/playbooks/playbook-repository.js';
import { createPlaybookRequests } from './features/playbooks/playbook-requests.js';
import { createPlaybookService } from './features/playbooks/playbook-service.js';
import { SecretBox } from './lib/secret-box.js';
import { createFormatRepository } from './features/formats/format-repository.js';
import { createFormatService } from './features/formats/format-service.js';

export interface ServiceDeps {
  config: AppConfig;
  db: Db;
  logger: Logger;
  secrets: AppSecrets;
  clock: Clock;
  redactor?: Redactor;
  throttleLimits?: ThrottleLimits;
  /** Tests count bcrypt work through this; the real bcrypt otherwise. */
  bcrypt?: BcryptEngine;
  /** Tests only (refused unless NODE_ENV=test): a bcrypt cost below production's 12, see TEST_BCRYPT_COST. */
  bcryptCost?: number;
  /** Tests shorten job polling and retry budgets. */
  gatewaySettings?: Partial<GatewaySettings>;
  /** Command-line tools read the sandbox's state file without writing it (the server may be running). */
  sandboxReadOnly?: boolean;
  /** The sandbox emulator's profile and clock (tests only; production runs the default emulator). */
  sandboxEmulator?: SandboxEmulatorOptions;
}

export function createServices(deps: ServiceDeps) {
  const { config, db, logger, secrets, clock } = deps;
  if (deps.bcryptCost !== undefined && config.env !== 'test')
    throw new Error(
      `choosing the bcrypt cost is for tests only (NODE_ENV=test); production always uses ${BCRYPT_COST}`,
    );
  const hasher = createPasswordHasher(secrets.passwordPepper, {
    cost: deps.bcryptCost,
    engine: deps.bcrypt,
    testBuild: config.env === 'test',
  });
  // Repositories own their tables (ADR 016); services get these, never `db`.
  const transact = createTransact(db);
  const users = createUserRepository(db);
  const orgRecords = createOrgRepository(db);
  const backupRecords = createBackupRepository(db);
  const auditLog = createAuditReaderRepository(db);
  const requestRecords = createRequestRepository(db);
  const throttle = createLoginThrottle(deps.throttleLimits);
  const signInAddresses = createSignInAddresses(db);
  const setupToken = isLoopbackHost(config.host) ? null : createSetupToken();
  deps.redactor?.addSecret(setupToken?.value); // masked wherever it might reach a log line
  const sessionStore = new PrismaSessionStore(
    createSessionRepository(db),
    { idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs },
    clock,
  );
  const auditRepo = createAuditRepository(db, { key: secrets.auditKey, file: config.secretFiles.auditKey });
  const audit = createAuditService({ repo: auditRepo, clock, logger });
  const auditCheckpointFile = checkpointFilePath(config.dataDir);
  const gateways = new GatewayRegistry({
    clock,
    redactor: deps.redactor,
    timeoutMs: config.genesysTimeoutMs,
    concurrency: 4,
    jobPollIntervalMs: 1000,
    jobTimeoutMs: 10 * 60_000,
    apiOverride: config.genesysApiOverride ?? undefined,
    ...deps.gatewaySettings,
  });
  // The cache's only source of rows is Genesys, through the org's gateway (`orgs` is defined below; the reader
  // runs only once requests are served).
  const rowCache = new RowCache({
    maxAgeMs: config.rowCacheMaxAgeMs,
    clock,
    readRows: async (orgId, tableId) => (await orgs.gatewayFor(orgId)).readAllRows(tableId),
  });
  const sandbox = new SandboxManager({
    dataDir: config.dataDir,
    logger,
    readOnlyState: deps.sandboxReadOnly,
    emulator: deps.sandboxEmulator,
  });
  const orgs = createOrgService({
    repo: orgRecords,
    transact,
    audit,
    secretBox: new SecretBox(secrets.dataKey, secrets.retiredDataKeys),
    gateways,
    sandbox,
    rowCache,
    config,
    logger,
    clock,
  });
  const permissions = createPermissionService({ repo: createPermissionRepository(db), audit, transact });
  const changePolicies = createChangePolicies({ repo: createChangePolicyRepository(db), audit, transact });
  const changeOutcomes = createChangeOutcomes(auditLog);
  const reconciler = createReconciler({
    log: auditLog,
    orgs,
    audit,
    clock,
    logger,
    graceMs: config.auditReconcileGraceMs,
  });
  // The engine asks the table service which tables a user may write; the table service hands it every write.
  const engine: ChangeEngine = createChangeEngine({
    open: (...a) => tables.open(...a),
    rowCount: (...a) => tables.rowCount(...a),
    rowCache,
    audit,
    outcomes: changeOutcomes,
    reconciler,
    crashAt: config.crashAt,
    policyFor: (org, tableId) => changePolicies.for(org, tableId),
    formatsFor: (orgId, tableId) => formats.forTable(orgId, tableId),
  });
  const tables = createTableService({
    orgs,
    permissions,
    rowCache,
    audit,
    engine: () => engine,
    clock,
    tableListMaxAgeMs: config.rowCacheMaxAgeMs,
  });
  // Column formats: the engine checks every written value against them (format-enforcement.ts).
  const formats = createFormatService({ repo: createFormatRepository(db), audit, transact, tables });
  // An org that rights refer to is archived, not deleted.
  orgs.referenceChecks.push(async (orgId) => {
    const count = await permissions.grantsInOrg(orgId);
    return count ? `${count} table right(s) of users refer to it` : null;
  });
  const auditTables = createAuditTables({ orgs, tables, viewableBy: permissions.viewableBy });
  const auditQuery = createAuditQuery(auditLog, { keyHandle: tables.keyHandle, viewableBy: permissions.viewableBy });
  // One runner for every background job; the kinds register their handlers as they are created below.
  const jobs = createJobRunner({ repo: createJobRepository(db), users, audit, clock, logger });
  const backups = createBackupService({
    repo: backupRecords,
    log: auditLog,
    orgs,
    tables,
    audit,
    jobs,
    clock,
    dataDir: config.dataDir,
    appVersion: config.version,
    sealKey: secrets.backupKey,
    uploadQuota: { perUser: config.backupUploads.perUser, bytesPerUser: config.backupUploads.bytesPerUser },
  });
  const restore = createRestoreService({
    backupRecords,
    tables,
    engine,
    backups,
    audit,
    orgs,
    jobs,
    clock,
    writeMethod: config.restoreWriteMethod,
  });
  backups.deleteChecks.push(async (backupId) =>
    (await restore.restoring(backupId))
      ? 'A restore from this backup is running. Delete the backup once the restore has finished.'
      : null,
  );
  const backupScheduler = createBackupScheduler({ repo: backupRecords, orgs, tables, backups, audit, clock, logger });
  const retention = createAuditRetention({
    reader: auditLog,
    writer: auditRepo,
    audit,
    clock,
    retentionDays: config.auditRetentionDays,
  });
  const auditCheckpoints = createCheckpointWriter({
    reader: auditLog,
    repo: auditRepo,
    key: secrets.auditKey,
    file: auditCheckpointFile,
    logger,
    clock,
  });
  // Change requests' apply and revert jobs, and the scheduler that starts them when their time comes.
  const requestApplier = createRequestApplier({
    repo: requestRecords,
    engine,
    tables,
    orgs,
    users,
    jobs,
    audit,
    transact,
    clock,
    policies: changePolicies,
    playbookProblem: (req) => playbooks.runProblem(req),
  });
  const requestScheduler = createRequestScheduler({
    repo: requestRecords,
    applier: requestApplier,
    orgs,
    clock,
    logger,
  });
  const requests = createRequestService({
    repo: requestRecords,
    formatsFor: (orgId, tableId) => formats.forTable(orgId, tableId),
    tables,
    orgs,
    policies: changePolicies,
    audit,
    transact,
    clock,
    applier: () => requestApplier,
    playbooks: () => playbooks,
  });
  // Playbooks: content edits and runs are change requests; the request service publishes approved content.
  const playbookRequests = createPlaybookRequests({ requests: () => requests, records: requestRecords });
  const playbooks = createPlaybookService({
    repo: createPlaybookRepository(db),
    transact,
    audit,
    tables,
    permissions,
    policies: () => changePolicies,
    requests: () => playbookRequests,
    clock,
  });
  // Imports: dry runs kept as drafts, applied as jobs of kind 'import' (or change requests under approval).
  const imports = createImportService({
    repo: createImportRepository(db),
    formats,
    tables,
    jobs,
    clock,
    changePolicies,
    requests: () => requests,
    orgs,
    engine,
    backups,
    audit,
    log: auditLog,
    outcomes: changeOutcomes,
    reconciler,
  });
  const periodic = createPeriodicWork({ clock, logger });
  registerBackgroundWork(periodic, {
    reconciler,
    auditCheckpoints,
    backupScheduler,
    retention,
    sessionStore,
    requestScheduler,
    requestApplier,
    logger,
  });
  return {
    audit,
    auditQuery,
    auditExport: createAuditExport({ auditQuery, audit, clock }),
    auditCheckpoints,
    verifyAuditChain: () => verifyAuditChain(auditLog, { key: secrets.auditKey, checkpointFile: auditCheckpointFile }),
    undo: createUndoService({ query: auditQuery, orgs, tables, engine, log: auditLog, outcomes: changeOutcomes, jobs }),
    backups,
    /** Backup uploads in progress (server-wide and per person), see upload-gate.ts. */
    uploadGate: new UploadGate(config.backupUploads),
    restore,
    backupScheduler,
    retention,
    jobs,
    periodic,
    reconciler,
    readiness: createReadinessService({ repo: createReadinessRepository(db), orgs, audit, clock, logger }),
    permissions,
    changePolicies,
    /** Column formats (date, list, pattern…): set by administrators, enforced by the change engine. */
    formats,
    tables,
    tableExport: createTableExport({ tables, audit, clock }),
    /** Saved views and grid layouts: a person's own ways of looking at a table (never a right). */
    views: createViewService({ repo: createViewRepository(db), tables }),
    imports,
    bulk: createBulkService({
      tables,
      engine,
      orgs,
      jobs,
      outcomes: changeOutcomes,
      formatsFor: (orgId, tableId) => formats.forTable(orgId, tableId),
    }),
    engine,
    /** Change requests as stored (the apply jobs, the scheduler, banners and the calendar read them). */
    requestRecords,
    /** The calendar and the table and row pages' banners: scheduled changes a viewer may see. */
    scheduledChanges: createScheduledChanges({ repo: requestRecords, tables, clock }),
    requestApplier,
    requestScheduler,
    /** Change requests: draft, submit, approve, … (the only code that changes a request's status). */
    requests,
    playbooks,
    userAdmin: createUserService({ users, transact, hasher, sessions: sessionStore, audit, logger, throttle }),
    gateways,
    rowCache,
    sandbox,
    orgs,
    /** People and orgs the audit log can be filtered by (everyone only for those who see the whole log). */
    async auditFilterChoices(actor: Actor, wholeLog: boolean) {
      return {
        people: wholeLog ? await users.listNames() : [],
        orgs: await orgRecords.listNames(),
        tables: await auditTables.visibleTo(actor),
      };
    },
    /** Whether the database answers (GET /healthz). */
    databaseAnswers: () => databaseAnswers(db),
    logger,
    secrets,
    clock,
    hasher,
    users,
    throttle,
    sessionStore,
    setup: createSetupService({
      repo: createSetupRepository(db, users),
      hasher,
      clock,
      logger,
      setupToken,
      addresses: signInAddresses,
    }),
    /**
     * Starts background work: jobs stopped by a restart carry on, periodic work runs now and then (server.ts;
     * tests drive `periodic.tick()` with the manual clock instead).
     */
    async startBackgroundWork(): Promise<void> {
      await jobs.resumeInterrupted();
      periodic.start();
    },
    /** Stops background work (periodic work, running jobs at their next step, sandbox emulator, gateway queues) for a clean shutdown. */
    async shutdown() {
      await Promise.all([periodic.stop(), jobs.stop()]);
      gateways.closeAll();
      await sandbox.stop();
    },
    auth: createAuthService({
      users,
      hasher,
      throttle,
      slowdown: createAccountSlowdown(clock, deps.throttleLimits?.perAccount),
      addresses: signInAddresses,
      clock,
      logger,
      audit,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
