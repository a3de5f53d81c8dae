// What undoing changes would write, for the preview pages (one change, a batch): per row, the columns put
// back with their values now and after, only the columns the reader may see; why a change cannot be undone
// (the same checks the undo runs); and whether it was undone already, by whom. Reads only, never writes.
import type { AuditEvent } from '../../db/generated/client.js';
import { rowHolds } from '../../genesys/datatable-schema.js';
import type { Row, TableSchema } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import type { AuditQuery, AuditEntryView } from './audit-query.js';
import type { AuditReaderRepository } from './audit-reader-repository.js';
import type { ChangeOutcomes } from './change-outcomes.js';
import { cell, undoOf, wasApplied } from './undo-change.js';

/** One change of a batch in the undo preview. */
export interface BatchItem {
  seq: number;
  action: string;
  rowKey: string | null;
  /** Why it cannot be undone (null: it can). */
  blocked: string | null;
}

/** Who undid a change, as the reader may see it (null fields: the undo is not hers to see). */
export interface UndoneBy {
  seq: number | null;
  actorName: string | null;
  at: Date | null;
  batchId: string | null;
}

/** One column an undo puts back: its value now and the value it goes back to (undefined: none). */
export interface UndoColumn {
  column: string;
  now: unknown;
  back: unknown;
}

/** A change in an undo preview, with what undoing it writes: only columns the reader may see. */
export interface UndoItem extends BatchItem {
  tableId: string;
  /** What the undo does to the row. */
  effect: 'update' | 'delete' | 'create';
  columns: UndoColumn[];
  undoneBy: UndoneBy | null;
}

/** An undo the reader may not see: she is told the change was undone, not by whom. */
const NOT_SEEN: UndoneBy = { seq: null, actorName: null, at: null, batchId: null };

export function createUndoPreview(deps: {
  query: AuditQuery;
  orgs: OrgService;
  tables: TableService;
  log: AuditReaderRepository;
  outcomes: ChangeOutcomes;
  /** Why `actor` may not undo `e` (null: she may): the checks the undo runs before it writes. */
  refusal: (actor: Actor, e: AuditEvent, org: OrgView, othersChange: boolean) => Promise<string | null>;
}) {
  const undoRefusal = deps.refusal;

  /**
   * The applied undos of these entries, by the undone entry's seq. An undo that was itself undone (a redo)
   * leaves its change in force, so that change counts as not undone. Undos are later changes of the same
   * rows: found through the row index, in one read per few hundred rows.
   */
  async function undosOf(events: AuditEvent[]): Promise<Map<number, AuditEvent>> {
    const rows = new Map<string, { tableId: string; rowKey: string }>();
    for (const e of events)
      if (e.tableId && e.rowKey) rows.set(`${e.tableId}\u0000${e.rowKey}`, { tableId: e.tableId, rowKey: e.rowKey });
    if (rows.size === 0) return new Map();
    const undos = await deps.log.undosOnRows([...rows.values()], Math.min(...events.map((e) => e.seq)));
    const states = await deps.outcomes.of(undos.flatMap((u) => (u.changeId ? [u.changeId] : [])));
    const latest = new Map<number, AuditEvent>();
    for (const u of undos) {
      const reverts = (u.details ? (JSON.parse(u.details) as { reverts?: unknown }).reverts : undefined) ?? null;
      if (typeof reverts === 'number' && u.changeId && wasApplied(states.get(u.changeId)?.state))
        latest.set(reverts, u);
    }
    const redone = new Set([...latest.values()].filter((u) => latest.has(u.seq)).map((u) => u.seq));
    const out = new Map<number, AuditEvent>();
    for (const e of events) {
      const u = latest.get(e.seq);
      if (u && !redone.has(u.seq)) out.set(e.seq, u);
    }
    return out;
  }

  /** Who undid each of these entries, as `actor` may see the undo (an undo she may not see names no one). */
  async function undoneByOf(actor: Actor, events: AuditEvent[]): Promise<Map<number, UndoneBy>> {
    const undos = await undosOf(events);
    const seen = new Map((await deps.query.visibleTo(actor, [...undos.values()])).map((v) => [v.seq, v]));
    return new Map(
      [...undos].map(([seq, u]) => {
        const v = seen.get(u.seq);
        return [seq, v ? { seq: v.seq, actorName: v.actorName, at: v.at, batchId: v.batchId } : NOT_SEEN];
      }),
    );
  }

  /**
   * What undoing each change would write, compared with its row now: the columns put back (only those the
   * reader may see), and why a change cannot be undone (the same checks the undo runs). Reads each table's
   * rows once, from Genesys; writes nothing.
   */
  async function previewItems(actor: Actor, changes: { event: AuditEvent; view: AuditEntryView }[]) {
    const undone = await undoneByOf(
      actor,
      changes.map((c) => c.event),
    );
    const tablesSeen = new Map<string, { rows: Map<string, Row>; schema: TableSchema; columns: string[] }>();
    const items: UndoItem[] = [];
    for (const { event: e, view } of changes) {
      const org = await deps.orgs.get(e.orgId!);
      const k = `${e.orgId}\u0000${e.tableId}`;
      if (!tablesSeen.has(k)) {
        const data = await deps.tables.rows(actor, org, e.tableId!, { refresh: true });
        const t = await deps.tables.open(actor, org, e.tableId!);
        tablesSeen.set(k, {
          rows: new Map(data.rows.map((r) => [String(r.key), r])),
          schema: data.table.schema,
          columns: t.columns,
        });
      }
      const { rows, schema, columns: visible } = tablesSeen.get(k)!;
      const current = rows.get(e.rowKey!) ?? null;
      const change = undoOf(e);
      const before = e.before ? (JSON.parse(e.before) as Row) : null;
      const undoneBy = undone.get(e.seq) ?? null;
      // The same rights check the undo runs: a change she may not undo is shown as blocked, with why.
      const refused = undoneBy ? null : await undoRefusal(actor, e, org, e.actorId !== actor.userId);
      const blocked = undoneBy
        ? `it was already undone${undoneBy.seq ? ` (change #${undoneBy.seq})` : ''}`
        : refused
          ? refused
          : change.kind === 'update'
            ? rowHolds(current, change.expect, schema)
              ? null
              : 'the row has changed since'
            : change.kind === 'delete'
              ? current === null
                ? 'the row is already gone'
                : rowHolds(current, change.expect, schema)
                  ? null
                  : 'the row has changed since'
              : current === null
                ? null
                : 'a row with this key exists again';
      // Hidden columns are never listed: not their names, not their values.
      const shown = (names: string[]) => names.filter((c) => c !== 'key' && visible.includes(c));
      const columns: UndoColumn[] =
        change.kind === 'update'
          ? shown(Object.keys(change.write)).map((c) => ({ column: c, now: cell(current, c), back: cell(before, c) }))
          : change.kind === 'delete'
            ? shown(Object.keys(current ?? {})).map((c) => ({ column: c, now: cell(current, c), back: undefined }))
            : shown(Object.keys(before ?? {})).map((c) => ({
                column: c,
                now: cell(current, c),
                back: cell(before, c),
              }));
      items.push({
        seq: e.seq,
        action: e.action,
        rowKey: view.rowKey,
        tableId: e.tableId!,
        effect: change.kind,
        columns,
        blocked,
        undoneBy,
      });
    }
    return items;
  }

  return { undosOf, undoneByOf, previewItems };
}
