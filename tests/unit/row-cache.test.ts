import { describe, expect, it } from 'vitest';
import { RowCache } from '../../src/genesys/row-cache.js';
import { ManualClock } from '../../src/lib/clock.js';

describe('RowCache', () => {
  it('loads once, serves from memory, follows the app\'s writes, refreshes on demand and when stale', async () => {
    const clock = new ManualClock(0);
    const cache = new RowCache({ maxAgeMs: 60_000, clock });
    let loads = 0;
    const load = async () => {
      loads++;
      return [{ key: 'a', n: loads }, { key: 'b', n: loads }];
    };
    const [x, y] = await Promise.all([cache.get('o', 't', load), cache.get('o', 't', load)]);
    expect(loads).toBe(1);
    expect(x.rows).toEqual(y.rows);
    cache.upsert('o', 't', { key: 'c', n: 0 });
    cache.remove('o', 't', 'a');
    expect((await cache.get('o', 't', load)).rows.map((r) => r.key).sort()).toEqual(['b', 'c']);
    expect(loads).toBe(1);
    await cache.get('o', 't', load, { refresh: true });
    expect(loads).toBe(2);
    clock.advance(60_001);
    const stale = await cache.get('o', 't', load);
    expect(loads).toBe(3);
    expect(stale.loadedAt.getTime()).toBe(60_001);
    cache.invalidate('o');
    expect(cache.isCached('o', 't')).toBe(false);
  });
});
