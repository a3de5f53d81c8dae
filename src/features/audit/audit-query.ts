// Reading the audit log: filters, keyset paging (fast at a million entries: no COUNT, no OFFSET), and what
// each reader may see: whoever permissions/policy.ts lets see the whole log sees everything; others only row
// and table entries of tables they may view, shown through audit-visibility, which hides columns by the one
// rule of permissions/access.ts (hidden columns, hidden keys and others' IPs left out). Rights are read
// through the permission service: this module neither decides who is an administrator nor reads grants itself.
import type { AuditEvent, Prisma } from '../../db/generated/client.js';
import type { Actor } from '../../lib/actor.js';
import { canSeeColumn, type StoredRights } from '../permissions/access.js';
import { maySeeWholeAuditLog } from '../permissions/policy.js';
import type { AuditReaderRepository } from './audit-reader-repository.js';
import { createChangeOutcomes } from './change-outcomes.js';
import { ROW_CHANGE_ACTIONS } from './audit-events.js';
import {
  changeIsVisible,
  entryForReader,
  OWN_BACKUP_ACTIONS,
  ownBackupEntry,
  USER_VISIBLE_ACTIONS,
  type AuditEntryView,
} from './audit-visibility.js';

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
  /**
   * One line per change (the audit page): a Genesys write's outcome entries are left out and its intent
   * carries how it ended (`result`). Exports leave it unset and get every entry as stored.
   */
  oneLinePerChange?: boolean;
}

/** Entries that are not a write's later stage: everything but the outcomes of an intent. */
const NOT_A_LATER_STAGE: Prisma.AuditEventWhereInput = { OR: [{ outcome: null }, { outcome: 'intent' }] };

export const AUDIT_PAGE_SIZE = 50;
/** Chunks of entries read to fill one page for a user (most are full after one). */
const MAX_CHUNKS_PER_PAGE = 20;

export type { AuditEntryView };

const pairKey = (orgId: string | null, tableId: string | null) => `${orgId}\u0000${tableId}`;

export interface AuditQueryDeps {
  keyHandle: (orgId: string, tableId: string, key: string) => string;
  /** The tables a user may view, with their rights (the permission service). */
  viewableBy: (userId: number) => Promise<{ orgId: string; tableId: string; rights: StoredRights }[]>;
}

