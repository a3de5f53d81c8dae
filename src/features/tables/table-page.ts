// What the table page and the table list show, computed from what the table service returned and the parsed
// query: the matching rows of the current page (as grid HTML), the pager, the sort headers and their links.
// Pure (no request, no database, no Genesys), so every paging and sorting rule is tested without a server.
import type { DataTable, Row } from '../../genesys/gateway.js';
import type { TableAccess } from '../permissions/access.js';
import type { RoleGap } from '../orgs/readiness-service.js';
import { gridRowsHtml } from './grid-html.js';
import { applyRowQuery, FILTER_OPS, foldText, PAGE_SIZES, rowQueryParams, type RowQuery } from './row-query.js';
import type { RowRef } from './table-service.js';
import { arrangeColumns, EMPTY_LAYOUT, type GridLayoutSettings } from '../views/view-settings.js';
import type { ViewItem } from '../views/view-service.js';
import { describeFormat } from '../formats/format-check.js';
import type { ColumnFormatSpec, TableFormats } from '../formats/format-types.js';

export const tablePath = (tableId: string) => `/tables/${encodeURIComponent(tableId)}`;
export const rowPath = (tableId: string, ref: string) => `${tablePath(tableId)}/rows/${encodeURIComponent(ref)}`;

/** A table's rows as the table service hands them out: full rows, shown only through `present`. */
export interface TableRows {
  table: DataTable;
  access: TableAccess;
  columns: string[];
  rows: readonly Row[];
  present: (row: Row) => RowRef;
  loadedAt: Date;
}

export interface SortHeader {
  name: string;
  title: string;
  type: string;
  /** Editable in place: the user may edit the table and write this column (never the key). */
  writable: boolean;
  ariaSort: 'ascending' | 'descending' | null;
  arrow: string;
  /** Sorts by this column; a second click on the sorted column reverses it. Back to page 1 either way. */
  href: string;
  /** The column's format (the <th>'s data-format, for the grid's editors) and its hint. */
  format?: ColumnFormatSpec;
  formatHint?: string;
}

/** The tables whose name or description contains `q` (accents and case ignored). */
export function tablesMatching<T extends { table: Pick<DataTable, 'name' | 'description'> }>(
  list: T[],
  q: string,
): T[] {
  return q ? list.filter(({ table }) => foldText(`${table.name} ${table.description}`).includes(foldText(q))) : list;
}

function sortHeaders(
  data: TableRows,
  shown: string[],
  query: RowQuery,
  directEdits: boolean,
  formats?: TableFormats,
): SortHeader[] {
  const properties = data.table.schema.properties;
  return shown.map((c) => {
    const active = query.sort === c;
    const format = formats?.get(c);
    return {
      ...(format ? { format, formatHint: describeFormat(format) } : {}),
      name: c,
      title: properties[c]?.title || c,
      type: properties[c]?.type ?? 'string',
      writable: directEdits && data.access.canEdit && data.access.columns[c] === 'write' && c !== 'key',
      ariaSort: active ? (query.dir === 'asc' ? 'ascending' : 'descending') : null,
      arrow: active ? (query.dir === 'asc' ? ' ▲' : ' ▼') : '',
      href: `?${rowQueryParams({ ...query, page: 1 }, { sort: c, dir: active && query.dir === 'asc' ? 'desc' : 'asc', page: 1 })}`,
    };
  });
}

/** A pager link: a page number, or a gap between numbers (null). */
export type PageLink = { page: number; current: boolean } | null;

/**
 * The page numbers a pager shows: the first, the last, and two either side of the current one, with gaps
 * (null) where numbers are left out: 1 … 4 5 [6] 7 8 … 20.
 */
export function pageLinks(page: number, pageCount: number): PageLink[] {
  const wanted = new Set([1, pageCount]);
  for (let p = page - 2; p <= page + 2; p++) if (p >= 1 && p <= pageCount) wanted.add(p);
  const links: PageLink[] = [];
  let last = 0;
  for (const p of [...wanted].sort((a, b) => a - b)) {
    if (p > last + 1) links.push(null);
    links.push({ page: p, current: p === page });
    last = p;
  }
  return links;
}

/** What the page's forms carry as hidden fields to say what the page shows: [name, value] pairs. */
const fieldsOf = (params: string): [string, string][] => [...new URLSearchParams(params)];

