// The per-org road to Genesys: bounded concurrency, a request rate a little below the org's per-token budget
// (p-queue), interactive calls ahead of bulk ones (priorities), and retries (p-retry) with capped, jittered
// back-off for 5xx, timeouts and resets. A 429 pauses the whole org queue for Retry-After before anything
// else is sent, and does not use up the retry budget (it is bounded by time instead).
// 400/401/403/404/409 are never retried.
import PQueue from 'p-queue';
import pRetry from 'p-retry';
import { GenesysRateLimitedError, GenesysUnavailableError, isRetryable } from './errors.js';

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
}

export class OrgRequestQueue {
  readonly stats: QueueStats = { started: 0, rateLimited: 0, retried: 0, pausedMs: 0 };
  private readonly queue: PQueue;
  private pausedUntil = 0;
  private resumeTimer?: NodeJS.Timeout;
  private readonly budgets: Record<CallMode, RetryBudget>;

  constructor(opts: RequestQueueOptions) {
    const perMinute = Math.max(1, Math.floor(opts.requestsPerMinute * BUDGET_SHARE));
    this.queue = new PQueue({ concurrency: opts.concurrency, interval: Math.ceil(60_000 / perMinute), intervalCap: 1, carryoverIntervalCount: true });
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
    const until = Date.now() + seconds * 1000;
    if (until <= this.pausedUntil) return;
    this.stats.pausedMs += until - Math.max(this.pausedUntil, Date.now());
    this.pausedUntil = until;
    this.queue.pause();
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => this.queue.start(), until - Date.now());
    this.resumeTimer.unref?.();
  }

  private async waitWhilePaused(): Promise<void> {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** Runs `task` through the queue with the retry budget of `mode`. */
  run<T>(task: () => Promise<T>, mode: CallMode = 'interactive', opts: { retryUnknownOutcome?: boolean } = {}): Promise<T> {
    const budget = this.budgets[mode];
    return pRetry(
      () =>
        this.queue.add(
          async () => {
            await this.waitWhilePaused(); // taken from the queue just before a pause began
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
          }
        },
        shouldConsumeRetry: ({ error }) => !(error instanceof GenesysRateLimitedError),
        shouldRetry: ({ error }) => {
          if (!isRetryable(error)) return false;
          // A write that may have reached Genesys is only repeated when the caller made it safe to.
          if (error instanceof GenesysUnavailableError && error.mayHaveApplied && !opts.retryUnknownOutcome) return false;
          this.stats.retried++;
          return true;
        },
      },
    );
  }

  /** Drops queued work and timers (org removed or app stopping). */
  close(): void {
    clearTimeout(this.resumeTimer);
    this.queue.clear();
  }
}
