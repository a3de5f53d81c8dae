import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/emulator/faults.js';
import { TokenRateLimiter } from '../../src/emulator/rate-limiter.js';

describe('FaultInjector', () => {
  it('matches * within a segment and ** across segments', () => {
    const f = new FaultInjector();
    f.set([
      { path: '/api/v2/flows/datatables/*/rows', times: Infinity, action: { type: 'reset' } },
      { path: '/api/**/jobs', times: Infinity, action: { type: 'hang' } },
    ]);
    expect(f.match('GET', '/api/v2/flows/datatables/t1/rows', undefined)).toEqual({ type: 'reset' });
    expect(f.match('GET', '/api/v2/flows/datatables/t1/rows/k', undefined)).toBeUndefined();
    expect(f.match('POST', '/api/v2/flows/datatables/t1/export/jobs', undefined)).toEqual({ type: 'hang' });
  });

  it('fires on the nth match, `times` times', () => {
    const f = new FaultInjector();
    f.set([{ method: 'PUT', nth: 2, times: 2, action: { type: 'status', status: 500 } }]);
    const fired = [1, 2, 3, 4].map(() => f.match('PUT', '/x', undefined)?.type ?? null);
    expect(fired).toEqual([null, 'status', 'status', null]);
    expect(f.match('GET', '/x', undefined)).toBeUndefined();
  });
});

describe('TokenRateLimiter', () => {
  it('allows N per minute per token and reports whole seconds to wait', () => {
    let now = 0;
    const l = new TokenRateLimiter(3, () => now);
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([0, 0, 0]);
    now = 20_500;
    expect(l.take('a')).toBe(40);
    expect(l.take('b')).toBe(0);
    now = 60_000;
    expect(l.take('a')).toBe(0);
  });
});
