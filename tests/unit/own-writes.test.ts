// The gateway's memory of its own writes (own-writes.ts) on its own: what a read is answered with, by meaning,
// and its bounds in time and size.
import { describe, expect, it } from 'vitest';
import { OwnWrites } from '../../src/genesys/own-writes.js';
import { ManualClock } from '../../src/lib/clock.js';

const row = (Message: string, Priority = 1) => ({ key: 'k', Message, Priority });

describe('OwnWrites', () => {
  it('answers a stale read with the written row, by meaning, and forgets it once a read shows it', () => {
    const clock = new ManualClock(0);
    const own = new OwnWrites(clock, 30_000);
    own.noteRead('t', 'k', row('before'));
    own.note('t', 'k', row('ours', 2));
    expect(own.resolveRow('t', 'k', row('before'))).toEqual({ value: row('ours', 2), settled: true });
    expect(own.resolveTable('t', [row('before')]).value).toEqual([row('ours', 2)]);
    // Genesys trimmed and answered 2.0: that is the write showing, so it is forgotten.
    expect(own.resolveRow('t', 'k', { key: 'k', Message: 'ours  ', Priority: 2.0 }).value).toEqual({
      key: 'k',
      Message: 'ours  ',
      Priority: 2,
    });
    expect(own.waitingIn('t')).toBe(false);
  });

  it("returns someone else's later values as they are, and waits for a row's existence", () => {
    const clock = new ManualClock(0);
    const own = new OwnWrites(clock, 30_000);
    own.noteRead('t', 'k', row('before'));
    own.note('t', 'k', row('ours'));
    expect(own.resolveRow('t', 'k', row('theirs')).value).toEqual(row('theirs'));
    own.note('t', 'new', { key: 'new' }, { absentBefore: true });
    expect(own.resolveRow('t', 'new', null).settled).toBe(false);
  });

  it('takes the newest state a table read showed as what its next write replaces, not an older single read', () => {
    const clock = new ManualClock(0);
    const own = new OwnWrites(clock, 30_000);
    own.noteRead('t', 'k', row('A')); // read alone long ago
    own.noteTableRead('t', [row('B')]); // someone changed it since; only a table read showed that
    own.note('t', 'k', row('C'));
    // Genesys still shows B for a while: that is our write not showing yet, not someone else's newer change.
    expect(own.resolveRow('t', 'k', row('B')).value).toEqual(row('C'));
  });

  it('shows the row as Genesys does once a write of ours has an unknown outcome', () => {
    const clock = new ManualClock(0);
    const own = new OwnWrites(clock, 30_000);
    own.note('t', 'k', row('ours'));
    own.unsure('t', 'k'); // a later PUT's answer was lost: it may have written something newer
    expect(own.resolveRow('t', 'k', row('maybe newer')).value).toEqual(row('maybe newer'));
  });

  it('forgets a write after the window, and holds at most 20,000 rows', () => {
    const clock = new ManualClock(0);
    const own = new OwnWrites(clock, 30_000);
    own.note('t', 'k', row('ours'));
    clock.advance(30_001);
    expect(own.resolveRow('t', 'k', row('before')).value).toEqual(row('before'));
    for (let i = 0; i < 20_001; i++) own.note('big', `r${i}`, { key: `r${i}`, Message: 'ours' });
    expect(own.resolveRow('big', 'r0', { key: 'r0', Message: 'old' }).value).toEqual({ key: 'r0', Message: 'old' }); // the oldest dropped
    expect(own.resolveRow('big', 'r1', { key: 'r1', Message: 'old' }).value).toEqual({ key: 'r1', Message: 'ours' });
  });
});
