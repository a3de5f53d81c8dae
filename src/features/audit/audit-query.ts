// Reading the audit log: filters, keyset paging (fast at a million entries: no COUNT, no OFFSET), and what
// each reader may see: admins everything; users only entries about tables they may view, with the values
// of columns hidden from them removed.
import type { Db } from '../../db/database.js';
import type { AuditEvent, Prisma } from '../../db/generated/client.js';
import type { CurrentUser } from '../../lib/current-user.js';
import type { StoredRights } from '../permissions/access.js';
import { toRights } from '../permissions/permission-repository.js';

export interface AuditFilters {
  actorId?: number;
  orgId?: string;
  tableId?: string;
  rowKey?: string;
  action?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  reason?: string;
  batchId?: string;
  /** Keyset paging: entries older than this seq. */
  before?: number;
}

export const AUDIT_PAGE_SIZE = 50;

export interface AuditEntryView {
  seq: number;
  at: Date;
  actorId: number | null;
  actorName: string;
  ip: string | null;
  action: string;
  orgId: string | null;
  tableId: string | null;
  rowKey: string | null;
  targetUserId: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
  reason: string | null;
  batchId: string | null;
  changeId: string | null;
  outcome: string | null;
  /** Columns whose values differ between before and after (visible ones only). */
  changed: string[];
}

const parse = (json: string | null) => (json ? (JSON.parse(json) as Record<string, unknown>) : null);

function hideColumns(obj: Record<string, unknown> | null, rights: StoredRights | null): Record<string, unknown> | null {
  if (!obj || !rights) return obj;
  return Object.fromEntries(Object.entries(obj).filter(([c]) => (rights.columns[c] ?? rights.defaultColumnAccess) !== 'hidden'));
}

export function createAuditQuery(db: Db) {
  /** The (org, table) pairs a user may view, with their rights (for hiding columns). */
  async function viewable(user: CurrentUser) {
    const grants = await db.tablePermission.findMany({ where: { userId: user.id, canView: true }, include: { columns: { select: { column: true, access: true } } } });
    return new Map(grants.map((g) => [`${g.orgId}\u0000${g.tableId}`, toRights(g)]));
  }

  function toView(e: AuditEvent, rights: StoredRights | null): AuditEntryView {
    const before = hideColumns(parse(e.before), rights);
    const after = hideColumns(parse(e.after), rights);
    let details = parse(e.details);
    if (details && Array.isArray(details.changed) && rights) details = { ...details, changed: (details.changed as string[]).filter((c) => (rights.columns[c] ?? rights.defaultColumnAccess) !== 'hidden') };
    const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
    const changed = [...keys].filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]));
    return { ...e, before, after, details, changed };
  }

  function where(f: AuditFilters): Prisma.AuditEventWhereInput {
    return {
      ...(f.actorId ? { actorId: f.actorId } : {}),
      ...(f.orgId ? { orgId: f.orgId } : {}),
      ...(f.tableId ? { tableId: f.tableId } : {}),
      ...(f.rowKey ? { rowKey: f.rowKey } : {}),
      ...(f.action ? { action: f.action } : {}),
      ...(f.outcome ? { outcome: f.outcome } : {}),
      ...(f.from || f.to ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
      ...(f.reason ? { reason: { contains: f.reason } } : {}),
      ...(f.batchId ? { batchId: f.batchId } : {}),
      ...(f.before ? { seq: { lt: f.before } } : {}),
    };
  }

  return {
    async list(user: CurrentUser, filters: AuditFilters): Promise<{ entries: AuditEntryView[]; nextBefore: number | null }> {
      const isAdmin = user.role === 'ADMIN';
      const allowed = isAdmin ? null : await viewable(user);
      const scope: Prisma.AuditEventWhereInput = isAdmin
        ? {}
        : { OR: [...allowed!.keys()].map((k) => ({ orgId: k.split('\u0000')[0]!, tableId: k.split('\u0000')[1]! })) };
      if (!isAdmin && allowed!.size === 0) return { entries: [], nextBefore: null };
      const rows = await db.auditEvent.findMany({ where: { AND: [where(filters), scope] }, orderBy: { seq: 'desc' }, take: AUDIT_PAGE_SIZE + 1 });
      const page = rows.slice(0, AUDIT_PAGE_SIZE);
      return {
        entries: page.map((e) => toView(e, isAdmin ? null : (allowed!.get(`${e.orgId}\u0000${e.tableId}`) ?? null))),
        nextBefore: rows.length > AUDIT_PAGE_SIZE ? page.at(-1)!.seq : null,
      };
    },

    /** One entry and the other events of the same change, if the user may see it (else null). */
    async get(user: CurrentUser, seq: number): Promise<{ entry: AuditEntryView; related: AuditEntryView[] } | null> {
      const e = await db.auditEvent.findUnique({ where: { seq } });
      if (!e) return null;
      let rights: StoredRights | null = null;
      if (user.role !== 'ADMIN') {
        rights = (await viewable(user)).get(`${e.orgId}\u0000${e.tableId}`) ?? null;
        if (!rights || !e.tableId) return null;
      }
      const related = e.changeId ? await db.auditEvent.findMany({ where: { changeId: e.changeId, NOT: { seq } }, orderBy: { seq: 'asc' } }) : [];
      return { entry: toView(e, rights), related: related.map((r) => toView(r, rights)) };
    },

    async raw(seq: number): Promise<AuditEvent | null> {
      return db.auditEvent.findUnique({ where: { seq } });
    },

    async outcomeOf(changeId: string): Promise<string | null> {
      const last = await db.auditEvent.findFirst({ where: { changeId, NOT: { outcome: 'intent' } }, orderBy: { seq: 'desc' } });
      return last?.outcome ?? null;
    },
  };
}

export type AuditQuery = ReturnType<typeof createAuditQuery>;
