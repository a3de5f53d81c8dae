// Whether changes to a table apply at once or need approval, and by how many people (issue 15). An org has a
// default (GenesysOrg.changePolicy/approvalsNeeded, set on the org form); a table may override it
// (TableChangePolicy, set on the policies page). Everything that asks "does this change need approval?" asks
// here: the engine (direct writes refused under approval), the request service (approvals a request needs).
import type { Transact } from '../../db/transaction.js';
import type { Actor } from '../../lib/actor.js';
import { ForbiddenError, ValidationError } from '../../lib/errors.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgView } from '../orgs/org-service.js';
import { mayManageChangePolicies } from '../permissions/policy.js';
import type { ChangePolicyRepository, StoredTablePolicy } from './change-policy-repository.js';
import { MAX_APPROVALS, type ChangePolicy } from './request-types.js';

export const DIRECT: ChangePolicy = Object.freeze({ mode: 'direct', approvalsNeeded: 0 });

/**
 * A stored policy as the app applies it. Anything unreadable errs on the side of approval (fail closed): an
 * unknown mode needs approval, an approval count outside 1-3 is brought inside it.
 */
export function policyOf(mode: string, approvalsNeeded: number): ChangePolicy {
  if (mode === 'direct') return DIRECT;
  const n = Number.isInteger(approvalsNeeded) ? approvalsNeeded : 1;
  return { mode: 'approval', approvalsNeeded: Math.min(MAX_APPROVALS, Math.max(1, n)) };
}

/** The org's own default, for tables without a policy of their own. */
export const orgPolicy = (org: Pick<OrgView, 'changePolicy' | 'approvalsNeeded'>): ChangePolicy =>
  policyOf(org.changePolicy, org.approvalsNeeded);

const tablePolicy = (row: StoredTablePolicy): ChangePolicy => policyOf(row.changePolicy, row.approvalsNeeded);

/** The stricter of two policies: approval over direct, then the more approvers. */
export function stricter(a: ChangePolicy, b: ChangePolicy): ChangePolicy {
  if (a.mode !== b.mode) return a.mode === 'approval' ? a : b;
  return a.approvalsNeeded >= b.approvalsNeeded ? a : b;
}

/** A policy as an admin sets it (form or service call): refused with a message naming what is wrong. */
export function checkedPolicy(policy: ChangePolicy): ChangePolicy {
  if (policy.mode === 'direct') return DIRECT;
  if (policy.mode !== 'approval')
    throw new ValidationError('Please correct the highlighted fields.', {
      mode: `“${String(policy.mode)}” is not a change policy: choose direct or approval.`,
    });
  const n = policy.approvalsNeeded;
  if (!Number.isInteger(n) || n < 1 || n > MAX_APPROVALS)
    throw new ValidationError('Please correct the highlighted fields.', {
      approvalsNeeded: `Approvals needed must be a whole number from 1 to ${MAX_APPROVALS} (got “${Number.isNaN(n) ? 'not a number' : String(n)}”).`,
    });
  return { mode: 'approval', approvalsNeeded: n };
}

/**
 * The policies page's form for one table: `policy` inherit | direct | approval, and `approvalsNeeded` under
 * approval. null means the table follows its org. Refused with a message naming the bad value.
 */
export function parseTablePolicyForm(body: unknown): ChangePolicy | null {
  const b = (body ?? {}) as Record<string, unknown>;
  const mode = b.policy;
  if (mode === 'inherit') return null;
  if (mode === 'direct') return DIRECT;
  if (mode !== 'approval')
    throw new ValidationError('The policy was not saved.', {
      policy: `“${String(mode ?? '')}” is not a choice here: choose the org's default, direct or approval.`,
    });
  const raw = String(b.approvalsNeeded ?? '').trim();
  return checkedPolicy({ mode: 'approval', approvalsNeeded: /^\d+$/.test(raw) ? Number(raw) : Number.NaN });
}

export interface ChangePolicyDeps {
  repo: ChangePolicyRepository;
  audit: AuditService;
  transact: Transact;
}

export function createChangePolicies(deps: ChangePolicyDeps) {
  const { repo, audit, transact } = deps;

  return {
    /** The policy that governs changes to `tableId` of `org`: the table's own, else the org's. */
    async for(org: OrgView, tableId: string): Promise<ChangePolicy> {
      const own = await repo.find(org.id, tableId);
      return own ? tablePolicy(own) : orgPolicy(org);
    },

    /** The strictest policy among `tableIds` (a request touching several tables needs what the strictest asks). */
    async forTables(org: OrgView, tableIds: string[]): Promise<ChangePolicy> {
      const own = new Map((await repo.forTables(org.id, tableIds)).map((row) => [row.tableId, tablePolicy(row)]));
      return [...new Set(tableIds)]
        .map((id) => own.get(id) ?? orgPolicy(org))
        .reduce<ChangePolicy>(stricter, tableIds.length ? DIRECT : orgPolicy(org));
    },

    /** The tables of `org` with a policy of their own, by table id (the policies page). */
    async overrides(org: OrgView): Promise<Map<string, ChangePolicy>> {
      return new Map((await repo.listInOrg(org.id)).map((row) => [row.tableId, tablePolicy(row)]));
    },

    /**
     * Sets (or with null, removes: the table follows the org again) a table's own policy. Administrators only;
     * audited as `policy.saved` with the policy before and after, in the same transaction.
     */
    async save(
      actor: Actor,
      org: OrgView,
      tableId: string,
      policy: ChangePolicy | null,
      tableName = tableId,
    ): Promise<void> {
      if (!mayManageChangePolicies(actor))
        throw new ForbiddenError('Only administrators may set the change policy of a table.');
      const next = policy && checkedPolicy(policy);
      await transact(async (tx) => {
        const before = await repo.find(org.id, tableId, tx);
        if (next)
          await repo.save(
            org.id,
            { tableId, tableName, changePolicy: next.mode, approvalsNeeded: next.approvalsNeeded },
            tx,
          );
        else await repo.remove(org.id, tableId, tx);
        await audit.record(
          {
            action: 'policy.saved',
            orgId: org.id,
            tableId,
            before: before ? tablePolicy(before) : null,
            after: next,
            details: { table: tableName, inherits: next === null },
          },
          actor,
          tx,
        );
      });
    },
  };
}

export type ChangePolicies = ReturnType<typeof createChangePolicies>;
