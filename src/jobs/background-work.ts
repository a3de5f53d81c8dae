// Every piece of periodic work the app does, with its interval: the one list to read to know what runs by
// itself. Registered with the periodic work at composition (services.ts); started and stopped with the jobs.
import type { Logger } from '../lib/logger.js';
import type { PeriodicWork } from './periodic-work.js';

const MINUTE = 60_000;

export const INTERVALS = {
  /** Genesys writes whose outcome was lost (a stop between intent and outcome) are settled now and then. */
  reconcile: 5 * MINUTE,
  /** A signed checkpoint of the audit chain whenever its head moved (ADR 007). */
  auditCheckpoint: 5 * MINUTE,
  /** Checked hourly, so a daily backup is at most an hour late after its due time. */
  scheduledBackups: 60 * MINUTE,
  auditRetention: 24 * 60 * MINUTE,
  sessionPruning: 15 * MINUTE,
  /** Scheduled change requests start within about a second of their time (one indexed query when none is due). */
  requestScheduler: 1000,
  /** Requests left applying/reverting by a job that could not run are held for a person (two passes apart). */
  requestRecovery: 5 * MINUTE,
} as const;

export interface BackgroundServices {
  reconciler: { run(): Promise<number> };
  auditCheckpoints: { record(): Promise<unknown> };
  backupScheduler: { run(): Promise<unknown> };
  retention: { prune(): Promise<number> };
  sessionStore: { prune(): Promise<unknown> };
  requestScheduler: { run(): Promise<number> };
  requestApplier: { recoverStranded(): Promise<number> };
  logger: Logger;
}

export function registerBackgroundWork(work: PeriodicWork, s: BackgroundServices): void {
  work.every({ name: 'audit.reconcile', everyMs: INTERVALS.reconcile, atStart: true, run: () => s.reconciler.run() });
  // The start-up checkpoint is written before anything else (server.ts); this one follows the head from then on.
  work.every({ name: 'audit.checkpoint', everyMs: INTERVALS.auditCheckpoint, run: () => s.auditCheckpoints.record() });
  work.every({
    name: 'backup.scheduler',
    everyMs: INTERVALS.scheduledBackups,
    atStart: true,
    run: () => s.backupScheduler.run(),
  });
  work.every({
    name: 'audit.prune',
    everyMs: INTERVALS.auditRetention,
    atStart: true,
    run: async () => {
      const deleted = await s.retention.prune();
      if (deleted) s.logger.info('audit log pruned', { event: 'audit.pruned', deleted });
    },
  });
  work.every({ name: 'session.prune', everyMs: INTERVALS.sessionPruning, run: () => s.sessionStore.prune() });
  work.every({
    name: 'request.scheduler',
    everyMs: INTERVALS.requestScheduler,
    atStart: true,
    run: () => s.requestScheduler.run(),
  });
  work.every({
    name: 'request.recover',
    everyMs: INTERVALS.requestRecovery,
    atStart: true,
    run: () => s.requestApplier.recoverStranded(),
  });
}
