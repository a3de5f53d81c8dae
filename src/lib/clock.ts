// Time source injected everywhere timeouts matter, so tests can move time instead of sleeping.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

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
