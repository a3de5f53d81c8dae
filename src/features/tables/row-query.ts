// What a table page shows: search, per-column filters, sort, page size and page, the columns left out and
// their order, and the saved view it came from, all carried in the URL (shareable, the back button works).
// Only columns the user may see can be searched, filtered, sorted, hidden or ordered: naming a column hidden
// from her matches nothing rather than revealing it (so a shared URL never grants the sharer's columns, R9).
import type { FieldSchema, Row } from '../../genesys/gateway.js';

export const PAGE_SIZES = [25, 50, 100, 250] as const;
export const FILTER_OPS = ['contains', 'equals', 'empty', 'notempty', 'true', 'false', 'gte', 'lte'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export const MAX_FILTERS = 5;

export interface Filter {
  column: string;
  op: FilterOp;
  value: string;
}

export interface RowQuery {
  q: string;
  filters: Filter[];
  sort: string;
  dir: 'asc' | 'desc';
  page: number;
  pageSize: number;
  /** Columns this page leaves out (none: the person's grid layout decides). */
  hide: string[];
  /** Column order this page asks for (empty: the person's grid layout, else the table's order). */
  order: string[];
  /** The saved view the page shows ('' none chosen; 'none': explicitly none, so no default view applies). */
  view: string;
}

/** A saved view's id as it may appear in a URL (ids are UUIDs; anything else is ignored). */
const VIEW_ID = /^(none|[0-9a-f-]{36})$/;
/** At most this many names in a `hide`/`order` list (a table has at most a few hundred columns). */
const MAX_LISTED_COLUMNS = 500;

export function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/** A repeated parameter as a list of the visible columns it names, each once, in the order given. */
export function columnList(v: unknown, visible: readonly string[]): string[] {
  const given = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
  const known = new Set(visible);
  const out: string[] = [];
  for (const c of given.slice(0, MAX_LISTED_COLUMNS)) if (known.has(c) && !out.includes(c)) out.push(c);
  return out;
}

/** Reads the query string; anything invalid falls back to the default rather than failing the page. */
export function parseRowQuery(query: Record<string, unknown>, visible: string[]): RowQuery {
  const filters: Filter[] = [];
  for (let i = 0; i < MAX_FILTERS; i++) {
    const column = str(query[`c${i}`]);
    const op = str(query[`o${i}`]) as FilterOp;
    if (!column || !visible.includes(column) || !FILTER_OPS.includes(op)) continue;
    filters.push({ column, op, value: str(query[`v${i}`]).slice(0, 200) });
  }
  const sort = visible.includes(str(query.sort))
    ? str(query.sort)
    : visible.includes('key')
      ? 'key'
      : (visible[0] ?? '');
  const size = Number(str(query.pageSize));
  return {
    q: str(query.q).trim().slice(0, 200),
    filters,
    sort,
    dir: str(query.dir) === 'desc' ? 'desc' : 'asc',
    page: Math.max(1, Number.parseInt(str(query.page), 10) || 1),
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : 50,
    hide: columnList(query.hide, visible),
    order: columnList(query.order, visible),
    view: VIEW_ID.test(str(query.view)) ? str(query.view) : '',
  };
}

/** The query as URL parameters (for links: sort headers, pager, exports). */
export function rowQueryParams(query: RowQuery, overrides: Partial<RowQuery> = {}): string {
  const merged = { ...query, ...overrides };
  const params = new URLSearchParams();
  if (merged.q) params.set('q', merged.q);
  merged.filters.forEach((f, i) => {
    params.set(`c${i}`, f.column);
    params.set(`o${i}`, f.op);
    if (f.value) params.set(`v${i}`, f.value);
  });
  if (merged.sort) params.set('sort', merged.sort);
  if (merged.dir === 'desc') params.set('dir', 'desc');
  if (merged.pageSize !== 50) params.set('pageSize', String(merged.pageSize));
  if (merged.page > 1) params.set('page', String(merged.page));
  for (const c of merged.hide) params.append('hide', c);
  for (const c of merged.order) params.append('order', c);
  if (merged.view) params.set('view', merged.view);
  return params.toString();
}

/** A filter as a predicate, with its value parsed once rather than once per row. */
function predicate(f: Filter, prop: FieldSchema | undefined): (row: Row) => boolean {
  const c = f.column;
  const folded = foldText(f.value);
  const trimmed = f.value.trim();
  const number = trimmed === '' ? Number.NaN : Number(trimmed);
  const text = (row: Row) => (row[c] === undefined ? '' : String(row[c]));
  switch (f.op) {
    case 'contains':
      return (row) => foldText(text(row)).includes(folded);
    case 'equals':
      return prop?.type === 'string' || prop === undefined
        ? (row) => foldText(text(row)) === folded
        : (row) => text(row) === trimmed || row[c] === number;
    case 'empty':
      return (row) => text(row) === '';
    case 'notempty':
      return (row) => text(row) !== '';
    case 'true':
      return (row) => row[c] === true;
    case 'false':
      return (row) => row[c] === false;
    case 'gte':
      return (row) => typeof row[c] === 'number' && (row[c] as number) >= number;
    case 'lte':
      return (row) => typeof row[c] === 'number' && (row[c] as number) <= number;
  }
}

function compare(a: Row[string] | undefined, b: Row[string] | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

// Folding text (NFD + lower case) is the expensive part of a search over thousands of rows. The row cache
// hands out the same array until a row changes, so the folded text of every row (per set of visible
// columns) is computed once per array and reused by every search on it.
const foldedByList = new WeakMap<readonly Row[], Map<string, string[]>>();

function searchableTexts(rows: readonly Row[], visible: string[]): string[] {
  const signature = visible.join('\u0000');
  let perList = foldedByList.get(rows);
  if (!perList) {
    perList = new Map();
    foldedByList.set(rows, perList);
  }
  let texts = perList.get(signature);
  if (!texts) {
    // Columns are joined with NUL, which a (NUL-stripped) search term cannot contain, so no match spans two cells.
    texts = rows.map((row) =>
      visible.map((c) => (row[c] === undefined ? '' : foldText(String(row[c])))).join('\u0000'),
    );
    perList.set(signature, texts);
  }
  return texts;
}

/**
 * Search, filter and sort (numbers as numbers, booleans as booleans, text with natural order). Only the
 * `visible` columns are looked at, so full rows can be passed in and projected after paging.
 */
export function applyRowQuery(
  rows: readonly Row[],
  query: RowQuery,
  visible: string[],
  properties: Record<string, FieldSchema>,
): Row[] {
  const needle = foldText(query.q).split('\u0000').join('');
  let out = rows;
  if (needle) {
    const texts = searchableTexts(rows, visible);
    out = rows.filter((_, i) => texts[i]!.includes(needle));
  }
  for (const f of query.filters) out = out.filter(predicate(f, properties[f.column]));
  const sign = query.dir === 'desc' ? -1 : 1;
  return [...out].sort((a, b) => sign * compare(a[query.sort], b[query.sort]));
}
