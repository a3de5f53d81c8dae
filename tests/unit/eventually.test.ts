// The one waiting helper of the tests: it returns the first real answer, and it is bounded in tries and time.
import { describe, expect, it } from 'vitest';
import { eventually, StopWaiting } from '../helpers/eventually.js';

describe('eventually', () => {
  it('returns the first answer that is not null, undefined or false, retrying thrown errors', async () => {
    const answers = [null, undefined, false, 'boom', 0, 'done'];
    let calls = 0;
    const probe = () => {
      const answer = answers[calls++];
      if (answer === 'boom') throw new Error('not yet');
      return answer;
    };
    expect(await eventually('the answer', probe, { intervalMs: 1 })).toBe(0); // 0 and '' are answers
    expect(calls).toBe(5);
  });

  it('gives up after the tries it is allowed, naming what it waited for and the last error', async () => {
    let calls = 0;
    const failing = eventually(
      'the moon',
      () => {
        calls++;
        throw new Error('still dark');
      },
      { tries: 4, intervalMs: 1 },
    );
    await expect(failing).rejects.toThrow(/gave up waiting for the moon after 4 tries .*still dark/);
    expect(calls).toBe(4);
  });

  it('gives up when its time is up, however many tries are left', async () => {
    const started = performance.now();
    await expect(eventually('nothing', () => null, { timeoutMs: 60, tries: 1_000_000 })).rejects.toThrow(
      /gave up waiting for nothing/,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('stops at once on StopWaiting', async () => {
    let calls = 0;
    const stopped = eventually('a dead process', () => {
      calls++;
      throw new StopWaiting('it exited');
    });
    await expect(stopped).rejects.toBeInstanceOf(StopWaiting);
    expect(calls).toBe(1);
  });
});
