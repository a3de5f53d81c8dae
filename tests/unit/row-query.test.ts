import { describe, expect, it } from 'vitest';
import { applyRowQuery, parseRowQuery, rowQueryParams } from '../../src/features/tables/row-query.js';

const props = {
  key: { type: 'string' as const },
  name: { type: 'string' as const },
  n: { type: 'integer' as const },
  on: { type: 'boolean' as const },
  secret: { type: 'string' as const },
};
const rows = [
  { key: 'a2', name: 'Zoë', n: 10, on: true },
  { key: 'a10', name: 'Émile', n: 2, on: false },
  { key: 'b1', name: '', n: 33, on: true },
];
const visible = ['key', 'name', 'n', 'on'];

describe('row queries', () => {
  it('search is case-insensitive and folds accents', () => {
    expect(applyRowQuery(rows, parseRowQuery({ q: 'EMILE' }, visible), visible, props).map((r) => r.key)).toEqual([
      'a10',
    ]);
    expect(applyRowQuery(rows, parseRowQuery({ q: 'zoe' }, visible), visible, props).map((r) => r.key)).toEqual(['a2']);
  });

  it('sorts numbers as numbers, booleans as booleans, keys naturally', () => {
    const by = (sort: string, dir = 'asc') =>
      applyRowQuery(rows, parseRowQuery({ sort, dir }, visible), visible, props).map((r) => r.key);
    expect(by('n')).toEqual(['a10', 'a2', 'b1']);
    expect(by('n', 'desc')).toEqual(['b1', 'a2', 'a10']);
    expect(by('on')).toEqual(['a10', 'a2', 'b1']);
    expect(by('key')).toEqual(['a2', 'a10', 'b1']);
  });

  it('filters: contains, equals, empty, not empty, true/false, number ranges', () => {
    const keys = (q: Record<string, string>) =>
      applyRowQuery(rows, parseRowQuery(q, visible), visible, props).map((r) => r.key);
    expect(keys({ c0: 'name', o0: 'contains', v0: 'mil' })).toEqual(['a10']);
    expect(keys({ c0: 'name', o0: 'equals', v0: 'zoe' })).toEqual(['a2']);
    expect(keys({ c0: 'name', o0: 'empty' })).toEqual(['b1']);
    expect(keys({ c0: 'name', o0: 'notempty' })).toEqual(['a2', 'a10']);
    expect(keys({ c0: 'on', o0: 'false' })).toEqual(['a10']);
    expect(keys({ c0: 'n', o0: 'gte', v0: '10', c1: 'n', o1: 'lte', v1: '33' })).toEqual(['a2', 'b1']);
    expect(keys({ c0: 'n', o0: 'equals', v0: '33' })).toEqual(['b1']);
  });

  it('ignores hidden or unknown columns and bad values instead of failing', () => {
    const q = parseRowQuery(
      {
        c0: 'secret',
        o0: 'equals',
        v0: 'x',
        sort: 'secret',
        pageSize: '999',
        page: '-3',
        o1: 'drop',
        hide: ['secret', 'name'],
        order: ['secret', 'n', 'n'],
        view: '../x',
      },
      visible,
    );
    expect(q).toEqual({
      q: '',
      filters: [],
      sort: 'key',
      dir: 'asc',
      page: 1,
      pageSize: 50,
      hide: ['name'],
      order: ['n'],
      view: '',
    });
  });

  it('round-trips through the URL', () => {
    const q = parseRowQuery(
      { q: 'x', c0: 'n', o0: 'gte', v0: '3', sort: 'n', dir: 'desc', pageSize: '100', page: '2' },
      visible,
    );
    expect(parseRowQuery(Object.fromEntries(new URLSearchParams(rowQueryParams(q))), visible)).toEqual(q);
  });
});
