import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/genesys/gateway.js';
import { parseRowQuery } from '../../src/features/tables/row-query.js';
import { rowPath, tablePageModel, tablesMatching, type TableRows } from '../../src/features/tables/table-page.js';

const access = {
  canView: true,
  canEdit: true,
  canAdd: true,
  canDelete: true,
  canApprove: false,
  canRunPlaybooks: false,
  readOnlyReason: null,
  columns: { key: 'write', name: 'write', n: 'read', secret: 'hidden' },
} as const;
const columns = ['key', 'name', 'n'];

/** 120 rows k001…k120 with a hidden column, presented as the table service does (visible columns only). */
function tableRows(over: Partial<TableRows> = {}): TableRows {
  const rows: Row[] = Array.from({ length: 120 }, (_, i) => ({
    key: `k${String(i + 1).padStart(3, '0')}`,
    name: i % 2 ? 'odd' : 'even',
    n: i,
    secret: `HIDDEN-${i}`,
  }));
  return {
    table: {
      id: 'tbl 1',
      name: 'Flags',
      description: '',
      division: { id: 'd', name: 'Home' },
      schema: {
        properties: {
          key: { type: 'string', title: 'Key' },
          name: { type: 'string' },
          n: { type: 'integer', title: 'Number' },
          secret: { type: 'string' },
        },
      },
    },
    access: { ...access, columns: { ...access.columns } },
    columns,
    rows,
    present: (row) => ({
      ref: String(row.key),
      values: Object.fromEntries(columns.map((c) => [c, row[c]!])),
      fixed: false,
    }),
    loadedAt: new Date(0),
    ...over,
  } as TableRows;
}

const model = (query: Record<string, string>, data = tableRows(), selected: string[] = []) =>
  tablePageModel(data, { query: parseRowQuery(query, data.columns), selected: new Set(selected), roleGaps: [] });

describe('table page view model', () => {
  it('shows one page of the matching rows, with totals and the page count', () => {
    const m = model({ pageSize: '25', page: '2' });
    expect(m).toMatchObject({ title: 'Flags', total: 120, matched: 120, page: 2, pageCount: 5 });
    expect(m.gridRowsHtml).toContain('k026');
    expect(m.gridRowsHtml).toContain('k050');
    expect(m.gridRowsHtml).not.toContain('k025');
    expect(m.gridRowsHtml).not.toContain('k051');
  });

  it('shows the last page for a page number past the end, and keeps that page in its links', () => {
    const m = model({ pageSize: '25', page: '99', c0: 'name', o0: 'equals', v0: 'odd' });
    expect(m).toMatchObject({ matched: 60, pageCount: 3, page: 3 });
    expect(m.query.page).toBe(3);
    expect(m.params({})).toContain('page=3');
    expect(m.params({ page: 1 })).not.toContain('page=3');
  });

  it('has one page even when nothing matches', () => {
    expect(model({ q: 'nothing like this' })).toMatchObject({ matched: 0, page: 1, pageCount: 1 });
  });

  it('never shows a hidden column, not even in the grid', () => {
    const m = model({ pageSize: '250' });
    expect(m.headers.map((h) => h.name)).toEqual(columns);
    expect(m.gridRowsHtml).not.toContain('HIDDEN-');
  });

  it('sort headers: the sorted column says so and reverses on a second click; others sort ascending from page 1', () => {
    const m = model({ sort: 'n', dir: 'asc', page: '2' });
    const [key, name, n] = m.headers;
    expect(n).toMatchObject({ title: 'Number', type: 'integer', ariaSort: 'ascending', arrow: ' ▲' });
    expect(n!.href).toContain('sort=n');
    expect(n!.href).toContain('dir=desc');
    expect(key).toMatchObject({ title: 'Key', ariaSort: null, arrow: '' });
    expect(key!.href).toBe('?sort=key'); // ascending is the default, left out of the link
    expect(name!.title).toBe('name'); // no title in the schema: the column's name
    for (const h of m.headers) expect(h.href).not.toContain('page=2');
    expect(model({ sort: 'n', dir: 'desc' }).headers[2]).toMatchObject({ ariaSort: 'descending', arrow: ' ▼' });
  });

  it('marks only columns the user may write as editable in place, never the key, and none without the edit right', () => {
    expect(model({}).headers.map((h) => h.writable)).toEqual([false, true, false]);
    const readOnly = tableRows({ access: { ...access, canEdit: false, columns: { ...access.columns } } });
    expect(model({}, readOnly).headers.map((h) => h.writable)).toEqual([false, false, false]);
  });

  it('offers no editing in place when the table needs approval for this user (the row form submits a request)', () => {
    const data = tableRows();
    const m = tablePageModel(data, {
      query: parseRowQuery({}, data.columns),
      selected: new Set(),
      roleGaps: [],
      directEdits: false,
    });
    expect(m.headers.map((h) => h.writable)).toEqual([false, false, false]);
  });

  it('ticks rows kept from a refused bulk form, and links rows under the table', () => {
    const m = model({ pageSize: '25' }, tableRows(), ['k003']);
    expect(m.gridRowsHtml).toMatch(/value="k003"[^>]*checked/);
    expect(m.gridRowsHtml).not.toMatch(/value="k004"[^>]*checked/);
    expect(m.gridRowsHtml).toContain(rowPath('tbl 1', 'k003'));
    expect(rowPath('tbl 1', 'a/b')).toBe('/tables/tbl%201/rows/a%2Fb');
  });
});

describe('table list', () => {
  const list = [
    { table: { name: 'Öffnungszeiten', description: 'Opening hours' } },
    { table: { name: 'Queues', description: 'Routing' } },
  ];
  it('finds tables by name or description, ignoring accents and case; an empty search keeps all', () => {
    expect(tablesMatching(list, 'offnung').map((t) => t.table.name)).toEqual(['Öffnungszeiten']);
    expect(tablesMatching(list, 'ROUTING').map((t) => t.table.name)).toEqual(['Queues']);
    expect(tablesMatching(list, '')).toHaveLength(2);
  });
});
