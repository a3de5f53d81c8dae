// Records who did what, with before and after. A change that changes nothing records nothing.
// Every recorded entry is also written to the application log as a security event (L1 of the checklist):
// the audit log is where the app's security-relevant actions are already named (sign-ins, grant and password
// changes, exports, restores, undo), and the JSON log is what an operator ships to a separate system. The log
// line says who, what, when, where and the outcome; never row values (the audit log keeps those, for the
// people allowed to read them).
import type { Transaction } from '../../db/transaction.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { AuditEvent, RowChangeLink } from './audit-events.js';
import { canonicalJson, type AuditInput as StoredInput, type AuditRepository } from './audit-repository.js';

/** What a caller records: an AuditEvent (an action and its details' shape) and what it concerns. */
export type AuditInput = AuditEvent & Omit<StoredInput, 'action' | 'details'>;

/** An entry's outcome in the log: a write's own stage, else failure for `*_failed` / `*.failed` actions. */
function outcomeOf(input: AuditInput): string {
  return input.outcome ?? (/[._]failed$/.test(input.action) ? 'failure' : 'success');
}

/** The undo / restore link of a row change, so the log shows a rollback as one. */
function rollbackOf(details: unknown): Record<string, number> {
  const d = (details ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    (['reverts', 'restoresTo'] satisfies (keyof RowChangeLink)[])
      .filter((k) => typeof d[k] === 'number')
      .map((k) => [k, d[k] as number]),
  );
}

export function createAuditService(deps: { repo: AuditRepository; clock: Clock; logger: Logger }) {
  return {
    /**
     * Records one entry. With `tx` it joins the caller's transaction: a local change (users, rights, orgs) and
     * its entry commit together or not at all, and the log line is written once it has committed.
     */
    async record(input: AuditInput, actor: Actor | null, tx?: Transaction): Promise<void> {
      await this.recordMany([input], actor, tx);
    },

    /** Several entries, chained in order in one transaction (a bulk write's per-row entries), or in `tx`. */
    async recordMany(inputs: AuditInput[], actor: Actor | null, tx?: Transaction): Promise<void> {
      const changes = inputs.filter(
        (input) =>
          !(
            input.before !== undefined &&
            input.after !== undefined &&
            canonicalJson(input.before) === canonicalJson(input.after)
          ),
      );
      if (!changes.length) return;
      const created = await deps.repo.appendMany(
        changes,
        {
          actorId: actor?.userId || null,
          actorName: actor?.name ?? 'system',
          ip: actor?.ip ?? null,
          requestId: actor?.requestId ?? null,
        },
        new Date(deps.clock.now()),
        tx,
      );
      const log = () =>
        changes.forEach((input, i) => {
          deps.logger.info('audited', {
            event: input.action,
            outcome: outcomeOf(input),
            seq: created[i]?.seq,
            userId: actor?.userId || undefined,
            targetUserId: input.targetUserId ?? undefined,
            ip: actor?.ip ?? undefined,
            requestId: actor?.requestId ?? undefined,
            orgId: input.orgId ?? undefined,
            tableId: input.tableId ?? undefined,
            batchId: input.batchId ?? undefined,
            ...rollbackOf(input.details),
          });
        });
      // In a caller's transaction the entries exist only once it commits: say so then, never for a rollback.
      if (tx) tx.afterCommit(log);
      else log();
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
