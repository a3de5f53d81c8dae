// Saved views and grid layouts: a person's own ways of looking at a table. Neither is ever a right: a view
// opened (by its id, as its owner, or through a shared URL by anyone) is read with the opener's visible
// columns, and a view id names a record only within its owner's scope (user, org, table), so another
// person's id is "not found" to rename, delete, make default or open (check R9).
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../lib/actor.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { OrgView } from '../orgs/org-service.js';
import { parseRowQuery, type RowQuery } from '../tables/row-query.js';
import type { TableService } from '../tables/table-service.js';
import type { SavedView, ViewRepository, ViewScope } from './view-repository.js';
import {
  arrangeColumns,
  clampWidth,
  MAX_VIEW_NAME,
  queryOfSettings,
  readLayout,
  readSettings,
  settingsOf,
  settingsParams,
  type GridLayoutSettings,
} from './view-settings.js';

/** A person keeps at most this many views of one table (the menu stays short, the table stays small). */
export const MAX_VIEWS_PER_TABLE = 50;

const NOT_YOURS = 'That saved view does not exist or is not yours.';

/** A view as the views menu shows it: its name, whether the table opens with it, and its shareable query. */
export interface ViewItem {
  id: string;
  name: string;
  isDefault: boolean;
  /** The view's settings as URL parameters as *this* person may see them (no view id: it works for anyone). */
  shareParams: string;
}

function viewName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
  if (!name) throw new ValidationError('Give the view a name.', { name: 'Give the view a name.' });
  if (name.length > MAX_VIEW_NAME)
    throw new ValidationError(`A view name has at most ${MAX_VIEW_NAME} characters.`, {
      name: `A view name has at most ${MAX_VIEW_NAME} characters.`,
    });
  return name;
}

