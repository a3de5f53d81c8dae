// Periodic work (reconciler, scheduled backups, audit retention and checkpoints, session pruning) registered in
// one place and driven by the injected clock: a tick runs every task whose time has come, so tests move a
// manual clock and call tick() instead of waiting, and the server ticks from one timer it starts and stops.
// A task never overlaps itself; a failing task is logged and tried again at its next time.
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';

export interface PeriodicTask {
  /** Names the task in logs; its failures are logged as `<name>_error`. */
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
  /** Also run at start(), not only one interval later. */
  atStart?: boolean;
}

/** Calls `fn` every `ms` until the returned function is called (the server: an unref'd setInterval). */
export type Ticker = (fn: () => void, ms: number) => () => void;

export const intervalTicker: Ticker = (fn, ms) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * How often the server looks for due tasks: every second, for the change-request scheduler (a scheduled change
 * starts within about a second of its time). A tick that finds nothing due does no work.
 */
export const TICK_MS = 1000;

interface Scheduled {
  task: PeriodicTask;
  dueAt: number;
  running: Promise<void> | null;
}

export function createPeriodicWork(deps: { clock: Clock; logger: Logger }) {
  const scheduled = new Map<string, Scheduled>();
  let stopTicker: (() => void) | null = null;

  function launch(s: Scheduled): Promise<void> {
    s.dueAt = deps.clock.now() + s.task.everyMs;
    const run = s.task
      .run()
      .then(
        () => undefined,
        (err: unknown) =>
          void deps.logger.warn(`${s.task.name} failed`, {
            event: `${s.task.name}_error`,
            reason: (err as Error).message,
          }),
      )
      .finally(() => {
        s.running = null;
      });
    s.running = run;
    return run;
  }

  return {
    every(task: PeriodicTask): void {
      if (scheduled.has(task.name)) throw new Error(`Periodic task “${task.name}” is registered twice.`);
      scheduled.set(task.name, { task, dueAt: deps.clock.now() + task.everyMs, running: null });
    },

    /** Runs every task due by the clock (not one still running); resolves when those runs end. */
    async tick(): Promise<void> {
      const now = deps.clock.now();
      await Promise.all([...scheduled.values()].filter((s) => !s.running && s.dueAt <= now).map(launch));
    },

    /** Runs the start-up tasks and ticks every `tickMs` from then on. */
    start(ticker: Ticker = intervalTicker, tickMs = TICK_MS): void {
      if (stopTicker) return;
      for (const s of scheduled.values()) if (s.task.atStart) void launch(s);
      stopTicker = ticker(() => void this.tick(), tickMs);
    },

    /** Stops ticking and waits for the runs in progress (bounded by `waitMs`). */
    async stop(waitMs = 3000): Promise<void> {
      stopTicker?.();
      stopTicker = null;
      const running = [...scheduled.values()].flatMap((s) => (s.running ? [s.running] : []));
      await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, waitMs).unref())]);
    },

    names: () => [...scheduled.keys()],
  };
}

export type PeriodicWork = ReturnType<typeof createPeriodicWork>;