/** Typed in a refused bulk form, shown again (see table-routes.ts keepSelection). */
export interface KeptBulkForm {
  action: string;
  column: string;
  value: string;
  yesNo: string;
  all: boolean;
}

/**
 * The locals of views/tables/table.ejs. A page number past the end shows the last page (a filter that just
 * narrowed the rows must not leave an empty page); `selected` are rows ticked again after a refused bulk form.
 */
export function tablePageModel(
  data: TableRows,
  opts: {
    query: RowQuery;
    selected: ReadonlySet<string>;
    roleGaps: RoleGap[];
    /**
     * Whether this user's edits apply at once (false under an approval policy for those who may not bypass
     * it): the grid offers no editing in place then, only the row form's "Submit for approval".
     */
    directEdits?: boolean;
    /** The person's grid layout (columns, widths, density); the URL's hide/order win over it. */
    layout?: GridLayoutSettings;
    views?: ViewItem[];
    activeView?: { id: string; name: string } | null;
    bulkForm?: KeptBulkForm | null;
    /** The table's column formats, shown in the headers. */
    formats?: TableFormats;
  },
) {
  const { query: asked, selected, roleGaps, directEdits = true, layout = EMPTY_LAYOUT } = opts;
  // The URL (a shared view, a link) arranges the columns when it says how; else the person's layout does.
  const fromUrl = asked.hide.length > 0 || asked.order.length > 0;
  const arrangement = fromUrl ? { order: asked.order, hidden: asked.hide } : layout;
  const shown = arrangeColumns(data.columns, arrangement);
  const arranged = arrangeColumns(data.columns, { order: arrangement.order, hidden: [] });
  const widths = Object.fromEntries(shown.filter((c) => layout.widths[c]).map((c) => [c, layout.widths[c]!]));
  const matching = applyRowQuery(data.rows, asked, data.columns, data.table.schema.properties);
  const pageCount = Math.max(1, Math.ceil(matching.length / asked.pageSize));
  const page = Math.min(pageCount, asked.page);
  const query = { ...asked, page };
  return {
    title: data.table.name,
    roleGaps,
    table: data.table,
    access: data.access,
    columns: data.columns,
    /** The columns the grid shows, in order. */
    shown,
    /** Every visible column in the arranged order, for the Columns form (hidden ones unticked). */
    columnChoices: arranged.map((c, i) => ({
      name: c,
      title: data.table.schema.properties[c]?.title || c,
      shown: shown.includes(c),
      position: i + 1,
    })),
    layoutWidthsJson: JSON.stringify(widths),
    density: layout.density,
    views: opts.views ?? [],
    activeView: opts.activeView ?? null,
    bulkForm: opts.bulkForm ?? null,
    /** The page's query as URL parameters: forms send it back as `back` to return to this same page. */
    backParams: rowQueryParams(query),
    /** The search and filters (no page, no view): what "select all matching rows" and a saved view take. */
    matchFields: fieldsOf(rowQueryParams({ ...query, page: 1, view: '', hide: [], order: [] })),
    /** What the page shows, columns included as arranged now: what "Save as a view" stores. */
    viewFields: fieldsOf(
      rowQueryParams({
        ...query,
        page: 1,
        view: '',
        hide: data.columns.filter((c) => !shown.includes(c)),
        order: shown.length === data.columns.length && shown.every((c, i) => c === data.columns[i]) ? [] : arranged,
      }),
    ),
    pageLinks: pageLinks(page, pageCount),
    gridRowsHtml: gridRowsHtml(matching.slice((page - 1) * query.pageSize, page * query.pageSize).map(data.present), {
      columns: shown,
      properties: data.table.schema.properties,
      access: data.access,
      rowUrl: (r) => rowPath(data.table.id, r),
      selected,
    }),
    total: data.rows.length,
    matched: matching.length,
    page,
    pageCount,
    query,
    pageSizes: PAGE_SIZES,
    filterOps: FILTER_OPS,
    params: (overrides: Partial<RowQuery>) => rowQueryParams(query, overrides),
    headers: sortHeaders(data, shown, asked, directEdits, opts.formats),
    loadedAt: data.loadedAt,
    rowPath,
  };
}
