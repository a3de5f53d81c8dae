// What one person gets of a change request: who may see it at all, and the request with everything they may
// not see taken out. A request's rows hold whole rows (`original`, `theirs`), hidden columns included, because
// the apply needs them; every value, column name and message leaves the service only through `maskedFor`.
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import { AppError, NotFoundError } from '../../lib/errors.js';
import { withoutHiddenTerms } from '../changes/hidden-terms.js';
import type { OrgView } from '../orgs/org-service.js';
import { mayAdminister } from '../permissions/policy.js';
import type { UserTable } from '../tables/table-service.js';
import type { ChangeRequestRecord, ChangeRequestWithRows, RequestRow } from './request-types.js';

export const NO_SUCH_REQUEST = 'That change request does not exist or you have no access to it.';

/** The tables of a request as one viewer may see them (null: a table they may not view). */
export type ViewerTables = Map<string, UserTable | null>;

export interface Opener {
  open(actor: Actor, org: OrgView, tableId: string): Promise<UserTable>;
  keyHandle(orgId: string, tableId: string, key: string): string;
}

/**
 * An Opener that opens each table (and reads each org) once for as long as it is kept: one pass over many
 * requests (the top bar's count, on every page) touches the same few tables again and again.
 */
export function onceEach(tables: Opener, orgs: { get(id: string): Promise<OrgView> }) {
  const opened = new Map<string, Promise<UserTable>>();
  const orgById = new Map<string, Promise<OrgView>>();
  return {
    tables: {
      keyHandle: (orgId: string, tableId: string, key: string) => tables.keyHandle(orgId, tableId, key),
      open(actor: Actor, org: OrgView, tableId: string): Promise<UserTable> {
        const k = `${org.id}\u0000${tableId}`;
        let p = opened.get(k);
        if (!p) opened.set(k, (p = tables.open(actor, org, tableId)));
        return p;
      },
    } satisfies Opener,
    org(id: string): Promise<OrgView> {
      let p = orgById.get(id);
      if (!p) orgById.set(id, (p = orgs.get(id)));
      return p;
    },
  };
}

/** Each table of `tableIds` as `actor` may see it; a table they may not view (or that is gone) is null. */
export async function viewerTables(
  tables: Opener,
  actor: Actor,
  org: OrgView,
  tableIds: Iterable<string>,
): Promise<ViewerTables> {
  const out: ViewerTables = new Map();
  for (const id of new Set(tableIds)) {
    try {
      out.set(id, await tables.open(actor, org, id));
    } catch (err) {
      if (!(err instanceof AppError) || !err.expose) throw err;
      out.set(id, null);
    }
  }
  return out;
}

/**
 * Who may see a request: its author, administrators, and people who may view every table in it; a draft only
 * its author (it is not finished). Anyone else is told it does not exist.
 */
export function maySeeRequest(actor: Actor, req: ChangeRequestRecord, seen: ViewerTables): boolean {
  const author = req.authorId === actor.userId;
  if (req.status === 'draft') return author;
  return author || mayAdminister(actor) || [...seen.values()].every((t) => t !== null);
}

export function assertMaySee(actor: Actor, req: ChangeRequestRecord, seen: ViewerTables): void {
  if (!maySeeRequest(actor, req, seen)) throw new NotFoundError(NO_SUCH_REQUEST);
}

const only = (row: Row | null, columns: Set<string>): Row | null =>
  row && Object.fromEntries(Object.entries(row).filter(([c]) => columns.has(c)));

/** One row as the viewer may see it: values of visible columns only, the key as a handle when it is hidden. */
function maskedRow(row: RequestRow, t: UserTable | null, orgId: string, handle: Opener['keyHandle']): RequestRow {
  const visible = new Set(t?.columns ?? []);
  const all = [row.original, row.requested, row.theirs];
  const hide = (s: string | null) =>
    s === null ? null : t ? withoutHiddenTerms(s, t, all) : 'Details hidden: you may not view this table.';
  return {
    ...row,
    key: visible.has('key') ? row.key : handle(orgId, row.tableId, row.key),
    original: only(row.original, visible),
    requested: only(row.requested, visible),
    theirs: only(row.theirs, visible),
    message: hide(row.message),
  };
}

/** The request as `seen`'s viewer may see it: rows masked, the held reason without hidden terms. */
export function maskedFor(req: ChangeRequestWithRows, seen: ViewerTables, handle: Opener['keyHandle']) {
  const rows = req.rows.map((r) => maskedRow(r, seen.get(r.tableId) ?? null, req.orgId, handle));
  let heldReason = req.heldReason;
  for (const r of req.rows) {
    const t = seen.get(r.tableId);
    if (heldReason && t) heldReason = withoutHiddenTerms(heldReason, t, [r.original, r.requested, r.theirs]);
  }
  if (heldReason && [...seen.values()].some((t) => t === null))
    heldReason = 'It waits for a person; the reason concerns a table you may not view.';
  return { ...req, heldReason, rows };
}

export type RequestView = ReturnType<typeof maskedFor>;