export function createAuditQuery(log: AuditReaderRepository, deps: AuditQueryDeps) {
  const outcomes = createChangeOutcomes(log);
  /** The (org, table) pairs a user may view, with their rights (for hiding columns). */
  async function viewable(actor: Actor) {
    return new Map((await deps.viewableBy(actor.userId)).map((g) => [pairKey(g.orgId, g.tableId), g]));
  }

  /**
   * What `actor` may read: `scope` narrows a query to the entries they may see at all (a filter on row keys
   * or reasons, which name keys, only searches tables whose keys they may see: else it would answer
   * whether a hidden key exists); `show` shows one entry through audit-visibility (null: not theirs to see).
   */
  async function readerOf(actor: Actor, filters: AuditFilters = {}) {
    const keyHandle = (e: AuditEvent) => (key: string) => deps.keyHandle(e.orgId ?? '', e.tableId ?? '', key);
    if (maySeeWholeAuditLog(actor)) {
      return {
        scope: {} as Prisma.AuditEventWhereInput,
        show: (e: AuditEvent) =>
          entryForReader(e, { userId: actor.userId, rights: null, keyHandle: keyHandle(e) }) as AuditEntryView | null,
      };
    }
    const allowed = await viewable(actor);
    const searchesKeys = Boolean(filters.rowKey || filters.reason);
    const tables = [...allowed.values()].filter((g) => !searchesKeys || canSeeColumn(g.rights, 'key'));
    const ownBackups: Prisma.AuditEventWhereInput = { actorId: actor.userId, action: { in: [...OWN_BACKUP_ACTIONS] } };
    const tableEntries: Prisma.AuditEventWhereInput = {
      action: { in: [...USER_VISIBLE_ACTIONS] },
      OR: tables.map((g) => ({ orgId: g.orgId, tableId: g.tableId })),
    };
    // Own backup entries name no row keys: a key or reason filter leaves them out like hidden-key tables.
    const scopes = [...(tables.length ? [tableEntries] : []), ...(searchesKeys ? [] : [ownBackups])];
    const show = (e: AuditEvent, intent?: AuditEvent | null): AuditEntryView | null => {
      if (OWN_BACKUP_ACTIONS.includes(e.action)) return e.actorId === actor.userId ? ownBackupEntry(e) : null;
      const grant = allowed.get(pairKey(e.orgId, e.tableId));
      if (!grant || !e.tableId || !USER_VISIBLE_ACTIONS.includes(e.action)) return null;
      if (!changeIsVisible(e, intent ?? null, grant.rights)) return null;
      return entryForReader(e, { userId: actor.userId, rights: grant.rights, keyHandle: keyHandle(e), intent });
    };
    return { scope: scopes.length ? ({ OR: scopes } as Prisma.AuditEventWhereInput) : null, show };
  }

  /** The intents of the outcome entries' changes (a user's view of an outcome message needs its rows). */
  async function intentsOf(entries: AuditEvent[]): Promise<Map<string, AuditEvent>> {
    const ids = [...new Set(entries.filter((e) => e.outcome !== 'intent' && e.changeId).map((e) => e.changeId!))];
    if (ids.length === 0) return new Map();
    const intents = await log.intentsOf(ids);
    return new Map(intents.map((i) => [i.changeId!, i]));
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
    async list(actor: Actor, filters: AuditFilters): Promise<{ entries: AuditEntryView[]; nextBefore: number | null }> {
      const listed = await listPage(actor, filters);
      if (!filters.oneLinePerChange || filters.outcome) return listed;
      // (Under a reason search the page may hold outcome entries: those whose intent is on it are folded in.)
      const intentsShown = new Set(listed.entries.flatMap((e) => (e.outcome === 'intent' ? [e.changeId] : [])));
      const page = {
        ...listed,
        entries: listed.entries.filter(
          (e) => !e.changeId || e.outcome === null || e.outcome === 'intent' || !intentsShown.has(e.changeId),
        ),
      };
      // How each change on the page ended, in one read (its outcome entries are not lines of their own).
      const ids = page.entries.flatMap((e) => (e.outcome === 'intent' && e.changeId ? [e.changeId] : []));
      const ended = await outcomes.of(ids);
      for (const e of page.entries) {
        const o = e.outcome === 'intent' && e.changeId ? ended.get(e.changeId) : undefined;
        if (o) e.result = o.pending ? 'pending' : o.state;
      }
      return page;
    },

    /**
     * Who made the change a conflict page reports: the newest applied change of the row that `actor` may see,
     * when it wrote the values now in Genesys for every conflicting column (else the change came from outside
     * this app, and null is returned). Read through the row index.
     */
    async lastWriterOf(
      actor: Actor,
      row: { orgId: string; tableId: string; rowKey: string },
      theirs: { column: string; theirs: unknown }[],
    ): Promise<{ seq: number; actorName: string; at: Date } | null> {
      const [latest] = await log.newestFirst(
        {
          orgId: row.orgId,
          tableId: row.tableId,
          rowKey: row.rowKey,
          outcome: 'intent',
          action: { in: [...ROW_CHANGE_ACTIONS] },
        },
        1,
      );
      if (!latest?.changeId) return null;
      const state = (await outcomes.of([latest.changeId])).get(latest.changeId)?.state;
      if (state !== 'applied' && state !== 'reconciled-applied') return null;
      const after = latest.after ? (JSON.parse(latest.after) as Record<string, unknown>) : {};
      const wroteTheirs = theirs.every((c) => String(after[c.column]) === String(c.theirs));
      const [view] = wroteTheirs ? await visibleTo(actor, [latest]) : [];
      return view ? { seq: view.seq, actorName: view.actorName, at: view.at } : null;
    },

    /** One entry and the other events of the same change, if the user may see it (else null). */
    get,

    /** The entries of `events` that `actor` may see, as they may see them (for pages built from raw entries). */
    visibleTo,

    async raw(seq: number): Promise<AuditEvent | null> {
      return log.bySeq(seq);
    },
  };

  async function listPage(
    actor: Actor,
    filters: AuditFilters,
  ): Promise<{ entries: AuditEntryView[]; nextBefore: number | null }> {
    const reader = await readerOf(actor, filters);
    if (!reader.scope) return { entries: [], nextBefore: null };
    // The scope is SQL; whether an update changed only hidden columns is decided per entry (show), so a
    // page is filled from further chunks until it is full (bounded: a short page then still pages on).
    const entries: AuditEntryView[] = [];
    // Outcome entries are left out in SQL, except under a reason search: that is a scan, and where only
    // outcome entries match it would scan the whole log; list() folds them into their intents instead.
    const merged = filters.oneLinePerChange && !filters.outcome && !filters.reason ? [NOT_A_LATER_STAGE] : [];
    let before = filters.before;
    for (let chunk = 0; chunk < MAX_CHUNKS_PER_PAGE; chunk++) {
      const rows = await log.newestFirst(
        { AND: [where({ ...filters, before }), reader.scope, ...merged] },
        AUDIT_PAGE_SIZE + 1,
      );
      const intents = maySeeWholeAuditLog(actor) ? new Map<string, AuditEvent>() : await intentsOf(rows);
      for (const e of rows) {
        const view = reader.show(e, intents.get(e.changeId ?? ''));
        if (!view) continue;
        // One more visible entry than a page: there is a next page, older than this page's last entry.
        if (entries.length === AUDIT_PAGE_SIZE) return { entries, nextBefore: entries.at(-1)!.seq };
        entries.push(view);
      }
      if (rows.length <= AUDIT_PAGE_SIZE) return { entries, nextBefore: null };
      before = rows.at(-1)!.seq;
    }
    return { entries, nextBefore: before ?? null };
  }

  async function get(actor: Actor, seq: number): Promise<{ entry: AuditEntryView; related: AuditEntryView[] } | null> {
    const e = await log.bySeq(seq);
    if (!e) return null;
    const reader = await readerOf(actor);
    const change = e.changeId ? await log.ofChange(e.changeId) : [e];
    const intent = change.find((c) => c.outcome === 'intent') ?? null;
    const entry = reader.show(e, intent);
    if (!entry) return null;
    return { entry, related: change.filter((r) => r.seq !== seq).flatMap((r) => reader.show(r, intent) ?? []) };
  }

  async function visibleTo(actor: Actor, events: AuditEvent[]): Promise<AuditEntryView[]> {
    const reader = await readerOf(actor);
    const intents = await intentsOf(events);
    return events.flatMap(
      (e) => reader.show(e, intents.get(e.changeId ?? '') ?? (e.outcome === 'intent' ? e : null)) ?? [],
    );
  }
}

export type AuditQuery = ReturnType<typeof createAuditQuery>;
