// The tables the audit pages name and filter by: those the reader may see (the table list of each org she
// works in, filtered by the same rights as the table pages), named as Genesys names them now. Read from the
// table service's cached lists (one Genesys call per org when a list is stale); an org that does not answer
// is left out of the filter, and its entries show the table's id.
import type { Actor } from '../../lib/actor.js';
import { maySeeWholeAuditLog } from '../permissions/policy.js';
import type { OrgService } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';

export interface AuditTable {
  orgId: string;
  orgName: string;
  id: string;
  name: string;
}

export function createAuditTables(deps: {
  orgs: Pick<OrgService, 'list'>;
  tables: Pick<TableService, 'listTables'>;
  viewableBy: (userId: number) => Promise<{ orgId: string }[]>;
}) {
  return {
    async visibleTo(actor: Actor): Promise<AuditTable[]> {
      // A user's audit log covers only tables she was granted: orgs without a grant are not asked at all.
      const granted = maySeeWholeAuditLog(actor)
        ? null
        : new Set((await deps.viewableBy(actor.userId)).map((g) => g.orgId));
      const out: AuditTable[] = [];
      for (const org of await deps.orgs.list()) {
        if (granted && !granted.has(org.id)) continue;
        try {
          for (const { table } of await deps.tables.listTables(actor, org))
            out.push({ orgId: org.id, orgName: org.name, id: table.id, name: table.name });
        } catch {
          // Genesys did not answer: the page still works, naming this org's tables by id.
        }
      }
      return out;
    },
  };
}

export type AuditTables = ReturnType<typeof createAuditTables>;
