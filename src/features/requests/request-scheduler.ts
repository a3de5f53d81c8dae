// Starts scheduled applies and reverts when their time comes: a periodic task (src/jobs/background-work.ts)
// that runs every second on the injected clock. Each pass asks the repository once for what is due (indexed by
// [status, applyAt] and [status, revertAt]; nothing due reads nothing more). Only approved requests are due
// for an apply, so an unapproved one never runs; an applied one is due for its revert. An item found more than
// its org's lateAfterMinutes late (the app was down, say) is held for a person to confirm rather than applied
// blind. Otherwise it is claimed (approved -> applying, applied -> reverting): a conditional UPDATE, so of two
// passes racing for one item (or a pass and a person confirming) only one starts a job (R4).
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { formatInZone } from '../../lib/zoned-time.js';
import type { OrgView } from '../orgs/org-service.js';
import { CLAIMED_FROM, RUNNING_STATUS, type RequestApplier } from './request-apply.js';
import type { RequestRepository } from './request-repository.js';
import type { ChangeRequestRecord, HeldPhase } from './request-types.js';

const MINUTE = 60_000;
/** An org whose setting cannot be read is treated as the schema's default. */
const DEFAULT_LATE_AFTER_MINUTES = 15;

export function createRequestScheduler(deps: {
  repo: Pick<RequestRepository, 'due' | 'transition'>;
  applier: Pick<RequestApplier, 'start' | 'hold'>;
  orgs: { get(id: string): Promise<OrgView> };
  clock: Clock;
  logger: Logger;
}) {
  /** One due item: held when too late, else claimed and started (false: another pass claimed it first). */
  async function handle(req: ChangeRequestRecord, phase: HeldPhase, org: OrgView, now: number): Promise<boolean> {
    const dueAt = (phase === 'apply' ? req.applyAt : req.revertAt)!;
    const lateAfter = (org.lateAfterMinutes ?? DEFAULT_LATE_AFTER_MINUTES) * MINUTE;
    if (now - dueAt.getTime() > lateAfter) {
      const zone = org.timeZone ?? 'UTC';
      const reason = `Late: the ${phase} was due at ${formatInZone(dueAt, zone)} and found at ${formatInZone(new Date(now), zone)} (more than ${lateAfter / MINUTE} minutes late); confirm to ${phase} it now.`;
      return deps.applier.hold(req, [CLAIMED_FROM[phase]], phase, reason, null);
    }
    const running = RUNNING_STATUS[phase];
    if (!(await deps.repo.transition(req.id, [CLAIMED_FROM[phase]], running))) return false;
    try {
      await deps.applier.start(req.id, phase);
    } catch (err) {
      // Claimed but not started: held, so it waits for a person instead of staying "applying" with no job.
      await deps.applier.hold(
        req,
        [running],
        phase,
        `The ${phase} could not be started: ${(err as Error).message}`,
        null,
      );
      throw err;
    }
    return true;
  }

  return {
    /** One pass: returns how many due items it started or held. Errors on one item do not stop the others. */
    async run(): Promise<number> {
      const now = deps.clock.now();
      const due = await deps.repo.due(new Date(now));
      const items = [
        ...due.apply.map((r) => ({ r, phase: 'apply' as const })),
        ...due.revert.map((r) => ({ r, phase: 'revert' as const })),
      ];
      if (!items.length) return 0;
      const orgs = new Map<string, Promise<OrgView>>();
      let handled = 0;
      for (const { r, phase } of items) {
        try {
          if (!orgs.has(r.orgId)) orgs.set(r.orgId, deps.orgs.get(r.orgId));
          if (await handle(r, phase, await orgs.get(r.orgId)!, now)) handled++;
        } catch (err) {
          deps.logger.warn('could not start a scheduled change request', {
            event: 'request.schedule_failed',
            requestId: r.id,
            phase,
            reason: (err as Error).message,
          });
        }
      }
      return handled;
    },
  };
}

export type RequestScheduler = ReturnType<typeof createRequestScheduler>;
