// Resolves Genesys writes whose outcome is not known: the process stopped between the intent and the
// outcome, or the call timed out. Re-reads the row: equal to what the change wrote -> applied; equal to what
// it replaced -> not applied; neither -> a conflict for an admin to look at. Runs at start-up and
// periodically; only intents older than the grace period (longer than a request can take) are touched.
import type { Db } from '../../db/database.js';
import type { Row } from '../../genesys/gateway.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { OrgService } from '../orgs/org-service.js';
import type { AuditService } from './audit-service.js';

export type ReconciledOutcome = 'reconciled-applied' | 'reconciled-not-applied' | 'reconciled-conflict';

const equalOn = (row: Row | null, expected: Row | null) => row !== null && expected !== null && Object.keys(expected).every((k) => row[k] === expected[k]);

export function decideOutcome(action: string, current: Row | null, before: Row | null, after: Row | null): ReconciledOutcome {
  if (action === 'row.deleted') return current === null ? 'reconciled-applied' : equalOn(current, before) ? 'reconciled-not-applied' : 'reconciled-conflict';
  if (action === 'row.created') return current === null ? 'reconciled-not-applied' : equalOn(current, after) ? 'reconciled-applied' : 'reconciled-conflict';
  return equalOn(current, after) ? 'reconciled-applied' : equalOn(current, before) ? 'reconciled-not-applied' : 'reconciled-conflict';
}

export function createReconciler(deps: { db: Db; orgs: OrgService; audit: AuditService; clock: Clock; logger: Logger; graceMs: number }) {
  return {
    /** Returns how many changes were resolved. Errors on one change do not stop the others. */
    async run(): Promise<number> {
      const cutoff = new Date(deps.clock.now() - deps.graceMs);
      const intents = await deps.db.auditEvent.findMany({ where: { outcome: 'intent', at: { lte: cutoff }, changeId: { not: null } }, orderBy: { seq: 'asc' }, take: 500 });
      let resolved = 0;
      for (const intent of intents) {
        const last = await deps.db.auditEvent.findFirst({ where: { changeId: intent.changeId, NOT: { outcome: 'intent' } }, orderBy: { seq: 'desc' } });
        if (last && last.outcome !== 'unknown') continue; // applied, failed or already reconciled
        try {
          const gateway = await deps.orgs.gatewayFor(intent.orgId!);
          const current = await gateway.getRow(intent.tableId!, intent.rowKey!, { mode: 'background' });
          const outcome = decideOutcome(intent.action, current, intent.before ? JSON.parse(intent.before) : null, intent.after ? JSON.parse(intent.after) : null);
          await deps.audit.record(
            { action: intent.action, orgId: intent.orgId, tableId: intent.tableId, rowKey: intent.rowKey, changeId: intent.changeId, batchId: intent.batchId, outcome, details: { reconciledSeq: intent.seq, current } },
            null,
          );
          deps.logger[outcome === 'reconciled-conflict' ? 'warn' : 'info']('reconciled a Genesys write', { event: 'audit.reconciled', seq: intent.seq, outcome });
          resolved++;
        } catch (err) {
          deps.logger.warn('could not reconcile a Genesys write yet', { event: 'audit.reconcile_failed', seq: intent.seq, reason: (err as Error).message });
        }
      }
      return resolved;
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
