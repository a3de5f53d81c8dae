// Granting and checking table and column rights. Checks always read the stored rights afresh (a change
// applies on the user's very next request) and take the org and table from the route and the stored org,
// never from a form field.
import type { Transact } from '../../db/transaction.js';
import type { DataTable } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgView } from '../orgs/org-service.js';
import {
  COLUMN_ACCESS,
  columnRecord,
  isColumnAccess,
  orderedColumns,
  type ColumnAccess,
  type StoredRights,
  type TableAccess,
} from './access.js';
import { toRights, type PermissionRepository } from './permission-repository.js';
import { needsTableGrants, orgsOpenTo, tableAccess } from './policy.js';

export const COLUMN_FIELD_PREFIX = 'col:';

/** Reads the rights form: four checkboxes, the default for new columns, and one choice per schema column. */
export function parseRightsForm(body: unknown, table: DataTable): StoredRights {
  const b = (body ?? {}) as Record<string, unknown>;
  const columns = orderedColumns(table.schema);
  const fieldErrors: Record<string, string> = {};
  for (const key of Object.keys(b)) {
    if (key.startsWith(COLUMN_FIELD_PREFIX) && !columns.includes(key.slice(COLUMN_FIELD_PREFIX.length))) {
      fieldErrors._form = `“${key.slice(COLUMN_FIELD_PREFIX.length)}” is not a column of ${table.name}; reload the page to see the current schema.`;
    }
  }
  const flag = (name: string) => {
    const v = b[name];
    if (v !== undefined && v !== 'on') fieldErrors[name] = 'Tick the box or leave it empty.';
    return v === 'on';
  };
  const rights: StoredRights = {
    canView: flag('canView'),
    canEdit: flag('canEdit'),
    canAdd: flag('canAdd'),
    canDelete: flag('canDelete'),
    canApprove: flag('canApprove'),
    canRunPlaybooks: flag('canRunPlaybooks'),
    defaultColumnAccess: 'hidden',
    columns: columnRecord<StoredRights['defaultColumnAccess']>([]),
  };
  const def = b.defaultColumnAccess ?? 'hidden';
  if (isColumnAccess(def)) rights.defaultColumnAccess = def;
  else fieldErrors.defaultColumnAccess = `Choose one of ${COLUMN_ACCESS.join(', ')}.`;
  for (const column of columns) {
    const v = b[`${COLUMN_FIELD_PREFIX}${column}`] ?? 'hidden';
    if (isColumnAccess(v)) rights.columns[column] = v;
    else fieldErrors[`${COLUMN_FIELD_PREFIX}${column}`] = `Choose one of ${COLUMN_ACCESS.join(', ')}.`;
  }
  if (columns.includes('key') && isColumnAccess(rights.columns.key)) rights.columns.key = keyAccess(rights);
  if (
    (rights.canEdit || rights.canAdd || rights.canDelete || rights.canApprove || rights.canRunPlaybooks) &&
    !rights.canView
  ) {
    fieldErrors.canView = 'Editing, adding, deleting, approving or running playbooks needs the view right too.';
  }
  if (Object.keys(fieldErrors).length)
    throw new ValidationError('The rights were not saved. Please correct the highlighted fields.', fieldErrors);
  return rights;
}

/**
 * The key column's access follows from the table rights (issue 16: the form offered write and hidden for it):
 * the key is written only when a row is added (or renamed, which adds one), so a user who may add rows writes
 * it, and sees it; anyone else reads it or, where the admin chose so, has it hidden (opaque row handles, ADR 004).
 */
export function keyAccess(rights: Pick<StoredRights, 'canAdd' | 'columns'>): ColumnAccess {
  if (rights.canAdd) return 'write';
  return rights.columns.key === 'hidden' ? 'hidden' : 'read';
}

const isEmpty = (r: StoredRights) =>
  !r.canView && !r.canEdit && !r.canAdd && !r.canDelete && !r.canApprove && !r.canRunPlaybooks;

