// Readiness of an org: runs the probe (src/genesys/readiness-probe.ts), keeps the last result per org in
// OrgReadiness, and answers "can the org's role do what this user was granted on this table?" from it.
import {
  CAPABILITIES,
  probeReadiness,
  type Capability,
  type CheckStatus,
  type ReadinessReport,
} from '../../genesys/readiness-probe.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgService } from './org-service.js';
import type { ReadinessRepository } from './readiness-repository.js';

/** Rights a user can be granted here, and the capability of the org's role each one needs. */
const NEEDED_FOR: { right: 'canView' | 'canEdit' | 'canAdd' | 'canDelete'; label: string; capability: Capability }[] = [
  { right: 'canView', label: 'view rows', capability: 'readRows' },
  { right: 'canEdit', label: 'edit rows', capability: 'editRows' },
  { right: 'canAdd', label: 'add rows', capability: 'addRows' },
  { right: 'canDelete', label: 'delete rows', capability: 'deleteRows' },
];

export interface RoleGap {
  right: string;
  /** 'missing': the last check found the permission missing; 'unseen': the division was not seen at all. */
  kind: 'missing' | 'unseen';
  message: string;
}

/** Plain words for an admin: what to change in Genesys Cloud for a capability in a division. */
export function fixFor(capability: Capability, divisionName: string): string {
  if (CAPABILITIES[capability].unused) return 'Nothing to change: this app never needs it.';
  const [permission, alternative] = CAPABILITIES[capability].permissions;
  const or = alternative ? ` (or ${alternative})` : '';
  return `In Genesys Cloud, give the role of this app's OAuth client the permission ${permission}${or}, and grant that role in the division “${divisionName}” (Admin › Roles/Permissions, then Admin › OAuth › this client › Roles).`;
}

type GrantedRights = Partial<Record<(typeof NEEDED_FOR)[number]['right'], boolean>>;

/**
 * Rights granted to a user on a table in `division` that the org's role could not honour at the last check.
 * Nothing is reported before a first check, or for capabilities the check did not test (not checked).
 * Admins are told what to change in Genesys; users whom to ask.
 */
export function gapsIn(
  report: ReadinessReport | null,
  division: { id: string; name: string },
  rights: GrantedRights,
  audience: 'admin' | 'user',
): RoleGap[] {
  if (!report || report.token.status !== 'ok' || report.listing.status !== 'ok') return [];
  const seen = report.divisions.find((d) => d.id === division.id);
  const gaps: RoleGap[] = [];
  for (const need of NEEDED_FOR) {
    if (!rights[need.right]) continue;
    const status: CheckStatus | undefined = seen?.checks.find((c) => c.capability === need.capability)?.status;
    if (seen && status !== 'missing') continue;
    const kind = seen ? 'missing' : 'unseen';
    const problem = seen
      ? `Genesys Cloud does not let this app ${need.label} in the division “${division.name}”`
      : `the last readiness check did not see the division “${division.name}”, so this app may not reach this table`;
    const next =
      audience === 'admin'
        ? fixFor(need.capability, division.name)
        : 'Ask an administrator to look at the org’s readiness page.';
    gaps.push({
      right: need.right,
      kind,
      message: `${audience === 'admin' ? 'Granted' : 'You may'} “${need.label}”, but ${problem}. ${next}`,
    });
  }
  return gaps;
}

export function createReadinessService(deps: {
  repo: ReadinessRepository;
  orgs: OrgService;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
}) {
  async function latest(orgId: string): Promise<ReadinessReport | null> {
    const report = await deps.repo.latest(orgId);
    return report ? (JSON.parse(report) as ReadinessReport) : null;
  }

  return {
    latest,

    /** Checks the org now (write checks only when asked) and keeps the result as the org's latest. */
    async run(actor: Actor | null, orgId: string, opts: { writeChecks: boolean }): Promise<ReadinessReport> {
      const entry = await deps.orgs.connectionEntry(orgId);
      const report = await probeReadiness(
        { client: entry.client, queue: entry.queue, gateway: entry.gateway, now: () => new Date(deps.clock.now()) },
        opts,
      );
      const data = {
        checkedAt: new Date(report.checkedAt),
        writeChecks: opts.writeChecks,
        report: JSON.stringify(report),
      };
      await deps.repo.save(orgId, data);
      const summary = Object.fromEntries(
        report.divisions.map((d) => [d.name, Object.fromEntries(d.checks.map((c) => [c.capability, c.status]))]),
      );
      // Write checks add and delete a probe row in Genesys: the audit log says who did that and when.
      await deps.audit.record(
        {
          action: 'org.readiness_checked',
          orgId,
          details: {
            writeChecks: opts.writeChecks,
            token: report.token.status,
            divisions: summary,
            leftovers: report.leftovers,
          },
        },
        actor,
      );
      deps.logger.info('org readiness checked', {
        event: 'org.readiness_checked',
        orgId,
        writeChecks: opts.writeChecks,
      });
      return report;
    },

    /** What `gapsIn` says for the org's latest readiness check. */
    async gaps(
      orgId: string,
      division: { id: string; name: string },
      rights: GrantedRights,
      audience: 'admin' | 'user',
    ): Promise<RoleGap[]> {
      return gapsIn(await latest(orgId), division, rights, audience);
    },
  };
}

export type ReadinessService = ReturnType<typeof createReadinessService>;
