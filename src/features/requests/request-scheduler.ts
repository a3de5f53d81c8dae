// Starts scheduled applies and reverts when their time comes: a periodic task (src/jobs/background-work.ts)
// that runs every second on the injected clock. Each pass asks the repository once for what is due (indexed by
// [status, applyAt] and [status, revertAt]; nothing due reads nothing more). Only approved requests are due
// for an apply, so an unapproved one never runs; an applied one is due for its revert. An item found more than
// its org's lateAfterMinutes late (the app was down, say) is held for a person to confirm rather than applied
// blind. Otherwise it is claimed (approved -> applying, applied -> reverting): a conditional UPDATE, so of two
// passes racing for one item (or a pass and a person confirming) only one starts a job (R4). At most
// MAX_RUNNING_PER_ORG of an org's requests run at once; the rest wait for a later pass, in due order. All of
// them share the org's pace (300 calls a minute), so starting 200 at once only makes every one finish late
// (each reads its row, then queues its write behind every other read): started a few at a time, they finish
// in order, the first within seconds.
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { formatInZone } from '../../lib/zoned-time.js';
import type { OrgView } from '../orgs/org-service.js';
import { CLAIMED_FROM, RUNNING_STATUS, type RequestApplier } from './request-apply.js';
import type { RequestRepository } from './request-repository.js';
import type { ChangeRequestRecord, HeldPhase } from './request-types.js';

const MINUTE = 60_000;
const dueAt = (req: ChangeRequestRecord, phase: HeldPhase) =>
  (phase === 'apply' ? req.applyAt : req.revertAt)!.getTime();
/** Enough to keep the org's gateway queue (4 calls at a time) busy between passes a second apart. */
export const MAX_RUNNING_PER_ORG = 8;

export function createRequestScheduler(deps: {
  repo: Pick<RequestRepository, 'due' | 'transition' | 'list'>;
  applier: Pick<RequestApplier, 'start' | 'hold'>;
  orgs: { get(id: string): Promise<OrgView> };
  clock: Clock;
  logger: Logger;
}) {
  const isLate = (req: ChangeRequestRecord, phase: HeldPhase, org: OrgView, now: number) =>
    now - dueAt(req, phase) > org.lateAfterMinutes * MINUTE;

  /** One due item: held when too late, else claimed and started (false: another pass claimed it first). */
  async function handle(req: ChangeRequestRecord, phase: HeldPhase, org: OrgView, now: number): Promise<boolean> {
    if (isLate(req, phase, org, now)) {
      const [due, found] = [new Date(dueAt(req, phase)), new Date(now)].map((d) => formatInZone(d, org.timeZone));
      const reason = `Late: the ${phase} was due at ${due} and found at ${found} (more than ${org.lateAfterMinutes} minutes late); confirm to ${phase} it now.`;
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
      items.sort((a, b) => dueAt(a.r, a.phase) - dueAt(b.r, b.phase));
      const orgs = new Map<string, { org: OrgView; room: number }>();
      let handled = 0;
      for (const { r, phase } of items) {
        try {
          let o = orgs.get(r.orgId);
          if (!o) {
            const running = await deps.repo.list({
              orgId: r.orgId,
              statuses: ['applying', 'reverting'],
              take: MAX_RUNNING_PER_ORG,
            });
            orgs.set(r.orgId, (o = { org: await deps.orgs.get(r.orgId), room: MAX_RUNNING_PER_ORG - running.length }));
          }
          // A late item is held whatever the room (holding writes nothing); the rest wait for room.
          const late = isLate(r, phase, o.org, now);
          if (!late && o.room <= 0) continue;
          if (await handle(r, phase, o.org, now)) {
            handled++;
            if (!late) o.room--;
          }
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