export function createPermissionService(deps: { repo: PermissionRepository; audit: AuditService; transact: Transact }) {
  const { repo, audit, transact } = deps;

  return {
    /** The effective rights of `actor` on `table` of `org` (deny by default; admins have all). */
    async access(actor: Actor, org: OrgView, table: DataTable): Promise<TableAccess> {
      const stored = needsTableGrants(actor) ? await repo.forTable(actor.userId, org.id, table.id) : null;
      return tableAccess(actor, { orgReadOnly: org.readOnly, orgName: org.name, stored, schema: table.schema });
    },

    /** Tables of the org the actor may view (all for admins). */
    async visibleTables(
      actor: Actor,
      org: OrgView,
      tables: DataTable[],
    ): Promise<{ table: DataTable; access: TableAccess }[]> {
      const grants = needsTableGrants(actor) ? await repo.forUserInOrg(actor.userId, org.id) : null;
      return tables
        .map((table) => ({
          table,
          access: tableAccess(actor, {
            orgReadOnly: org.readOnly,
            orgName: org.name,
            stored: grants?.get(table.id),
            schema: table.schema,
          }),
        }))
        .filter((t) => t.access.canView);
    },

    /** Of `orgs`, those the actor may work in (policy.orgsOpenTo): the switcher lists these and only these. */
    async openOrgs<T extends { id: string }>(actor: Actor, orgs: T[]): Promise<T[]> {
      const viewable = needsTableGrants(actor) ? await repo.orgIdsViewableBy(actor.userId) : new Set<string>();
      return orgsOpenTo(actor, orgs, viewable);
    },

    async rightsOf(userId: number, orgId: string): Promise<Map<string, StoredRights & { tableName: string }>> {
      return repo.forUserInOrg(userId, orgId);
    },

    /** The tables (of every org) the user may view, with their rights: the audit log shows them these. */
    async viewableBy(userId: number): Promise<{ orgId: string; tableId: string; rights: StoredRights }[]> {
      return repo.viewableBy(userId);
    },

    async rightsOn(userId: number, orgId: string, tableId: string): Promise<StoredRights | null> {
      return repo.forTable(userId, orgId, tableId);
    },

    async save(actor: Actor, targetUserId: number, org: OrgView, table: DataTable, body: unknown): Promise<void> {
      const rights = parseRightsForm(body, table);
      const after = isEmpty(rights) ? null : rights;
      // The rights and their audit entry commit together; `before` is read in the same transaction.
      await transact(async (tx) => {
        const before = await repo.forTable(targetUserId, org.id, table.id, tx);
        await repo.save(targetUserId, org.id, table.id, table.name, after, tx);
        await audit.record(
          {
            action: 'permission.saved',
            orgId: org.id,
            tableId: table.id,
            targetUserId,
            before: before ?? { none: true },
            after: after ?? { none: true },
            details: { table: table.name },
          },
          actor,
          tx,
        );
      });
    },

    /** Copies every right of one user onto another (replacing the target's rights on those tables). */
    async copy(actor: Actor, fromUserId: number, toUserId: number): Promise<number> {
      if (fromUserId === toUserId)
        throw new ValidationError('Choose a different user to copy from.', {
          fromUserId: 'Choose a different user to copy from.',
        });
      const source = await repo.allForUser(fromUserId);
      if (source.length === 0) throw new NotFoundError('That user has no rights to copy.');
      // All tables at once, each with its entry: a copy is never left half done.
      await transact(async (tx) => {
        for (const p of source) {
          const before = await repo.forTable(toUserId, p.orgId, p.tableId, tx);
          const rights = toRights(p);
          await repo.save(toUserId, p.orgId, p.tableId, p.tableName, rights, tx);
          await audit.record(
            {
              action: 'permission.saved',
              orgId: p.orgId,
              tableId: p.tableId,
              targetUserId: toUserId,
              before: before ?? { none: true },
              after: rights,
              details: { copiedFromUserId: fromUserId, table: p.tableName },
            },
            actor,
            tx,
          );
        }
      });
      return source.length;
    },

    async whoCanAccess(orgId: string, tableId: string) {
      return repo.forTableAllUsers(orgId, tableId);
    },

    /** For the orgs feature: an org with grants cannot simply be deleted. */
    async grantsInOrg(orgId: string): Promise<number> {
      return repo.countForOrg(orgId);
    },
  };
}

export type PermissionService = ReturnType<typeof createPermissionService>;
