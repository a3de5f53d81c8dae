// The pace of one org's requests: one start every `intervalMs`, measured on the injected clock. p-queue can
// space tasks too, but only on the machine's own timers, so a test could check the spacing only by timing
// the machine (flaky on a busy one). Here each request reserves its start time in the order it leaves the
// queue and waits for it through the queue's Sleep: a test moves a manual clock and reads the times.
import type { Clock } from '../lib/clock.js';

export class RequestPacer {
  private next = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    readonly intervalMs: number,
  ) {}

  /** Reserves the next start: now, or one interval after the previous start if that is later. */
  reserve(): number {
    const at = Math.max(this.clock.now(), this.next);
    this.next = at + this.intervalMs;
    return at;
  }
}
