// What a saved view and a grid layout hold, and how they turn into a table page's query. Pure.
// A view's settings are stored as the query a page had, and are read back through the same URL parser as a
// typed address (parseRowQuery) with the *opener's* visible columns: so a stored or shared view can never
// show, filter or sort by a column the person opening it may not see (check R9), whatever it was saved with.
import { parseRowQuery, rowQueryParams, type Filter, type RowQuery } from '../tables/row-query.js';

export interface ViewSettings {
  q: string;
  filters: Filter[];
  sort: string;
  dir: 'asc' | 'desc';
  pageSize: number;
  hidden: string[];
  order: string[];
}

export const DENSITIES = ['compact', 'comfortable'] as const;
export type Density = (typeof DENSITIES)[number];

/** How a person arranged a table's grid last (GridLayout.layout). */
export interface GridLayoutSettings {
  order: string[];
  hidden: string[];
  /** Column widths in CSS pixels, set by dragging a header's edge. */
  widths: Record<string, number>;
  density: Density;
}

export const EMPTY_LAYOUT: GridLayoutSettings = Object.freeze({
  order: [],
  hidden: [],
  widths: {},
  density: 'compact',
}) as GridLayoutSettings;

export const MIN_WIDTH = 40;
export const MAX_WIDTH = 1200;
export const MAX_VIEW_NAME = 80;

/** The settings a page's query stands for (the page number is not part of a view). */
export function settingsOf(query: RowQuery): ViewSettings {
  return {
    q: query.q,
    filters: query.filters,
    sort: query.sort,
    dir: query.dir,
    pageSize: query.pageSize,
    hidden: query.hide,
    order: query.order,
  };
}

/** The URL parameters of stored settings (the shareable form of a view), before any check. */
export function settingsParams(s: ViewSettings, view = ''): string {
  return rowQueryParams({ ...s, hide: s.hidden, order: s.order, page: 1, view });
}

/** Stored settings as the query `visible` columns allow: what opening the view shows this person. */
export function queryOfSettings(s: ViewSettings, visible: string[], view: string): RowQuery {
  const params = new URLSearchParams(settingsParams(s));
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    record[key] = all.length > 1 || key === 'hide' || key === 'order' ? all : all[0]!;
  }
  return { ...parseRowQuery(record, visible), view };
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 500) : [];

/** Stored JSON read tolerantly (a damaged value opens as the plain table, never a 500). */
export function readSettings(json: string): ViewSettings {
  let v: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object') v = parsed as Record<string, unknown>;
  } catch {
    // fall through: empty settings
  }
  const filters = Array.isArray(v.filters)
    ? (v.filters as unknown[]).filter(
        (f): f is Filter =>
          !!f &&
          typeof (f as Filter).column === 'string' &&
          typeof (f as Filter).op === 'string' &&
          typeof (f as Filter).value === 'string',
      )
    : [];
  return {
    q: typeof v.q === 'string' ? v.q : '',
    filters,
    sort: typeof v.sort === 'string' ? v.sort : '',
    dir: v.dir === 'desc' ? 'desc' : 'asc',
    pageSize: typeof v.pageSize === 'number' ? v.pageSize : 50,
    hidden: strings(v.hidden),
    order: strings(v.order),
  };
}

/** A stored layout read tolerantly, widths clamped. */
export function readLayout(json: string | null | undefined): GridLayoutSettings {
  if (!json) return { ...EMPTY_LAYOUT };
  let v: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object') v = parsed as Record<string, unknown>;
  } catch {
    return { ...EMPTY_LAYOUT };
  }
  const widths: Record<string, number> = {};
  if (v.widths && typeof v.widths === 'object')
    for (const [c, w] of Object.entries(v.widths as Record<string, unknown>))
      if (typeof w === 'number' && Number.isFinite(w)) widths[c] = clampWidth(w);
  return {
    order: strings(v.order),
    hidden: strings(v.hidden),
    widths,
    density: (DENSITIES as readonly unknown[]).includes(v.density) ? (v.density as Density) : 'compact',
  };
}

export const clampWidth = (w: number) => Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w)));

/**
 * The columns a page shows, in order: the asked order first (unknown names dropped), then the other visible
 * columns in the table's order; hidden ones left out. Never none: hiding every column keeps the first.
 */
export function arrangeColumns(visible: string[], arrangement: { order: string[]; hidden: string[] }): string[] {
  const known = new Set(visible);
  const ordered = [...new Set(arrangement.order.filter((c) => known.has(c)))];
  for (const c of visible) if (!ordered.includes(c)) ordered.push(c);
  const hidden = new Set(arrangement.hidden);
  const shown = ordered.filter((c) => !hidden.has(c));
  return shown.length ? shown : ordered.slice(0, 1);
}