export function createViewService(deps: { repo: ViewRepository; tables: Pick<TableService, 'open'> }) {
  const scopeOf = (actor: Actor, org: OrgView, tableId: string): ViewScope => ({
    userId: actor.userId,
    orgId: org.id,
    tableId,
  });
  /** The table as this person may see it (403/404 when she may not view it); its visible columns. */
  const visibleColumns = async (actor: Actor, org: OrgView, tableId: string) =>
    (await deps.tables.open(actor, org, tableId)).columns;

  const itemOf = (v: SavedView, visible: string[]): ViewItem => ({
    id: v.id,
    name: v.name,
    isDefault: v.isDefault,
    shareParams: settingsParams(settingsOf(queryOfSettings(readSettings(v.settings), visible, ''))),
  });

  return {
    /**
     * What the table page shows for a request's query: with no parameters the person's default view (if
     * any), with only `view=<id>` that view of hers (404 for anyone else's), otherwise the URL as it is, always
     * read with `visible` (the columns she may see now). Also her views of the table and her grid layout.
     */
    async pageState(actor: Actor, org: OrgView, tableId: string, raw: Record<string, unknown>, visible: string[]) {
      const scope = scopeOf(actor, org, tableId);
      const [records, layoutJson] = await Promise.all([deps.repo.list(scope), deps.repo.layout(scope)]);
      const keys = Object.keys(raw);
      const asked = typeof raw.view === 'string' ? raw.view : '';
      let opened: SavedView | undefined;
      if (keys.length === 0) opened = records.find((v) => v.isDefault);
      else if (keys.length === 1 && asked && asked !== 'none') {
        opened = records.find((v) => v.id === asked);
        if (!opened) throw new NotFoundError(NOT_YOURS);
      }
      const query: RowQuery = opened
        ? queryOfSettings(readSettings(opened.settings), visible, opened.id)
        : parseRowQuery(raw, visible);
      const active = records.find((v) => v.id === query.view) ?? null;
      return {
        query,
        layout: readLayout(layoutJson),
        views: records.map((v) => itemOf(v, visible)),
        activeView: active ? { id: active.id, name: active.name } : null,
      };
    },

    /** Saves the query in `body` (the page's current search, filters, sort, size and columns) as a named view. */
    async create(
      actor: Actor,
      org: OrgView,
      tableId: string,
      input: { name: unknown; body: Record<string, unknown>; isDefault: boolean },
    ): Promise<ViewItem> {
      const visible = await visibleColumns(actor, org, tableId);
      const scope = scopeOf(actor, org, tableId);
      const name = viewName(input.name);
      if ((await deps.repo.count(scope)) >= MAX_VIEWS_PER_TABLE)
        throw new ValidationError(`You have ${MAX_VIEWS_PER_TABLE} views of this table; delete one first.`);
      if (await deps.repo.findByName(scope, name))
        throw new ValidationError(`You already have a view called “${name}”.`, { name: 'That name is taken.' });
      // Only what she may see now is stored (parseRowQuery drops every other column).
      const settings = settingsOf(parseRowQuery(input.body, visible));
      const saved = await deps.repo.create(scope, {
        id: randomUUID(),
        name,
        settings: JSON.stringify(settings),
        isDefault: input.isDefault,
      });
      return itemOf(saved, visible);
    },

    async rename(actor: Actor, org: OrgView, tableId: string, id: string, rawName: unknown): Promise<string> {
      await visibleColumns(actor, org, tableId);
      const scope = scopeOf(actor, org, tableId);
      const name = viewName(rawName);
      const same = await deps.repo.findByName(scope, name);
      if (same && same.id !== id)
        throw new ValidationError(`You already have a view called “${name}”.`, { name: 'That name is taken.' });
      if (!(await deps.repo.rename(scope, id, name))) throw new NotFoundError(NOT_YOURS);
      return name;
    },

    async delete(actor: Actor, org: OrgView, tableId: string, id: string): Promise<void> {
      await visibleColumns(actor, org, tableId);
      if (!(await deps.repo.delete(scopeOf(actor, org, tableId), id))) throw new NotFoundError(NOT_YOURS);
    },

    /** The view this person's table opens with (null: the plain table). */
    async setDefault(actor: Actor, org: OrgView, tableId: string, id: string | null): Promise<void> {
      await visibleColumns(actor, org, tableId);
      if (!(await deps.repo.setDefault(scopeOf(actor, org, tableId), id))) throw new NotFoundError(NOT_YOURS);
    },

    /**
     * Changes parts of this person's grid layout (the others are kept); names of columns she may not see are
     * dropped. Returns the layout as stored.
     */
    async saveLayout(
      actor: Actor,
      org: OrgView,
      tableId: string,
      patch: Partial<GridLayoutSettings>,
    ): Promise<GridLayoutSettings> {
      const visible = await visibleColumns(actor, org, tableId);
      const scope = scopeOf(actor, org, tableId);
      const known = new Set(visible);
      const current = readLayout(await deps.repo.layout(scope));
      const next: GridLayoutSettings = {
        order: patch.order ? patch.order.filter((c) => known.has(c)) : current.order,
        hidden: patch.hidden ? patch.hidden.filter((c) => known.has(c)) : current.hidden,
        widths: { ...current.widths },
        density: patch.density ?? current.density,
      };
      for (const [c, w] of Object.entries(patch.widths ?? {}))
        if (known.has(c) && Number.isFinite(w)) next.widths[c] = clampWidth(w);
      // Hiding every column would leave an empty grid: the first one (as arranged) stays shown.
      if (visible.every((c) => next.hidden.includes(c))) {
        const first = arrangeColumns(visible, { order: next.order, hidden: [] })[0];
        next.hidden = next.hidden.filter((c) => c !== first);
      }
      await deps.repo.saveLayout(scope, JSON.stringify(next));
      return next;
    },

    async resetLayout(actor: Actor, org: OrgView, tableId: string): Promise<void> {
      await visibleColumns(actor, org, tableId);
      await deps.repo.resetLayout(scopeOf(actor, org, tableId));
    },
  };
}

export type ViewService = ReturnType<typeof createViewService>;
