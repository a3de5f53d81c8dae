import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/genesys/gateway.js';
import { RowCache } from '../../src/genesys/row-cache.js';
import { ManualClock } from '../../src/lib/clock.js';

/** A stand-in for Genesys: counts reads; `hold()` keeps the next read in flight until released. */
function fakeGenesys() {
  let reads = 0;
  let gate: Promise<void> | null = null;
  let rows: Row[] = [{ key: 'a' }, { key: 'b' }];
  return {
    reads: () => reads,
    setRows: (next: Row[]) => (rows = next),
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
    readRows: async () => {
      reads++;
      const answer = rows.map((r) => ({ ...r, n: reads }));
      if (gate) await gate;
      return answer;
    },
  };
}

describe('RowCache', () => {
  it("loads once, serves from memory, follows the app's writes, refreshes on demand and when stale", async () => {
    const clock = new ManualClock(0);
    const genesys = fakeGenesys();
    const cache = new RowCache({ maxAgeMs: 60_000, clock, readRows: genesys.readRows });
    const [x, y] = await Promise.all([cache.get('o', 't'), cache.get('o', 't')]);
    expect(genesys.reads()).toBe(1);
    expect(x.rows).toEqual(y.rows);
    cache.upsert('o', 't', { key: 'c', n: 0 });
    cache.remove('o', 't', 'a');
    expect((await cache.get('o', 't')).rows.map((r) => r.key).sort()).toEqual(['b', 'c']);
    expect(genesys.reads()).toBe(1);
    await cache.get('o', 't', { refresh: true });
    expect(genesys.reads()).toBe(2);
    clock.advance(60_001);
    const stale = await cache.get('o', 't');
    expect(genesys.reads()).toBe(3);
    expect(stale.loadedAt.getTime()).toBe(60_001);
    cache.invalidate('o');
    expect(cache.peek('o', 't')).toBeUndefined();
  });

  it('peek gives fresh rows only, and never reads or stores anything', async () => {
    const clock = new ManualClock(0);
    const genesys = fakeGenesys();
    const cache = new RowCache({ maxAgeMs: 60_000, clock, readRows: genesys.readRows });
    expect(cache.peek('o', 't')).toBeUndefined();
    await cache.get('o', 't');
    expect(cache.peek('o', 't')?.rows).toHaveLength(2);
    clock.advance(60_000);
    expect(cache.peek('o', 't')).toBeUndefined(); // stale: not a count, not a table
    expect(genesys.reads()).toBe(1);
    // After going stale the next reader gets Genesys' rows, not an empty table.
    expect((await cache.get('o', 't')).rows.map((r) => r.key)).toEqual(['a', 'b']);
    expect(genesys.reads()).toBe(2);
  });

  it('honours loadedSince: older rows, or a load in flight that started earlier, are read again', async () => {
    const clock = new ManualClock(0);
    const genesys = fakeGenesys();
    const cache = new RowCache({ maxAgeMs: 60_000, clock, readRows: genesys.readRows });
    await cache.get('o', 't');
    clock.advance(1_000);
    expect((await cache.get('o', 't', { loadedSince: 0 })).rows[0]!.n).toBe(1);
    const release = genesys.hold();
    const early = cache.get('o', 't', { refresh: true }); // read 2 starts at t=1000 and waits
    clock.advance(1_000);
    release();
    const late = cache.get('o', 't', { loadedSince: 2_000 }); // must not join read 2
    expect((await early).rows[0]!.n).toBe(2);
    expect((await late).rows[0]!.n).toBe(3);
    expect((await late).loadedAt.getTime()).toBe(2_000);
  });

  it('does not keep a load that a change or invalidation overtook', async () => {
    const clock = new ManualClock(0);
    const genesys = fakeGenesys();
    const cache = new RowCache({ maxAgeMs: 60_000, clock, readRows: genesys.readRows });
    const release = genesys.hold();
    const inFlight = cache.get('o', 't');
    cache.invalidate('o', 't'); // e.g. a CSV import replaced rows while the read was under way
    genesys.setRows([{ key: 'after-import' }]);
    const next = cache.get('o', 't'); // a new read, not the one in flight
    release();
    expect((await inFlight).rows.map((r) => r.key)).toEqual(['a', 'b']);
    expect((await next).rows.map((r) => r.key)).toEqual(['after-import']);
    expect(cache.peek('o', 't')?.rows.map((r) => r.key)).toEqual(['after-import']);

    const hold = genesys.hold();
    const racing = cache.get('o', 'u');
    cache.upsert('o', 'u', { key: 'written-meanwhile' });
    hold();
    await racing;
    expect(cache.peek('o', 'u')).toBeUndefined(); // the read may predate the write: not kept as fresh
  });
});
