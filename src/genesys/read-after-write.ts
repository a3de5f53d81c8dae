// Genesys is eventually consistent (genesys-datatables.md §13, INFERRED from the official Terraform provider,
// which retries reads that 404 right after a create and polls until a deleted object answers 404): for a few
// seconds after its own write, a read may not show it yet. After the product's own create, import or delete it
// reads again with back-off, for a bounded time, before it declares a row failed, a table missing or an
// outcome unknown. Waiting goes through the injected Sleep, so tests move a clock instead of sleeping.
import type { Sleep } from '../lib/clock.js';

export interface SettleTiming {
  sleep: Sleep;
  /** Longest total wait for a write to become visible. */
  maxWaitMs: number;
  /** First pause between reads; each next one doubles. */
  firstDelayMs: number;
}

/**
 * Reads until `settled(value)` holds or the pauses between reads add up to `maxWaitMs`; returns the last value
 * read and whether it settled. The first read is immediate: with no lag (the usual case) it costs nothing extra.
 * The bound counts the pauses asked for, not a clock, so it holds whatever clock the caller runs on.
 */
export async function readUntilSettled<T>(
  read: () => Promise<T>,
  settled: (value: T) => boolean,
  timing: SettleTiming,
): Promise<{ value: T; settled: boolean }> {
  let waited = 0;
  let delay = timing.firstDelayMs;
  for (;;) {
    const value = await read();
    if (settled(value)) return { value, settled: true };
    const left = timing.maxWaitMs - waited;
    if (left <= 0) return { value, settled: false };
    const pause = Math.min(delay, left);
    await timing.sleep(pause);
    waited += pause;
    delay *= 2;
  }
}
