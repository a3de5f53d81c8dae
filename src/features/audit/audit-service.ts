// Records who did what, with before and after. A change that changes nothing records nothing.
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { canonicalJson, type AuditInput, type AuditRepository } from './audit-repository.js';

export function createAuditService(deps: { repo: AuditRepository; clock: Clock }) {
  return {
    async record(input: AuditInput, actor: Actor | null): Promise<void> {
      await this.recordMany([input], actor);
    },

    /** Several entries, chained in order in one transaction (a bulk write's per-row entries). */
    async recordMany(inputs: AuditInput[], actor: Actor | null): Promise<void> {
      const changes = inputs.filter((input) => !(input.before !== undefined && input.after !== undefined && canonicalJson(input.before) === canonicalJson(input.after)));
      if (!changes.length) return;
      await deps.repo.appendMany(
        changes,
        { actorId: actor?.userId || null, actorName: actor?.name ?? 'system', ip: actor?.ip ?? null, requestId: actor?.requestId ?? null },
        new Date(deps.clock.now()),
      );
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
