// Time source injected everywhere timeouts matter, so tests can move time instead of sleeping.
import { readFileSync } from 'node:fs';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Real time plus an offset read from a file (browser tests of a spawned server: they move its time forward,
 * past a schedule's start or a session's end, by writing `{"offsetMs": n}`). Read at most every 50 ms, so
 * the many calls of one request cost nothing. Only with NODE_ENV=test (config.ts).
 */
export function fileOffsetClock(file: string): Clock {
  let offset = 0;
  let readAt = -Infinity;
  return {
    now() {
      const real = Date.now();
      if (real - readAt > 50) {
        readAt = real;
        try {
          offset = Number((JSON.parse(readFileSync(file, 'utf8')) as { offsetMs?: unknown }).offsetMs) || 0;
        } catch {
          offset = 0; // no file yet: real time
        }
      }
      return real + offset;
    },
  };
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.now()) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Waiting, injected beside the clock: tests pass one that moves a ManualClock instead of sleeping. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A Sleep that moves `clock` by `ms` at once (and lets other callbacks run), for tests. */
export const sleepOn =
  (clock: ManualClock): Sleep =>
  async (ms) => {
    clock.advance(Math.max(0, ms));
    await new Promise((resolve) => setImmediate(resolve));
  };
