// What the table page and the table list show, computed from what the table service returned and the parsed
// query: the matching rows of the current page (as grid HTML), the pager, the sort headers and their links.
// Pure (no request, no database, no Genesys), so every paging and sorting rule is tested without a server.
import type { DataTable, Row } from '../../genesys/gateway.js';
import type { TableAccess } from '../permissions/access.js';
import type { RoleGap } from '../orgs/readiness-service.js';
import { gridRowsHtml } from './grid-html.js';
import { applyRowQuery, FILTER_OPS, foldText, PAGE_SIZES, rowQueryParams, type RowQuery } from './row-query.js';
import type { RowRef } from './table-service.js';
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

function sortHeaders(data: TableRows, query: RowQuery, directEdits: boolean, formats?: TableFormats): SortHeader[] {
  const properties = data.table.schema.properties;
  return data.columns.map((c) => {
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
    /** The table's column formats, shown in the headers. */
    formats?: TableFormats;
  },
) {
  const { query: asked, selected, roleGaps, directEdits = true } = opts;
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
    gridRowsHtml: gridRowsHtml(matching.slice((page - 1) * query.pageSize, page * query.pageSize).map(data.present), {
      columns: data.columns,
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
    headers: sortHeaders(data, asked, directEdits, opts.formats),
    loadedAt: data.loadedAt,
    rowPath,
  };
}
