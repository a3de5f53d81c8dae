// The per-org road to Genesys: bounded concurrency and interactive calls ahead of bulk ones (p-queue
// priorities), a request rate a little below the org's per-token budget (request-pacer.ts, on the injected
// clock), and retries (p-retry) with capped, jittered
// back-off for 5xx, timeouts and resets. A 429 pauses the whole org queue for Retry-After before anything
// else is sent, and does not use up the retry budget (it is bounded by time instead).
// 400/401/403/404/409 are never retried. A wait longer than what is left of the call's budget (a throttled login
// can ask for a minute) is not waited out: the call fails at once, saying how long Genesys asked to wait.
import PQueue from 'p-queue';
import pRetry from 'p-retry';
import { systemClock, realSleep, type Clock, type Sleep } from '../lib/clock.js';
import { GenesysRateLimitedError, GenesysUnavailableError, isRetryable } from './errors.js';
import { RequestPacer } from './request-pacer.js';

export type CallMode = 'interactive' | 'background';

export interface RetryBudget {
  retries: number;
  maxRetryTimeMs: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/** Interactive edits must answer a person quickly; background jobs can wait out an outage. */
export const RETRY_BUDGETS: Record<CallMode, RetryBudget> = {
  interactive: { retries: 2, maxRetryTimeMs: 8_000, minTimeoutMs: 200, maxTimeoutMs: 2_000 },
  background: { retries: 10, maxRetryTimeMs: 10 * 60_000, minTimeoutMs: 1_000, maxTimeoutMs: 30_000 },
};

const PRIORITY: Record<CallMode, number> = { interactive: 10, background: 0 };
/** Stay this far under the budget: timers jitter, and Genesys counts a few requests we do not (logins). */
const BUDGET_SHARE = 0.95;

export interface QueueStats {
  started: number;
  rateLimited: number;
  retried: number;
  pausedMs: number;
}

export interface RequestQueueOptions {
  requestsPerMinute: number;
  concurrency: number;
  budgets?: Partial<Record<CallMode, Partial<RetryBudget>>>;
  /** Time and waiting for rate-limit pauses (tests move a manual clock instead of sleeping). */
  clock?: Clock;
  sleep?: Sleep;
}

export class OrgRequestQueue {
  readonly stats: QueueStats = { started: 0, rateLimited: 0, retried: 0, pausedMs: 0 };
  private readonly queue: PQueue;
  private readonly pacer: RequestPacer;
  private pausedUntil = 0;
  /** Bumped by every pause and by close(): a wake-up from an older pause does not restart the queue. */
  private pauseGeneration = 0;
  private readonly budgets: Record<CallMode, RetryBudget>;
  private readonly clock: Clock;
  private readonly sleep: Sleep;

  constructor(opts: RequestQueueOptions) {
    const perMinute = Math.max(1, Math.floor(opts.requestsPerMinute * BUDGET_SHARE));
    this.queue = new PQueue({ concurrency: opts.concurrency });
    this.clock = opts.clock ?? systemClock;
    this.sleep = opts.sleep ?? realSleep;
    this.pacer = new RequestPacer(this.clock, Math.ceil(60_000 / perMinute));
    this.budgets = {
      interactive: { ...RETRY_BUDGETS.interactive, ...opts.budgets?.interactive },
      background: { ...RETRY_BUDGETS.background, ...opts.budgets?.background },
    };
  }

  get size(): number {
    return this.queue.size + this.queue.pending;
  }

  /** Pauses the queue until `seconds` from now (a 429 said so); later pauses extend, never shorten. */
  pause(seconds: number): void {
    const now = this.clock.now();
    const until = now + seconds * 1000;
    if (until <= this.pausedUntil) return;
    this.stats.pausedMs += until - Math.max(this.pausedUntil, now);
    this.pausedUntil = until;
    this.queue.pause();
    const generation = ++this.pauseGeneration;
    void this.sleep(until - now).then(() => {
      if (generation === this.pauseGeneration) this.queue.start();
    });
  }

  private async waitUntil(at: number): Promise<void> {
    const wait = at - this.clock.now();
    if (wait > 0) await this.sleep(wait);
  }

  private async waitWhilePaused(): Promise<void> {
    const wait = this.pausedUntil - this.clock.now();
    if (wait > 0) await this.sleep(wait);
  }

  /**
   * A rate-limit wait that does not fit in what is left of the call's budget: the call stops now with a message
   * that says how long Genesys asked to wait, instead of holding a person (or a job) past its budget.
   */
  private overBudget(
    error: GenesysRateLimitedError,
    mode: CallMode,
    startedAt: number,
  ): GenesysRateLimitedError | undefined {
    const left = this.budgets[mode].maxRetryTimeMs - (this.clock.now() - startedAt);
    if (error.retryAfterSeconds * 1000 <= left) return undefined;
    const waiting =
      mode === 'interactive' ? 'longer than this page waits' : "longer than a background job's retry budget";
    const tooLong = new GenesysRateLimitedError(
      `${error.message.replace(/\.$/, '')} — ${waiting}. Nothing was changed by this request; try again in ${error.retryAfterSeconds} seconds.`,
      error.retryAfterSeconds,
    );
    tooLong.correlationId = error.correlationId;
    tooLong.genesysCode = error.genesysCode;
    return tooLong;
  }

  /** Runs `task` through the queue with the retry budget of `mode`. */
  run<T>(
    task: () => Promise<T>,
    mode: CallMode = 'interactive',
    opts: { retryUnknownOutcome?: boolean } = {},
  ): Promise<T> {
    const budget = this.budgets[mode];
    const startedAt = this.clock.now();
    return pRetry(
      () =>
        this.queue.add(
          async () => {
            await this.waitUntil(this.pacer.reserve());
            await this.waitWhilePaused(); // taken from the queue just before (or while waiting for its slot) a pause began
            this.stats.started++;
            return task();
          },
          { priority: PRIORITY[mode] },
        ) as Promise<T>,
      {
        retries: budget.retries,
        minTimeout: budget.minTimeoutMs,
        maxTimeout: budget.maxTimeoutMs,
        factor: 2,
        randomize: true,
        maxRetryTime: budget.maxRetryTimeMs,
        onFailedAttempt: ({ error }) => {
          if (error instanceof GenesysRateLimitedError) {
            this.stats.rateLimited++;
            this.pause(error.retryAfterSeconds);
            const tooLong = this.overBudget(error, mode, startedAt);
            if (tooLong) throw tooLong;
          }
        },
        shouldConsumeRetry: ({ error }) => !(error instanceof GenesysRateLimitedError),
        shouldRetry: ({ error }) => {
          if (!isRetryable(error)) return false;
          // A write that may have reached Genesys is only repeated when the caller made it safe to.
          if (error instanceof GenesysUnavailableError && error.mayHaveApplied && !opts.retryUnknownOutcome)
            return false;
          this.stats.retried++;
          return true;
        },
      },
    );
  }

  /** Drops queued work and timers (org removed or app stopping). */
  close(): void {
    this.pauseGeneration++;
    this.queue.clear();
  }
}
