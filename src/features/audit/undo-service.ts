// Undo one recorded row change, as a new change (history is never edited): an update's changed columns go
// back to their before values, a create is deleted, a delete is re-created. Only when the row still holds
// what that change wrote; otherwise the caller gets original / then / now, and only an admin may force it.
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { CurrentUser } from '../../lib/current-user.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { OrgService } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import type { AuditQuery } from './audit-query.js';

export interface UndoConflict {
  original: Row | null;
  then: Row | null;
  now: Row | null;
  columns: string[];
}

const UNDOABLE = new Set(['row.updated', 'row.created', 'row.deleted']);

export function createUndoService(deps: { query: AuditQuery; orgs: OrgService; tables: TableService }) {
  return {
    /** Whether `user` may try to undo entry `seq` (shown as a button); the real checks run on undo. */
    async eligibility(user: CurrentUser, seq: number): Promise<{ ok: boolean; why?: string; othersChange: boolean }> {
      const e = await deps.query.raw(seq);
      if (!e || !UNDOABLE.has(e.action) || e.outcome !== 'intent' || !e.changeId) return { ok: false, why: 'Only row changes can be undone.', othersChange: false };
      const outcome = await deps.query.outcomeOf(e.changeId);
      if (outcome !== 'applied' && outcome !== 'reconciled-applied') return { ok: false, why: 'This change was not applied in Genesys Cloud, so there is nothing to undo.', othersChange: false };
      return { ok: true, othersChange: e.actorId !== user.id };
    },

    async undo(user: CurrentUser, seq: number, actor: Actor, force: boolean): Promise<{ conflict: UndoConflict | null }> {
      const e = await deps.query.raw(seq);
      if (!e) throw new NotFoundError('That audit entry does not exist.');
      const eligible = await this.eligibility(user, seq);
      if (!eligible.ok) throw new ValidationError(eligible.why!);
      if (force && user.role !== 'ADMIN') throw new ForbiddenError('Only an administrator can force an undo over later changes.');
      const org = await deps.orgs.get(e.orgId!);
      const t = await deps.tables.open(user, org, e.tableId!);
      // Undoing someone else's change needs the edit right on the table (admins have it).
      if (eligible.othersChange && !t.access.canEdit) throw new ForbiddenError('Undoing another person’s change needs the edit right on this table.');
      const before = e.before ? (JSON.parse(e.before) as Row) : null;
      const after = e.after ? (JSON.parse(e.after) as Row) : null;
      const changed = ((e.details ? (JSON.parse(e.details) as { changed?: string[] }).changed : undefined) ?? []).filter((c) => c !== 'key');
      const key = e.rowKey!;
      let plan: Parameters<typeof deps.tables.revert>[4];
      if (e.action === 'row.updated') {
        const pick = (r: Row | null): Row => Object.fromEntries(changed.filter((c) => r !== null && c in r).map((c) => [c, (r as Row)[c]!]));
        plan = { kind: 'update', values: pick(before), expected: pick(after) };
      } else if (e.action === 'row.created') plan = { kind: 'delete', expected: after! };
      else plan = { kind: 'create', row: before! };
      const result = await deps.tables.revert(user, org, e.tableId!, key, plan, actor, { reverts: seq, force });
      if (result.noop) throw new ValidationError('The row no longer exists in Genesys Cloud, so this change cannot be undone.');
      if (!result.conflict) return { conflict: null };
      const visible = t.columns;
      const only = (r: Row | null) => (r ? (Object.fromEntries(Object.entries(r).filter(([c]) => visible.includes(c))) as Row) : null);
      return { conflict: { original: only(before), then: only(after), now: only(result.conflict), columns: e.action === 'row.updated' ? changed.filter((c) => visible.includes(c)) : visible } };
    },
  };
}

export type UndoService = ReturnType<typeof createUndoService>;
