// The one way tests wait for something that happens in the background (a job page saying "Done", a backup row,
// a log line): ask again, a little less often each time, until the answer is there. Bounded in both tries and
// time, and on giving up it says what it waited for and what it saw last, instead of letting a later assertion
// fail on a half-finished state. Never a fixed sleep: a fast machine waits only as long as the work takes.
// Waits measured in the app's own time (session expiry, throttling windows, schedules) move the test's
// ManualClock instead; this helper is for work that really runs on its own (jobs, timers, child processes).

export interface EventuallyOptions {
  /** Give up after this long (default 15 s; below the integration tests' 30 s timeout). */
  timeoutMs?: number;
  /** Give up after this many tries (default 400). */
  tries?: number;
  /** First pause between tries; it grows by half each time up to `maxIntervalMs` (defaults 5 ms and 100 ms). */
  intervalMs?: number;
  maxIntervalMs?: number;
}

/** Thrown by a probe to stop waiting at once: what it waits for can no longer happen (e.g. the process exited). */
export class StopWaiting extends Error {}

/** A probe's answer that means "not yet". */
type NotYet = null | undefined | false;

/**
 * Calls `probe` until it answers something other than null, undefined or false, and returns that answer. A probe
 * that throws is "not yet" too (e.g. an assertion inside it); the last error is reported if time runs out. A
 * StopWaiting error ends the wait at once and is thrown as it is.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | NotYet | Promise<T | NotYet>,
  options: EventuallyOptions = {},
): Promise<T> {
  const { timeoutMs = 15_000, tries = 400, intervalMs = 5, maxIntervalMs = 100 } = options;
  const deadline = performance.now() + timeoutMs;
  let pause = intervalMs;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await probe();
      if (answer !== null && answer !== undefined && answer !== false) return answer;
      last = answer;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      last = error;
    }
    const left = deadline - performance.now();
    if (attempt >= tries || left <= 0) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(
        `gave up waiting for ${what} after ${attempt} tries in ${Math.round(timeoutMs - left)} ms (last: ${seen})`,
        { cause: last },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    pause = Math.min(maxIntervalMs, pause * 1.5);
  }
}

/** Fetches the page at `url` until `ready` holds for its text (a job page saying it is done), and returns it. */
export async function pageOnceReady(
  agent: { get(url: string): PromiseLike<{ status: number; text: string }> },
  url: string,
  what: string,
  ready: (text: string) => boolean,
  options?: EventuallyOptions,
): Promise<string> {
  return eventually(
    what,
    async () => {
      const { status, text } = await agent.get(url);
      if (ready(text)) return text;
      const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/
        .exec(text)?.[1]
        ?.replace(/<[^>]+>/g, '')
        .trim();
      throw new Error(`${url} answered ${status}${heading ? ` "${heading}"` : ''}`);
    },
    options,
  );
}
