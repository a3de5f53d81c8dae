import { describe, expect, it } from 'vitest';
import { parseRowQuery } from '../../src/features/tables/row-query.js';
import { pageLinks } from '../../src/features/tables/table-page.js';
import { layoutPatch } from '../../src/features/views/view-routes.js';
import { backTo } from '../../src/features/views/table-return.js';
import {
  arrangeColumns,
  queryOfSettings,
  readLayout,
  readSettings,
  settingsOf,
} from '../../src/features/views/view-settings.js';

const visible = ['key', 'Message', 'Priority'];

describe('saved view settings', () => {
  it('are read with the opener’s visible columns: a column she may not see is dropped everywhere (R9)', () => {
    const saved = settingsOf(
      parseRowQuery(
        {
          q: 'storm',
          c0: 'Secret',
          o0: 'contains',
          v0: 'x',
          c1: 'Message',
          o1: 'notempty',
          sort: 'Secret',
          hide: 'Priority',
          order: ['Secret', 'Message', 'key'],
        },
        ['key', 'Message', 'Priority', 'Secret'],
      ),
    );
    expect(saved.filters.map((f) => f.column)).toEqual(['Secret', 'Message']);
    const opened = queryOfSettings(saved, visible, 'v1');
    expect(opened.filters).toEqual([{ column: 'Message', op: 'notempty', value: '' }]);
    expect(opened.sort).toBe('key');
    expect(opened.order).toEqual(['Message', 'key']);
    expect(opened.hide).toEqual(['Priority']);
    expect(opened.q).toBe('storm');
    expect(opened.view).toBe('v1');
  });

  it('read damaged JSON as empty settings and layouts rather than failing', () => {
    expect(readSettings('{not json').filters).toEqual([]);
    expect(readLayout('[1]').density).toBe('compact');
    expect(readLayout('{"widths":{"a":5,"b":"x","c":99999}}').widths).toEqual({ a: 40, c: 1200 });
  });
});

describe('arranging columns', () => {
  it('puts the asked order first, then the rest, and leaves hidden columns out but never all', () => {
    expect(arrangeColumns(visible, { order: ['Priority', 'ghost'], hidden: ['key'] })).toEqual(['Priority', 'Message']);
    expect(arrangeColumns(visible, { order: [], hidden: visible })).toEqual(['key']);
  });
});

describe('the layout form', () => {
  it('orders by the typed positions and hides the unticked columns', () => {
    expect(
      layoutPatch({
        col: ['key', 'Message', 'Priority'],
        pos: ['3', '', '1'],
        show: ['key', 'Priority'],
        columnsForm: '1',
        density: 'comfortable',
      }),
    ).toEqual({ order: ['Priority', 'Message', 'key'], hidden: ['Message'], density: 'comfortable' });
    // Typing 1 for the last column puts it first (the changed number wins the tie).
    expect(layoutPatch({ col: ['key', 'Message', 'Priority'], pos: ['1', '2', '1'] }).order).toEqual([
      'Priority',
      'key',
      'Message',
    ]);
    expect(layoutPatch({ wcol: 'Message', w: '180' })).toEqual({ widths: { Message: 180 } });
  });

  it('returns to the same table only, keeping the page’s own parameters', () => {
    expect(backTo('t1', 'q=a&page=2&next=//evil.example')).toBe('/tables/t1?q=a&page=2');
    expect(backTo('t1', undefined)).toBe('/tables/t1');
  });
});

describe('page numbers', () => {
  it('show the first, the last and two either side of the current page', () => {
    const shown = (p: number, n: number) =>
      pageLinks(p, n).map((l) => (l ? (l.current ? `[${l.page}]` : l.page) : '…'));
    expect(shown(6, 20)).toEqual([1, '…', 4, 5, '[6]', 7, 8, '…', 20]);
    expect(shown(1, 3)).toEqual(['[1]', 2, 3]);
  });
});
